package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/rectifyhq/rectify/internal/tfsource"
)

// writeCheckText groups findings by resource address, most severe first
// within each resource, for a person reading CI logs:
//
//	aws_security_group.bastion (aws_security_group) at infra/main.tf:12
//	  HIGH        aws.ec2.sg_public_admin_ports
//	              security group aws_security_group.bastion allows tcp 22-22 from 0.0.0.0/0 from the internet
//	              controls: CIS AWS 5.2, AWS FSBP EC2.13
//	  SUPPRESSED  aws.s3.bucket_policy_tls (MEDIUM)
//	              ...
//	              suppressed: tag rectify:exempt=all
//	  UNDETERMINED aws.s3.bucket_policy_tls (MEDIUM)
//	              S3 bucket acme-assets: its bucket policy is unknown until apply, ...
//	              unknown until apply: policy
func writeCheckText(w io.Writer, r *checkReport) error {
	bw := bufio.NewWriter(w)
	const indent = "              "
	byAddr := map[string][]checkFinding{}
	for _, f := range r.Findings {
		byAddr[f.Address] = append(byAddr[f.Address], f)
	}
	for _, res := range r.Resources { // already sorted by address
		fs := byAddr[res.Address]
		if len(fs) == 0 {
			continue
		}
		sortFindings(fs)
		fmt.Fprintf(bw, "%s (%s)%s\n", res.Address, res.Type, textLocation(res.Location))
		for _, f := range fs {
			switch {
			case f.Status == statusUndetermined && f.Suppressed:
				fmt.Fprintf(bw, "  %-12s%s (undetermined, %s)\n", "SUPPRESSED", f.PolicyID, f.Severity)
			case f.Status == statusUndetermined:
				fmt.Fprintf(bw, "  UNDETERMINED %s (%s)\n", f.PolicyID, f.Severity)
			case f.Suppressed:
				fmt.Fprintf(bw, "  %-12s%s (%s)\n", "SUPPRESSED", f.PolicyID, f.Severity)
			case !f.Blocking:
				fmt.Fprintf(bw, "  %-12s%s (below %s)\n", f.Severity, f.PolicyID, r.Threshold)
			default:
				fmt.Fprintf(bw, "  %-12s%s\n", f.Severity, f.PolicyID)
			}
			fmt.Fprintf(bw, "%s%s\n", indent, f.Message)
			if len(f.Unknown) > 0 {
				fmt.Fprintf(bw, "%sunknown until apply: %s\n", indent, strings.Join(f.Unknown, ", "))
			}
			if len(f.Controls) > 0 {
				fmt.Fprintf(bw, "%scontrols: %s\n", indent, strings.Join(f.Controls, ", "))
			}
			switch {
			case f.Suppressed:
				fmt.Fprintf(bw, "%ssuppressed: %s\n", indent, f.Reason)
			case f.Reason != "":
				fmt.Fprintf(bw, "%snot suppressed: %s\n", indent, f.Reason)
			}
		}
		fmt.Fprintln(bw)
	}
	s := r.Summary
	checked := fmt.Sprintf("%d resource(s) checked against %d policies (bundle %s)", s.Resources, s.Policies, r.Revision)
	undetermined := ""
	if s.Undetermined > 0 {
		fails := "not failing the check without --fail-on-undetermined"
		if r.FailOnUndetermined {
			fails = "failing the check (--fail-on-undetermined)"
		}
		undetermined = fmt.Sprintf(", %d undetermined until apply (%s)", s.Undetermined, fails)
	}
	if s.Violations == 0 {
		fmt.Fprintf(bw, "No violations%s: %s.\n", undetermined, checked)
	} else {
		fmt.Fprintf(bw, "%s: %d violation(s), %d at or above %s, %d suppressed%s.\n",
			checked, s.Violations, s.Blocking, r.Threshold, s.Suppressed, undetermined)
	}
	return bw.Flush()
}

// textLocation is " at FILE:LINE" for a resource found in --source-dir.
func textLocation(l *tfsource.Location) string {
	switch {
	case l == nil:
		return ""
	case l.Via != "":
		return fmt.Sprintf(" at %s (its %s block)", l, l.Via)
	}
	return " at " + l.String()
}

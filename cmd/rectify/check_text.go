package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// writeCheckText groups findings by resource address, most severe first
// within each resource, for a person reading CI logs:
//
//	aws_security_group.bastion (aws_security_group)
//	  HIGH        aws.ec2.sg_public_admin_ports
//	              security group aws_security_group.bastion allows tcp 22-22 from 0.0.0.0/0 from the internet
//	              controls: CIS AWS 5.2, AWS FSBP EC2.13
//	  SUPPRESSED  aws.s3.bucket_policy_tls (MEDIUM)
//	              ...
//	              suppressed: tag rectify:exempt=all
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
		fmt.Fprintf(bw, "%s (%s)\n", res.Address, res.Type)
		for _, f := range fs {
			switch {
			case f.Suppressed:
				fmt.Fprintf(bw, "  %-12s%s (%s)\n", "SUPPRESSED", f.PolicyID, f.Severity)
			case !f.Blocking:
				fmt.Fprintf(bw, "  %-12s%s (below %s)\n", f.Severity, f.PolicyID, r.Threshold)
			default:
				fmt.Fprintf(bw, "  %-12s%s\n", f.Severity, f.PolicyID)
			}
			fmt.Fprintf(bw, "%s%s\n", indent, f.Message)
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
	if s.Violations == 0 {
		fmt.Fprintf(bw, "No violations: %s.\n", checked)
	} else {
		fmt.Fprintf(bw, "%s: %d violation(s), %d at or above %s, %d suppressed.\n",
			checked, s.Violations, s.Blocking, r.Threshold, s.Suppressed)
	}
	return bw.Flush()
}

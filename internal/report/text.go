package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// text writes the report for a terminal.
func (r Report) text(w io.Writer) error {
	p := &printer{w: w}
	p.f("rectify report: %s to %s, account %s, policy %s\n", day(r.Period.From), day(r.Period.To), orAll(r.Account), orAll(r.Policy))
	p.f("source: %s (%d records, %d violations); open violations from Temporal: %s\n", r.Source.Trail, r.Source.Records, r.Source.Violations, r.temporalLine())
	for _, u := range r.Source.Unreadable {
		p.f("warning: unreadable record %s: %s\n", u.Key, u.Err)
	}
	p.f("\nPER CONTROL AND ACCOUNT\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROL\tACCOUNT\tMODE\tDETECTED\tAUTO-FIXED\tAPPROVED\tREJECTED\tEXPIRED\tUNDONE\tESCALATED\tSUPPRESSED\tCLOSED BY OTHERS\tOPEN\tMTTR MEAN\tP50\tP90\tEXPOSURE MEAN\tMAX\tOVERRIDE RATE")
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n",
			row.Control, row.Account, row.Mode, row.Detected, row.FixedAutomatically, row.Approved, row.Rejected, row.Expired,
			row.Undone, row.Escalated, row.Suppressed, row.ClosedByOthers, row.Open,
			dur(row.MTTRMean), dur(row.MTTRP50), dur(row.MTTRP90), dur(row.ExposureMean), dur(row.ExposureMax), percent(row.OverrideRate))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p.f("\nRECOMMENDATIONS (approve- and notify-mode controls)\n")
	n := 0
	for _, row := range r.Rows {
		if row.Recommendation != "" && row.Control != AllControls {
			p.f("  %s in %s (%s mode): %s. %s\n", row.Control, row.Account, row.Mode, row.Recommendation, row.Basis)
			n++
		}
	}
	if n == 0 {
		p.f("  none: every control in the period enforces\n")
	}
	p.f("\nOPEN VIOLATIONS\n")
	if len(r.Open) == 0 {
		p.f("  none\n")
	} else {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  AGE\tSTATE\tPOLICY\tACCOUNT\tRESOURCE\tFROM")
		for _, o := range r.Open {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", duration(o.AgeSeconds), o.State, o.Policy, o.Account, o.Resource, o.From)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	p.f("\nEXEMPTIONS\n")
	if len(r.Exemptions) == 0 {
		p.f("  none\n")
	} else {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  EXPIRES\tLEFT\tSOURCE\tOWNER\tPOLICIES\tRESOURCE\tREASON")
		for _, e := range r.Exemptions {
			left := daysLeft(e)
			if e.ExpiringSoon {
				left += " (soon)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", orNone(e.Expires), left, e.Source, orNone(e.Owner), e.Policies, e.Resource, e.Reason)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	p.f("\nMTTR OVER TIME\n")
	if len(r.MTTR) == 0 {
		p.f("  no verified fixes in the period\n")
	}
	for _, pt := range r.MTTR {
		p.f("  %s  %s over %d %s\n", pt.Start.UTC().Format("2006-01-02 15:04"), duration(pt.MTTRMean), pt.Fixes, plural(pt.Fixes, "fix", "fixes"))
	}
	return p.err
}

func (r Report) temporalLine() string {
	if r.Source.Temporal != "ok" {
		return "not read (" + r.Source.Temporal + ")"
	}
	return fmt.Sprintf("%d not yet in the trail", r.Source.OpenFromTemporal)
}

// text writes the evidence for a terminal: one block per violation.
func (e Evidence) text(w io.Writer) error {
	p := &printer{w: w}
	p.f("rectify evidence for control %s (%s): %s to %s, account %s, policy %s\n", e.Control, strings.Join(e.Matched, ", "),
		day(e.Period.From), day(e.Period.To), orAll(e.Account), orAll(e.Policy))
	p.f("source: %s; %d %s\n", e.Source.Trail, len(e.Violations), plural(len(e.Violations), "violation", "violations"))
	for _, u := range e.Source.Unreadable {
		p.f("warning: unreadable record %s: %s\n", u.Key, u.Err)
	}
	for _, it := range e.Violations {
		p.f("\n%s on %s (account %s, %s)\n", it.Policy, it.Resource, it.Account, it.Region)
		p.f("  detected      %s  workflow %s, violation %s\n", it.DetectedAt.UTC().Format("2006-01-02 15:04:05Z"), it.WorkflowID, it.ViolationID)
		p.f("  event         %s %s by %s at %s (id %s)\n", it.EventSource, orNone(it.EventName), orNone(it.EventActor), stamp(it.EventTime), orNone(it.EventID))
		p.f("  decision      %s%s at %s%s\n", it.Decision, by(it.DecidedBy), stamp(it.DecidedAt), reason(it.DecisionReason))
		p.f("  fix           %s started %s: %s\n", orNone(it.FixAction), stamp(it.FixStartedAt), orNone(it.FixDetail))
		if it.SnapshotRef != "" {
			p.f("  snapshot      %s (sha256 %s)\n", it.SnapshotRef, it.SnapshotSHA256)
		}
		p.f("  verification  %s at %s\n", it.Verification, stamp(it.VerifiedAt))
		p.f("  final state   %s at %s\n", it.FinalState, it.FinalStateAt.UTC().Format("2006-01-02 15:04:05Z"))
		p.f("  finding       %s\n", it.FindingID)
	}
	if len(e.Violations) == 0 {
		p.f("\nno violation of %s in the period\n", e.Control)
	}
	return p.err
}

// printer keeps the first write error, so a long report checks it once.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func by(s string) string {
	if s == "" {
		return ""
	}
	return " by " + s
}

func reason(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

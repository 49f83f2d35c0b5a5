package report

import (
	"io"
	"strings"
)

// markdown writes the report as GitHub-flavoured Markdown tables.
func (r Report) markdown(w io.Writer) error {
	p := &printer{w: w}
	p.f("# rectify report\n\n")
	p.f("%s to %s · account %s · policy %s  \n", day(r.Period.From), day(r.Period.To), orAll(r.Account), orAll(r.Policy))
	p.f("Source: `%s` (%d records, %d violations); open violations from Temporal: %s\n", r.Source.Trail, r.Source.Records, r.Source.Violations, r.temporalLine())
	for _, u := range r.Source.Unreadable {
		p.f("\n> **Warning:** unreadable record `%s`: %s\n", u.Key, md(u.Err))
	}
	p.f("\n## Per control and account\n\n")
	p.f("| Control | Account | Mode | Detected | Auto-fixed | Approved | Rejected | Expired | Undone | Escalated | Suppressed | Closed by others | Open | MTTR mean | p50 | p90 | Exposure mean | max | Override rate |\n")
	p.f("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, row := range r.Rows {
		p.f("| %s | %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %s | %s | %s | %s | %s | %s |\n",
			md(row.Control), md(row.Account), row.Mode, row.Detected, row.FixedAutomatically, row.Approved, row.Rejected, row.Expired,
			row.Undone, row.Escalated, row.Suppressed, row.ClosedByOthers, row.Open,
			dur(row.MTTRMean), dur(row.MTTRP50), dur(row.MTTRP90), dur(row.ExposureMean), dur(row.ExposureMax), percent(row.OverrideRate))
	}
	p.f("\n## Recommendations\n\n")
	n := 0
	for _, row := range r.Rows {
		if row.Recommendation != "" && row.Control != AllControls {
			p.f("- **%s** in %s (%s mode): **%s**. %s\n", md(row.Control), row.Account, row.Mode, row.Recommendation, md(row.Basis))
			n++
		}
	}
	if n == 0 {
		p.f("None: every control in the period enforces.\n")
	}
	p.f("\n## Open violations\n\n")
	if len(r.Open) == 0 {
		p.f("None.\n")
	} else {
		p.f("| Age | State | Policy | Account | Resource | From |\n|--:|---|---|---|---|---|\n")
		for _, o := range r.Open {
			p.f("| %s | %s | %s | %s | `%s` | %s |\n", duration(o.AgeSeconds), o.State, o.Policy, o.Account, o.Resource, o.From)
		}
	}
	p.f("\n## Exemptions\n\n")
	if len(r.Exemptions) == 0 {
		p.f("None.\n")
	} else {
		p.f("| Expires | Left | Source | Owner | Policies | Resource | Reason |\n|---|--:|---|---|---|---|---|\n")
		for _, e := range r.Exemptions {
			left := daysLeft(e)
			if e.ExpiringSoon {
				left = "**" + left + "** (soon)"
			}
			p.f("| %s | %s | %s | %s | %s | `%s` | %s |\n", orNone(e.Expires), left, e.Source, md(orNone(e.Owner)), md(e.Policies), e.Resource, md(e.Reason))
		}
	}
	p.f("\n## MTTR over time\n\n")
	if len(r.MTTR) == 0 {
		p.f("No verified fixes in the period.\n")
	} else {
		p.f("| From | Fixes | MTTR mean |\n|---|--:|--:|\n")
		for _, pt := range r.MTTR {
			p.f("| %s | %d | %s |\n", pt.Start.UTC().Format("2006-01-02 15:04"), pt.Fixes, duration(pt.MTTRMean))
		}
	}
	return p.err
}

// markdown writes the evidence: one table row per violation.
func (e Evidence) markdown(w io.Writer) error {
	p := &printer{w: w}
	p.f("# rectify evidence: %s\n\n", md(e.Control))
	p.f("Controls %s · %s to %s · account %s · policy %s · source `%s`\n\n", md(strings.Join(e.Matched, ", ")),
		day(e.Period.From), day(e.Period.To), orAll(e.Account), orAll(e.Policy), e.Source.Trail)
	if len(e.Violations) == 0 {
		p.f("No violation of %s in the period.\n", md(e.Control))
		return p.err
	}
	p.f("| Detected | Resource | Event | Decision | Fix | Verification | Finding |\n|---|---|---|---|---|---|---|\n")
	for _, it := range e.Violations {
		p.f("| %s | `%s` (%s) | %s %s by %s at %s (id %s) | %s%s%s | %s: %s | %s at %s | `%s` |\n",
			it.DetectedAt.UTC().Format("2006-01-02 15:04:05Z"), it.Resource, it.Account,
			it.EventSource, md(orNone(it.EventName)), md(orNone(it.EventActor)), stamp(it.EventTime), md(orNone(it.EventID)),
			it.Decision, md(by(it.DecidedBy)), md(reason(it.DecisionReason)),
			orNone(it.FixAction), md(orNone(it.FixDetail)), it.Verification, stamp(it.VerifiedAt), it.FindingID)
	}
	return p.err
}

// md keeps a value from breaking a table cell.
func md(s string) string { return cellEscaper.Replace(s) }

var cellEscaper = strings.NewReplacer("|", `\|`, "\n", " ")

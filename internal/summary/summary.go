// Package summary says in words what rectify's workflows are about, for
// the pages people read: the Temporal UI's summary and details of every
// Remediation and Evaluate, and `rectify show`. Everything here is pure,
// so workflow code may call it.
package summary

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/service"
)

// Limits of the Temporal server on user metadata (limit.userMetadataSummarySize
// = 400 bytes and limit.userMetadataDetailsSize = 20000 bytes per payload, with
// its encoding): a start over them is refused, so texts are clipped below.
const (
	MaxSummary = 300
	MaxDetails = 16000
)

// Noun names a resource's kind for people ("S3 bucket"), as its kind
// declares it; the Terraform type for a type no kind knows.
func Noun(ref resource.Ref) string {
	if k, ok := service.Registry.Kind(ref.Type); ok {
		return k.Noun
	}
	return ref.Type
}

// Name is what people call a resource: its id (sg-0abc, a bucket's name),
// else its ARN.
func Name(ref resource.Ref) string {
	if ref.ID != "" {
		return ref.ID
	}
	return ref.ARN
}

// Clip shortens s to at most n bytes, on a rune boundary, marking the cut.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Line makes s one line of at most n bytes, as a summary must be.
func Line(s string, n int) string { return Clip(line(s), n) }

// line makes s one line.
func line(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// WorkflowPath is a workflow's page in the Temporal UI, relative to the
// UI's address, so markdown shown inside the UI links without knowing it.
func WorkflowPath(namespace, workflowID string) string {
	return "/namespaces/" + url.PathEscape(namespace) + "/workflows/" + url.PathEscape(workflowID)
}

// WorkflowURL is a workflow's page in the Temporal UI at uiURL.
func WorkflowURL(uiURL, namespace, workflowID string) string {
	return strings.TrimSuffix(uiURL, "/") + WorkflowPath(namespace, workflowID)
}

// FindingURL is the Security Hub console's search for one finding, by Id
// (the console expects the filter encoded twice).
func FindingURL(region, findingID string) string {
	search := url.QueryEscape("Id=" + url.QueryEscape(`\operator\:EQUALS\:`+findingID))
	return fmt.Sprintf("https://%s.console.aws.amazon.com/securityhub/home?region=%s#/findings?search=%s", region, region, search)
}

// Outcome says what a violation's settings make rectify do, with planned
// the remediation in words ("" when the policy has no automatic fix).
func Outcome(s contract.Settings, exemption string, planned string) string {
	switch {
	case exemption != "":
		return "exempt (" + exemption + ")"
	case planned == "":
		return "notify only (no automatic remediation)"
	case s.Observed():
		return "observe stage: would " + planned + promotedTail(s)
	}
	switch s.Mode {
	case contract.ModeEnforce:
		return "fixing: " + planned
	case contract.ModeApprove:
		return "awaiting approval to " + planned
	case contract.ModeOff:
		return "off"
	default:
		return "notify only: would " + planned
	}
}

func promotedTail(s contract.Settings) string {
	switch s.PromotedMode {
	case contract.ModeEnforce:
		return " (on its own once promoted)"
	case contract.ModeApprove:
		return " (after approval once promoted)"
	}
	return ""
}

// Remediation is the one-line StaticSummary of a Remediation, such as
// "S3 bucket data has no public access block: awaiting approval to turn on
// all four S3 public access block settings".
func Remediation(v contract.Violation, planned string) string {
	ex := ""
	if v.Exemption.Exempt {
		ex = v.Exemption.Reason
	}
	return Clip(line(v.Message+": "+Outcome(v.Settings, ex, planned)), MaxSummary)
}

// RemediationPage is what the details of a Remediation show.
type RemediationPage struct {
	Namespace  string
	WorkflowID string
	Ref        resource.Ref
	Violation  contract.Violation
	Change     contract.Change
	// Planned is the remediation in words; empty for none.
	Planned string
}

// RemediationDetails is the markdown StaticDetails of a Remediation:
// policy, controls, severity, actor and event, planned action, how to
// decide, and links.
func RemediationDetails(p RemediationPage) string {
	v := p.Violation
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (`%s`), severity **%s**\n\n", v.Title, v.PolicyID, v.Severity)
	fmt.Fprintf(&b, "%s\n\n", v.Message)
	fmt.Fprintf(&b, "- **Resource:** %s `%s` (account %s, %s)\n", Noun(p.Ref), p.Ref.ARN, p.Ref.Account, p.Ref.Region)
	if len(v.Controls) > 0 {
		fmt.Fprintf(&b, "- **Controls:** %s\n", strings.Join(v.Controls, ", "))
	}
	fmt.Fprintf(&b, "- **Seen by:** %s\n", ChangeText(p.Change))
	planned := p.Planned
	if planned == "" {
		planned = "none: rectify tells people, it has no safe automatic fix"
	}
	fmt.Fprintf(&b, "- **Planned action:** %s\n", planned)
	fmt.Fprintf(&b, "- **Mode:** %s%s\n", v.Settings.Mode, stageText(v.Settings))
	if v.Exemption.Exempt {
		fmt.Fprintf(&b, "- **Exempt:** %s\n", v.Exemption.Reason)
	}
	if v.Settings.Mode == contract.ModeApprove && p.Planned != "" {
		fmt.Fprintf(&b, "\n**To decide** (approvers: %s; times out after %s, then %s):\n\n",
			strings.Join(v.Settings.Approvers, ", "), v.Settings.ApprovalTimeout, v.Settings.TimeoutAction)
		fmt.Fprintf(&b, "    rectify approve %s %s --as YOU\n    rectify reject %s %s --as YOU --reason WHY\n\n",
			v.PolicyID, p.Ref.ARN, v.PolicyID, p.Ref.ARN)
		b.WriteString("or press Approve / Reject on the Slack message, when Slack is on.\n")
	}
	b.WriteString("\n**Links:** ")
	fmt.Fprintf(&b, "[evaluation of the resource](%s)", WorkflowPath(p.Namespace, contract.EvaluateID(p.Ref.ARN)))
	fmt.Fprintf(&b, " · [Security Hub finding](%s)", FindingURL(p.Ref.Region, contract.FindingID(v.PolicyID, p.Ref.ARN)))
	fmt.Fprintf(&b, " · `rectify show %s %s`\n", v.PolicyID, p.Ref.ARN)
	return Clip(b.String(), MaxDetails)
}

func stageText(s contract.Settings) string {
	if s.Stage == "" {
		return ""
	}
	t := ", stage " + string(s.Stage)
	if s.StageFrom != "" {
		t += " (" + s.StageFrom + ")"
	}
	if s.Observed() && s.PromotedMode != "" {
		t += "; once promoted: " + string(s.PromotedMode)
	}
	return t
}

// ChangeText says what made rectify look: "AuthorizeSecurityGroupIngress
// by arn:aws:iam::...:user/alice at 2025-...", or "a sweep at ...".
func ChangeText(c contract.Change) string {
	var b strings.Builder
	switch {
	case c.Source == "sweep":
		b.WriteString("a sweep")
	case c.EventName != "":
		fmt.Fprintf(&b, "%s (%s)", c.EventName, c.Source)
	case c.Source != "":
		b.WriteString(c.Source)
	default:
		b.WriteString("a direct evaluation")
	}
	if c.Actor != "" {
		b.WriteString(" by " + c.Actor)
	}
	if !c.EventTime.IsZero() {
		b.WriteString(" at " + c.EventTime.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// Evaluate is the one-line StaticSummary of an Evaluate.
func Evaluate(ref resource.Ref, c contract.Change) string {
	return Clip(line(fmt.Sprintf("Evaluate %s %s after %s", Noun(ref), Name(ref), ChangeText(c))), MaxSummary)
}

// EvaluateDetails is the markdown StaticDetails of an Evaluate.
func EvaluateDetails(namespace string, ref resource.Ref, c contract.Change) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Reads %s `%s` (account %s, %s) and judges it with every policy for `%s`.\n\n", Noun(ref), ref.ARN, ref.Account, ref.Region, ref.Type)
	fmt.Fprintf(&b, "- **Started by:** %s\n", ChangeText(c))
	b.WriteString("- Each violation goes to its own Remediation workflow; the current details list them after each pass.\n")
	fmt.Fprintf(&b, "\n**Links:** [violations of this resource](%s)\n", listPath(namespace, ref.ARN))
	return Clip(b.String(), MaxDetails)
}

// listPath is the Temporal UI's list of the Remediations of a resource.
func listPath(namespace, arn string) string {
	q := fmt.Sprintf(`WorkflowType="%s" AND %s="%s"`, contract.RemediationWorkflow, contract.AttrResource.GetName(), arn)
	return "/namespaces/" + url.PathEscape(namespace) + "/workflows?query=" + url.QueryEscape(q)
}

// EvaluatePass is one pass of an Evaluate, for its current details.
type EvaluatePass struct {
	Pass       int
	At         time.Time
	Change     contract.Change
	Exists     bool
	Violations []contract.Violation
	Passing    []string
}

// EvaluateCurrent is the markdown current details of an Evaluate after a
// pass: its verdicts, each linked to the Remediation that owns it.
func EvaluateCurrent(namespace string, ref resource.Ref, p EvaluatePass) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Pass %d** at %s, after %s\n\n", p.Pass, p.At.UTC().Format(time.RFC3339), ChangeText(p.Change))
	if !p.Exists {
		b.WriteString("The resource no longer exists: every open violation of it is closed.\n")
		return Clip(b.String(), MaxDetails)
	}
	if len(p.Violations) == 0 {
		b.WriteString("No violations.\n")
	}
	for _, v := range p.Violations {
		id := contract.RemediationID(v.PolicyID, ref.ARN)
		if v.Settings.Mode == contract.ModeOff {
			fmt.Fprintf(&b, "- `%s` (%s): off\n", v.PolicyID, v.Severity)
			continue
		}
		fmt.Fprintf(&b, "- [%s](%s) (%s, %s%s): %s\n", v.PolicyID, WorkflowPath(namespace, id), v.Severity, v.Settings.Mode, stageText(v.Settings), line(v.Message))
	}
	if len(p.Passing) > 0 {
		fmt.Fprintf(&b, "\nPassing: %s\n", strings.Join(p.Passing, ", "))
	}
	return Clip(b.String(), MaxDetails)
}

// RemediationCurrent is the markdown current details of a Remediation:
// its state, and what it waits for.
func RemediationCurrent(st contract.Status) string {
	var b strings.Builder
	since := ""
	if n := len(st.History); n > 0 {
		since = " since " + st.History[n-1].At.UTC().Format(time.RFC3339)
		if d := st.History[n-1].Detail; d != "" {
			since += ": " + line(d)
		}
	}
	fmt.Fprintf(&b, "**%s**%s\n\n", st.State, since)
	if !st.Deadline.IsZero() {
		fmt.Fprintf(&b, "- **Approval deadline:** %s (then: %s)\n", st.Deadline.UTC().Format(time.RFC3339), st.TimeoutAction)
	}
	if !st.SnoozedUntil.IsZero() {
		fmt.Fprintf(&b, "- **Snoozed until:** %s: sweeps do not ask again; a change of the resource does\n", st.SnoozedUntil.UTC().Format(time.RFC3339))
	}
	if st.DecidedBy != "" {
		fmt.Fprintf(&b, "- **Decided by:** %s\n", st.DecidedBy)
	}
	if st.Reason != "" {
		fmt.Fprintf(&b, "- **Reason:** %s\n", line(st.Reason))
	}
	if st.Remediations > 0 {
		fmt.Fprintf(&b, "- **Remediations:** %d\n", st.Remediations)
	}
	if !st.UndoUntil.IsZero() {
		fmt.Fprintf(&b, "- **Undo offered until:** %s\n", st.UndoUntil.UTC().Format(time.RFC3339))
	}
	if !st.WatchUntil.IsZero() {
		fmt.Fprintf(&b, "- **Watching for recurrence until:** %s\n", st.WatchUntil.UTC().Format(time.RFC3339))
	}
	return Clip(b.String(), MaxDetails)
}

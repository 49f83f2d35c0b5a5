package slackapp

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/rectifyhq/rectify/internal/contract"
)

// slackState is how a workflow state reads in Slack.
type slackState struct {
	label, emoji string
}

// slackStates is keyed by the workflows.State* values (activities cannot
// import workflows; a test in this package's external tests checks that
// every workflow state has an entry). Undone is the Undo step to come.
var slackStates = map[string]slackState{
	"New":              {"New", ":new:"},
	"Suppressed":       {"Suppressed", ":zipper_mouth_face:"},
	"Notified":         {"Notified (dry run)", ":information_source:"},
	"AwaitingApproval": {"Awaiting approval", ":hourglass_flowing_sand:"},
	"Approved":         {"Approved", ":white_check_mark:"},
	"Rejected":         {"Rejected", ":no_entry_sign:"},
	"Expired":          {"Expired", ":alarm_clock:"},
	"Remediating":      {"Remediating", ":hammer_and_wrench:"},
	"Resolved":         {"Resolved", ":large_green_circle:"},
	"Failed":           {"Failed", ":x:"},
	"Escalated":        {"Escalated", ":rotating_light:"},
	"Closed":           {"Closed", ":heavy_check_mark:"},
	"Undone":           {"Undone", ":leftwards_arrow_with_hook:"},
}

var severityEmoji = map[string]string{
	"CRITICAL": ":red_circle:", "HIGH": ":large_orange_circle:", "MEDIUM": ":large_yellow_circle:",
	"LOW": ":large_blue_circle:", "INFORMATIONAL": ":white_circle:",
}

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks):
// longer text makes the whole call fail with invalid_blocks.
const (
	maxHeader  = 150
	maxField   = 2000
	maxSection = 3000
	maxConfirm = 300
)

// slackMessage is one rendering of a violation: the same Notification
// always gives the same message, so chat.update can re-render it whole.
type slackMessage struct {
	// text is the fallback shown in notifications and by screen readers.
	text   string
	blocks []slack.Block
}

// statusLine is the state in words, with the deciding user when the
// detail names one ("approved by U0123" → "*Approved* by @alice"). rest is
// the part of the detail the line did not use.
func statusLine(n contract.Notification) (line, rest string) {
	st, ok := slackStates[n.State]
	if !ok {
		st = slackState{label: n.State, emoji: ":grey_question:"}
	}
	line = st.emoji + " *" + st.label + "*"
	detail := strings.TrimSpace(n.Detail)
	if by, ok := slackCutPrefixFold(detail, st.label+" by "); ok {
		return line + " by " + Mentionify(by), ""
	}
	return line, detail
}

// slackStep is the thread reply of one state change.
func slackStep(n contract.Notification) string {
	line, rest := statusLine(n)
	if rest != "" {
		line += " — " + Mentionify(rest)
	}
	return slackClip(line, maxSection)
}

func buildSlackMessage(n contract.Notification, workflowURL string) slackMessage {
	line, rest := statusLine(n)
	title := n.Title
	if title == "" {
		title = n.PolicyID
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slackPlain(slackClip(severityEmoji[strings.ToUpper(n.Severity)]+" "+title, maxHeader))),
		slack.NewSectionBlock(slackMarkdown(line), nil, nil),
		slack.NewSectionBlock(nil, resourceFields(n), nil),
	}
	if n.Message != "" {
		blocks = append(blocks, slackSection("*Finding*\n"+Escape(n.Message)))
	}
	if n.AskApproval {
		// The workflow words the request "approve to <plan>"; the button
		// already says Approve.
		rest = strings.TrimPrefix(rest, "approve to ")
	}
	if rest != "" {
		label := "*Latest step*\n"
		if n.AskApproval {
			label = "*Planned remediation*\n"
		}
		blocks = append(blocks, slackSection(label+Mentionify(rest)))
	}
	switch {
	case n.AskApproval:
		blocks = append(blocks, decisionButtons(n.WorkflowID, rest))
	case n.AskUndo:
		blocks = append(blocks, undoButton(n.WorkflowID))
	}
	if workflowURL != "" {
		blocks = append(blocks, slack.NewContextBlock("",
			slackMarkdown("<"+workflowURL+"|Open in Temporal UI> · `"+Escape(n.WorkflowID)+"`")))
	}
	st := slackStates[n.State].label
	if st == "" {
		st = n.State
	}
	return slackMessage{
		text:   Escape("[" + n.Severity + "] " + title + " on " + n.Ref.ARN + ": " + st),
		blocks: blocks,
	}
}

func resourceFields(n contract.Notification) []*slack.TextBlockObject {
	region := n.Ref.Region
	if region == "" {
		region = "global"
	}
	fields := []*slack.TextBlockObject{
		slackMarkdown(slackClip("*Resource*\n`"+Escape(n.Ref.ARN)+"`", maxField)),
		slackMarkdown("*Account · Region*\n" + Escape(n.Ref.Account) + " · " + Escape(region)),
		slackMarkdown(slackClip("*Policy*\n`"+Escape(n.PolicyID)+"`", maxField)),
		slackMarkdown("*Severity*\n" + Escape(n.Severity)),
	}
	if n.EventName != "" || n.Actor != "" {
		change := "*Change*\n"
		if n.EventName != "" {
			change += "`" + Escape(n.EventName) + "`"
		}
		if n.Actor != "" {
			change += " by " + Escape(n.Actor)
		}
		fields = append(fields, slackMarkdown(slackClip(change, maxField)))
	}
	return fields
}

// decisionButtons carry the workflow ID as their value: the click names
// the workflow to update without any lookup on our side. Approve asks
// for confirmation with the plan, because it changes production.
func decisionButtons(workflowID, planned string) *slack.ActionBlock {
	approve := slack.NewButtonBlockElement(ActionApprove, workflowID, slackPlain("Approve")).
		WithStyle(slack.StylePrimary)
	if planned != "" {
		approve = approve.WithConfirm(slack.NewConfirmationBlockObject(
			slackPlain("Approve remediation?"), slackPlain(slackClip(planned, maxConfirm)), slackPlain("Approve"), slackPlain("Cancel")))
	}
	reject := slack.NewButtonBlockElement(ActionReject, workflowID, slackPlain("Reject")).
		WithStyle(slack.StyleDanger)
	return slack.NewActionBlock(BlockDecision, approve, reject)
}

// undoButton offers to restore the snapshot; confirmed first, because it
// reopens the violation on purpose.
func undoButton(workflowID string) *slack.ActionBlock {
	undo := slack.NewButtonBlockElement(ActionUndo, workflowID, slackPlain("Undo")).
		WithConfirm(slack.NewConfirmationBlockObject(slackPlain("Undo remediation?"),
			slackPlain("This restores the previous configuration and exempts the resource from this policy for a while."),
			slackPlain("Undo"), slackPlain("Cancel")))
	return slack.NewActionBlock(BlockDecision, undo)
}

func slackPlain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func slackMarkdown(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func slackSection(s string) *slack.SectionBlock {
	return slack.NewSectionBlock(slackMarkdown(slackClip(s, maxSection)), nil, nil)
}

func slackClip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func slackCutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

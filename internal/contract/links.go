package contract

import (
	"net/url"
	"strings"
	"unicode"
)

// DefaultControlsURL is where each control's entry lives, one
// "## <policy-id>" heading per control (docs/controls.md, generated from the
// kind registry). A fork or a mirror sets its own.
const DefaultControlsURL = "https://github.com/rectifyhq/rectify/blob/main/docs/controls.md"

// WorkflowURL links to a workflow in the Temporal UI ("" without a UI).
// The ID holds slashes and colons (remediation/<policy>/<arn>), so it is
// escaped as one path segment.
func WorkflowURL(ui, namespace, workflowID string) string {
	if ui == "" || workflowID == "" {
		return ""
	}
	return strings.TrimSuffix(ui, "/") + "/namespaces/" + url.PathEscape(namespace) + "/workflows/" + url.PathEscape(workflowID)
}

// ControlURL links to a control's entry in the controls page at base
// ("" without a base).
func ControlURL(base, policyID string) string {
	if base == "" || policyID == "" {
		return ""
	}
	return strings.TrimSuffix(base, "#") + "#" + HeadingAnchor(policyID)
}

// HeadingAnchor is the anchor GitHub gives a markdown heading: lower case,
// spaces become hyphens, and every other character that is not a letter,
// a digit, '-' or '_' is dropped ("aws.ec2.sg_public_admin_ports" →
// "awsec2sg_public_admin_ports").
func HeadingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

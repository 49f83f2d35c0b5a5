package slackapp_test

import (
	"testing"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/slackapp"
)

// The Slack wording is keyed by state names the workflow owns; a new
// state without wording would show up raw in the message.
func TestSlackStatesCoverWorkflowStates(t *testing.T) {
	for _, s := range contract.States {
		if _, ok := slackapp.SlackStateLabel(s); !ok {
			t.Errorf("workflow state %q has no Slack wording in activities/slack_message.go", s)
		}
	}
}

package activities_test

import (
	"testing"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/workflows"
)

// The Slack wording is keyed by state names the workflow owns; a new
// state without wording would show up raw in the message.
func TestSlackStatesCoverWorkflowStates(t *testing.T) {
	for _, s := range workflows.States {
		if _, ok := activities.SlackStateLabel(s); !ok {
			t.Errorf("workflow state %q has no Slack wording in activities/slack_message.go", s)
		}
	}
}

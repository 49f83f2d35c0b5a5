package slackapp

import (
	"context"
	"time"
)

// SlackStateLabel exposes the Slack wording of a state to the external
// test that checks it against the workflow's states.
func SlackStateLabel(state string) (string, bool) {
	st, ok := slackStates[state]
	return st.label, ok
}

// SetApproverClock sets the clock of h's approver-group cache.
func SetApproverClock(h *Handler, now func() time.Time) { h.approvers.now = now }

// CheckApprover is h's approver check, for the cache test.
func CheckApprover(ctx context.Context, h *Handler, user string) (via string, ok bool, err error) {
	return h.approvers.check(ctx, user)
}

// ParseThread exposes the thread handle parser.
var ParseThread = parseSlackThread

package activities

import (
	"context"
	"log/slog"

	"github.com/rectifyhq/rectify/internal/contract"
)

// Notifier tells humans about a violation's state changes. Thread is the
// notifier's handle of the first message, so later states update it in
// place; a notifier without threads returns "".
type Notifier interface {
	Notify(ctx context.Context, n contract.Notification) (thread string, err error)
}

// Notify sends one state change to the notifier.
func (a *Activities) Notify(ctx context.Context, n contract.Notification) (NotifyOutput, error) {
	if a.Notifier == nil {
		return NotifyOutput{Thread: n.Thread}, nil
	}
	thread, err := a.Notifier.Notify(ctx, n)
	if err != nil {
		return NotifyOutput{}, err
	}
	return NotifyOutput{Thread: thread}, nil
}

// LogNotifier writes notifications as structured log lines: the notifier
// when no Slack is configured.
type LogNotifier struct {
	Log *slog.Logger
}

// Notify logs n.
func (l LogNotifier) Notify(ctx context.Context, n contract.Notification) (string, error) {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "violation", "workflow_id", n.WorkflowID, "state", n.State, "policy", n.PolicyID,
		"severity", n.Severity, "resource", n.Ref.ARN, "account", n.Ref.Account, "detail", n.Detail,
		"actor", n.Actor, "approval_requested", n.AskApproval)
	return n.Thread, nil
}

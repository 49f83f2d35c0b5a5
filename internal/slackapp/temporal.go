package slackapp

import (
	"context"
	"fmt"

	"github.com/rectifyhq/rectify/internal/contract"
	"go.temporal.io/sdk/client"
)

// TemporalDecide binds Decide to a Temporal client.
func TemporalDecide(c client.Client) DecideFunc {
	return func(ctx context.Context, workflowID, updateID string, d contract.Decision) (contract.DecisionResult, error) {
		return contract.Decide(ctx, c, workflowID, updateID, d)
	}
}

// TemporalUndo binds Undo to a Temporal client.
func TemporalUndo(c client.Client) UndoFunc {
	return func(ctx context.Context, workflowID, updateID string, u contract.UndoRequest) (contract.DecisionResult, error) {
		return contract.Undo(ctx, c, workflowID, updateID, u)
	}
}

// TemporalStatus queries a Remediation's status; it works on a closed
// workflow too, as long as a worker can replay it.
func TemporalStatus(c client.Client) StatusFunc {
	return func(ctx context.Context, workflowID string) (contract.Status, error) {
		v, err := c.QueryWorkflow(ctx, workflowID, "", contract.QueryStatus)
		if err != nil {
			return contract.Status{}, fmt.Errorf("query status of %s: %w", workflowID, err)
		}
		var st contract.Status
		if err := v.Get(&st); err != nil {
			return contract.Status{}, fmt.Errorf("query status of %s: %w", workflowID, err)
		}
		return st, nil
	}
}

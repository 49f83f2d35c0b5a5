package starter

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/workflows"
)

// TemporalDecide binds Decide to a Temporal client.
func TemporalDecide(c client.Client) DecideFunc {
	return func(ctx context.Context, workflowID, updateID string, d workflows.Decision) (workflows.DecisionResult, error) {
		return Decide(ctx, c, workflowID, updateID, d)
	}
}

// TemporalUndo binds Undo to a Temporal client.
func TemporalUndo(c client.Client) UndoFunc {
	return func(ctx context.Context, workflowID, updateID string, u workflows.UndoRequest) (workflows.DecisionResult, error) {
		return Undo(ctx, c, workflowID, updateID, u)
	}
}

// TemporalStatus queries a Remediation's status; it works on a closed
// workflow too, as long as a worker can replay it.
func TemporalStatus(c client.Client) StatusFunc {
	return func(ctx context.Context, workflowID string) (workflows.Status, error) {
		v, err := c.QueryWorkflow(ctx, workflowID, "", workflows.QueryStatus)
		if err != nil {
			return workflows.Status{}, fmt.Errorf("query status of %s: %w", workflowID, err)
		}
		var st workflows.Status
		if err := v.Get(&st); err != nil {
			return workflows.Status{}, fmt.Errorf("query status of %s: %w", workflowID, err)
		}
		return st, nil
	}
}

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

// TemporalUndo sends the undo Update and waits for its result. updateID
// makes a double click one undo.
func TemporalUndo(c client.Client) UndoFunc {
	return func(ctx context.Context, workflowID, updateID string, u workflows.UndoRequest) (workflows.DecisionResult, error) {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   workflowID,
			UpdateID:     updateID,
			UpdateName:   workflows.UpdateUndo,
			Args:         []any{u},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return workflows.DecisionResult{}, fmt.Errorf("undo %s: %w", workflowID, err)
		}
		var res workflows.DecisionResult
		if err := h.Get(ctx, &res); err != nil {
			return workflows.DecisionResult{}, fmt.Errorf("undo %s: %w", workflowID, err)
		}
		return res, nil
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

package contract

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"
)

// Decide sends the decide Update to a Remediation and waits for its result.
// updateID makes a repeated request (a double click, a retried CLI call)
// one decision; empty lets Temporal choose one.
func Decide(ctx context.Context, c client.Client, workflowID, updateID string, d Decision) (DecisionResult, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateID:     updateID,
		UpdateName:   UpdateDecide,
		Args:         []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return DecisionResult{}, fmt.Errorf("decide %s: %w", workflowID, err)
	}
	var res DecisionResult
	if err := h.Get(ctx, &res); err != nil {
		return DecisionResult{}, fmt.Errorf("decide %s: %w", workflowID, err)
	}
	return res, nil
}

// Undo sends the undo Update to a Remediation and waits until the fix is
// undone (or the undo failed). updateID works as for Decide.
func Undo(ctx context.Context, c client.Client, workflowID, updateID string, u UndoRequest) (DecisionResult, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateID:     updateID,
		UpdateName:   UpdateUndo,
		Args:         []any{u},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return DecisionResult{}, fmt.Errorf("undo %s: %w", workflowID, err)
	}
	var res DecisionResult
	if err := h.Get(ctx, &res); err != nil {
		return DecisionResult{}, fmt.Errorf("undo %s: %w", workflowID, err)
	}
	return res, nil
}

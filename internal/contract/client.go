package contract

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// RefusedError is an Update a workflow refused (its validator) or failed,
// in the workflow's own words: what a person reads, without the SDK's
// "(type: NotApprover, retryable: false)". Type is the error type
// (ErrNotApprover, ...); errors.As still finds the application error.
type RefusedError struct {
	Type    string
	Message string
	Err     error
}

func (e *RefusedError) Error() string { return e.Message }
func (e *RefusedError) Unwrap() error { return e.Err }

// plain turns an application error from a workflow into a RefusedError.
func plain(err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return &RefusedError{Type: app.Type(), Message: app.Message(), Err: err}
	}
	return err
}

// Decide sends the decide Update to a Remediation and waits for its result.
// updateID makes a repeated request (a double click, a retried CLI call)
// one decision; empty lets Temporal choose one.
func Decide(ctx context.Context, c client.Client, workflowID, updateID string, d Decision) (DecisionResult, error) {
	return update[DecisionResult](ctx, c, "decide", workflowID, updateID, UpdateDecide, d)
}

// Undo sends the undo Update to a Remediation and waits until the fix is
// undone (or the undo failed). updateID works as for Decide.
func Undo(ctx context.Context, c client.Client, workflowID, updateID string, u UndoRequest) (DecisionResult, error) {
	return update[DecisionResult](ctx, c, "undo", workflowID, updateID, UpdateUndo, u)
}

func update[R any](ctx context.Context, c client.Client, verb, workflowID, updateID, name string, arg any) (R, error) {
	var res R
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return res, fmt.Errorf("%s %s: %w", verb, workflowID, plain(err))
	}
	if err := h.Get(ctx, &res); err != nil {
		return res, fmt.Errorf("%s %s: %w", verb, workflowID, plain(err))
	}
	return res, nil
}

// SetStage sends UpdateSetStage to the Accounts workflow of taskQueue,
// starting it if it does not run. A new run starts from the book of the
// last one, if there was one (terminated by hand, say), so no promotion or
// demotion is lost.
func SetStage(ctx context.Context, c client.Client, taskQueue string, ch StageChange) (StageBook, error) {
	id := AccountsID(taskQueue)
	last, err := Stages(ctx, c, taskQueue)
	if err != nil {
		return StageBook{}, err
	}
	start := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: id, TaskQueue: taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "Stages of the accounts rectify acts in (rectify accounts list)",
		StaticDetails: "Each account starts in the **observe** stage: every control notifies only.\n\n" +
			"`rectify accounts promote ACCOUNT [--policy ID] --as YOU --reason WHY` moves it to **active**;\n" +
			"`rectify accounts demote` moves it back. Each change is an Update in this history: who, when and why.",
	}, AccountsWorkflow, AccountsInput{Book: StageBook{Rules: last.Rules, Log: last.Log}})
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: UpdateSetStage, Args: []any{ch},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return StageBook{}, fmt.Errorf("set stage of %s: %w", ch.Account, plain(err))
	}
	var book StageBook
	if err := h.Get(ctx, &book); err != nil {
		return StageBook{}, fmt.Errorf("set stage of %s: %w", ch.Account, plain(err))
	}
	return book, nil
}

// Stages reads the book of the Accounts workflow of taskQueue; there is
// none until the first promotion, which is an empty book.
func Stages(ctx context.Context, c client.Client, taskQueue string) (StageBook, error) {
	v, err := c.QueryWorkflow(ctx, AccountsID(taskQueue), "", QueryStages)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return StageBook{}, nil
	}
	if err != nil {
		return StageBook{}, fmt.Errorf("read stages (%s): %w", AccountsID(taskQueue), err)
	}
	var book StageBook
	if err := v.Get(&book); err != nil {
		return StageBook{}, fmt.Errorf("read stages (%s): %w", AccountsID(taskQueue), err)
	}
	return book, nil
}

package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Dispatch hands an evaluation's verdicts on: SignalWithStart for each
// violation (the workflow ID is the lock, so a known violation gets a
// signal and a new one gets a workflow) and a signal for each policy that
// passes, to workflows that may have closed already.
func (a *Activities) Dispatch(ctx context.Context, in DispatchInput) (DispatchOutput, error) {
	var out DispatchOutput
	for _, s := range in.Starts {
		attrs := make([]temporal.SearchAttributeUpdate, 0, len(s.Keywords))
		for k, v := range s.Keywords {
			attrs = append(attrs, temporal.NewSearchAttributeKeyKeyword(k).ValueSet(v))
		}
		_, err := a.Temporal.SignalWithStartWorkflow(ctx, s.WorkflowID, s.Signal, s.SignalArg, client.StartWorkflowOptions{
			ID:                    s.WorkflowID,
			TaskQueue:             a.TaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(attrs...),
			StaticSummary:         s.Summary,
			StaticDetails:         s.Details,
			Memo:                  s.Memo,
		}, s.Workflow, s.Input)
		if err != nil {
			return out, fmt.Errorf("signal-with-start %s: %w", s.WorkflowID, err)
		}
		out.Started++
	}
	for _, s := range in.Signals {
		running, err := a.signal(ctx, s)
		switch {
		case err != nil:
			return out, err
		case running:
			out.Signaled++
		default:
			out.NotRunning++
		}
	}
	return out, nil
}

// signal sends one signal; running is false when the workflow has closed
// (or never started), which is no error: a verdict for a policy whose
// Remediation is gone has nobody to tell.
func (a *Activities) signal(ctx context.Context, s SignalRequest) (running bool, err error) {
	err = a.Temporal.SignalWorkflow(ctx, s.WorkflowID, "", s.Signal, s.Arg)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("signal %s %s: %w", s.Signal, s.WorkflowID, err)
	}
	return true, nil
}

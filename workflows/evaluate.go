package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/events"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/summary"
)

// a is the activity set, referred to by method so the compiler checks names.
var a *activities.Activities

// Evaluate is the single evaluator of one resource (ID EvaluateID(arn)).
// Starters reach it only through SignalWithStart with SignalChanged, so a
// storm of N events costs one running pass plus one more, and the last
// state is always the one evaluated.
func Evaluate(ctx workflow.Context, in contract.EvaluateInput) (contract.EvaluateResult, error) {
	e := &evaluation{ref: in.Ref, settle: in.Settle, pending: in.Pending, result: contract.EvaluateResult{Passes: in.Passes}, gen: in.Generation}
	e.changes = workflow.GetSignalChannel(ctx, contract.SignalChanged)
	if !in.StartedWithAttributes {
		if err := workflow.UpsertTypedSearchAttributes(ctx,
			contract.AttrResource.ValueSet(in.Ref.ARN), contract.AttrAccount.ValueSet(in.Ref.Account)); err != nil {
			return e.result, fmt.Errorf("upsert search attributes: %w", err)
		}
	}
	return e.run(ctx, in)
}

type evaluation struct {
	ref     resource.Ref
	settle  time.Duration
	changes workflow.ReceiveChannel
	pending []contract.Change
	result  contract.EvaluateResult
	// gen is the run's code generation (contract.Generation): from 1 on,
	// the changes it includes are taken without GetVersion.
	gen int
}

// since says whether a change guarded by changeID is on in this run: taken
// as given from generation gen on, asked of GetVersion (a marker and an
// upsert) in older runs.
func since(ctx workflow.Context, runGen, gen int, changeID string) bool {
	if runGen >= gen {
		return true
	}
	return workflow.GetVersion(ctx, changeID, workflow.DefaultVersion, 1) != workflow.DefaultVersion
}

func (e *evaluation) run(ctx workflow.Context, in contract.EvaluateInput) (contract.EvaluateResult, error) {
	// A first run always evaluates; a continued run only if it carried
	// changes over.
	first := in.Passes == 0 || len(in.Pending) > 0
	for {
		if e.settle > 0 && (first || e.changes.Len() > 0) {
			if err := e.quiet(ctx); err != nil {
				return e.result, err
			}
		}
		e.drain()
		if len(e.pending) == 0 && !first {
			return e.result, nil
		}
		first = false
		last := contract.Change{Source: "direct"}
		if n := len(e.pending); n > 0 {
			last = e.pending[n-1]
		}
		e.result.Changes += len(e.pending)
		e.pending = nil
		if err := e.pass(ctx, last); err != nil {
			return e.result, e.giveUp(ctx, last, err)
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			e.drain()
			return e.result, workflow.NewContinueAsNewError(ctx, Evaluate,
				contract.EvaluateInput{Ref: e.ref, Pending: e.pending, Passes: e.result.Passes, Settle: e.settle, Generation: e.gen})
		}
	}
}

// maxSettleFactor bounds the wait for a quiet moment: a resource changed
// without pause is still evaluated every maxSettleFactor*settle.
const maxSettleFactor = 10

// quiet waits until no change has arrived for one settle period. A single
// fixed sleep was not enough: a burst longer than settle (a starter working
// through a backlog delivers one resource's events over seconds) split into
// three or more passes. Versioned, because runs recorded before it slept
// exactly once.
func (e *evaluation) quiet(ctx workflow.Context) error {
	if !since(ctx, e.gen, 1, versionSettleUntilQuiet) {
		return workflow.Sleep(ctx, e.settle)
	}
	for range maxSettleFactor {
		seen := e.changes.Len()
		if err := workflow.Sleep(ctx, e.settle); err != nil {
			return err
		}
		if e.changes.Len() == seen {
			return nil
		}
	}
	return nil
}

// giveUp makes a pass that failed for good visible, and keeps what it was
// for. The starter deleted the event from the queue once it reached this
// workflow, so failing the run alone would lose the violation until the
// next change or sweep. Instead the run sets RectifyState to
// StateEvaluationFailed and has the EvaluationFailed activity count it and
// put the last change on the dead-letter queue, from which `rectify dlq
// redrive` sends it back to the event queue; then it fails with err.
// Versioned: runs recorded before it failed at once.
func (e *evaluation) giveUp(ctx workflow.Context, last contract.Change, err error) error {
	if temporal.IsCanceledError(err) {
		return err // cancelled by a human: nothing to keep
	}
	if !since(ctx, e.gen, 1, versionEvaluationGiveUp) {
		return err
	}
	// Changes that arrived during the failed pass are lost with the run
	// too; the newest stands for them all, since a pass reads live state.
	e.drain()
	if n := len(e.pending); n > 0 {
		last = e.pending[n-1]
		e.result.Changes += n
		e.pending = nil
	}
	if uerr := workflow.UpsertTypedSearchAttributes(ctx, contract.AttrState.ValueSet(contract.StateEvaluationFailed)); uerr != nil {
		return fmt.Errorf("%w (and upsert state %s: %v)", err, contract.StateEvaluationFailed, uerr)
	}
	in := activities.EvaluationFailedInput{
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Ref: e.ref,
		Change: events.RequeuedChange(last), ErrorType: errorType(err), Reason: err.Error(), FailedAt: workflow.Now(ctx),
	}
	what := "keep the trigger of " + summary.Name(e.ref) + " on the dead-letter queue: " + err.Error()
	if aerr := workflow.ExecuteActivity(withSummary(changeOptions(ctx), what), a.EvaluationFailed, in).Get(ctx, nil); aerr != nil {
		workflow.GetLogger(ctx).Error("evaluation gave up and its trigger could not be put on the dead-letter queue",
			"resource", e.ref.ARN, "change", last, "err", aerr)
		return fmt.Errorf("%w (its trigger could not be put on the dead-letter queue: %v)", err, aerr)
	}
	return fmt.Errorf("%w (trigger kept on the dead-letter queue)", err)
}

// errorType is the error type of an activity failure: the application
// error's type (an AWS error code), awserr.TypeTimeout when the retries ran
// out of time, or "".
func errorType(err error) string {
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return awserr.TypeTimeout
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return ""
}

// drain takes every change signal already delivered, without blocking.
func (e *evaluation) drain() {
	for {
		var c contract.Change
		if !e.changes.ReceiveAsync(&c) {
			return
		}
		e.pending = append(e.pending, c)
	}
}

// pass reads and judges the live resource once, then hands each verdict
// to the Remediation workflow that owns it.
func (e *evaluation) pass(ctx workflow.Context, change contract.Change) error {
	e.result.Passes++
	key := fmt.Sprintf("%s/%d", workflow.GetInfo(ctx).WorkflowExecution.RunID, e.result.Passes)
	// From generation 1 the read hands passing verdicts on itself, so a
	// pass that finds no violation ends with its read.
	in := activities.EvaluateResourceInput{Ref: e.ref}
	if e.gen >= 1 {
		in.HandOn = &contract.Recheck{Key: key, Change: change}
	}
	var out activities.EvaluateResourceOutput
	what := fmt.Sprintf("read %s %s and judge it (pass %d)", summary.Noun(e.ref), summary.Name(e.ref), e.result.Passes)
	if in.HandOn != nil {
		what += ", and tell open violations of the policies it passes"
	}
	if err := workflow.ExecuteActivity(withSummary(readOptions(ctx), what), a.EvaluateResource, in).Get(ctx, &out); err != nil {
		return fmt.Errorf("evaluate %s: %w", e.ref.ARN, err)
	}
	e.result.Violations = len(out.Violations)

	ns := workflow.GetInfo(ctx).Namespace
	workflow.SetCurrentDetails(ctx, summary.EvaluateCurrent(ns, e.ref, summary.EvaluatePass{
		Pass: e.result.Passes, At: workflow.Now(ctx), Change: change, Exists: out.Exists, Violations: out.Violations, Passing: out.Passing,
	}))

	var d activities.DispatchInput
	for _, v := range out.Violations {
		if v.Settings.Mode == contract.ModeOff {
			continue
		}
		id := contract.RemediationID(v.PolicyID, e.ref.ARN)
		planned := plannedAction(v)
		d.Starts = append(d.Starts, activities.StartRequest{
			Summary: summary.Remediation(v, planned),
			Details: summary.RemediationDetails(summary.RemediationPage{
				Namespace: ns, WorkflowID: id, Ref: e.ref, Violation: v, Change: change, Planned: planned,
			}),
			Memo:       map[string]any{contract.MemoAction: planned},
			WorkflowID: id,
			Workflow:   contract.RemediationWorkflow,
			Signal:     contract.SignalRecheck,
			SignalArg:  contract.Recheck{Key: key, Violating: true, Message: v.Message, Params: v.Params, Change: change},
			Input: contract.RemediationInput{Ref: e.ref, Name: out.Name, Violation: v, Change: change,
				StartedWithAttributes: true, Generation: contract.Generation},
			Keywords: map[string]string{
				contract.AttrPolicy.GetName():   v.PolicyID,
				contract.AttrResource.GetName(): e.ref.ARN,
				contract.AttrAccount.GetName():  e.ref.Account,
				contract.AttrSeverity.GetName(): v.Severity,
				contract.AttrState.GetName():    contract.StateNew,
			},
		})
	}
	// Before generation 1 Dispatch handed passing verdicts on; it still
	// does when the read ran on a worker too old to know HandOn (a rolling
	// upgrade), so no verdict is lost on the way.
	if in.HandOn == nil || !out.HandedOn {
		for _, policyID := range out.Passing {
			d.Signals = append(d.Signals, activities.SignalRequest{
				WorkflowID: contract.RemediationID(policyID, e.ref.ARN),
				Signal:     contract.SignalRecheck,
				Arg:        contract.Recheck{Key: key, Violating: false, Deleted: !out.Exists, Change: change},
			})
		}
	}
	if len(d.Starts) == 0 && len(d.Signals) == 0 {
		return nil
	}
	what = fmt.Sprintf("hand on %d violation(s) and %d passing verdict(s) of %s", len(d.Starts), len(d.Signals), summary.Name(e.ref))
	if err := workflow.ExecuteActivity(withSummary(readOptions(ctx), what), a.Dispatch, d).Get(ctx, nil); err != nil {
		return fmt.Errorf("dispatch verdicts for %s: %w", e.ref.ARN, err)
	}
	return nil
}

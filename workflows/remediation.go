package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/resource"
)

// States of a violation, as RectifyState shows them in the Temporal UI.
const (
	StateNew              = "New"
	StateSuppressed       = "Suppressed"
	StateNotified         = "Notified"
	StateAwaitingApproval = "AwaitingApproval"
	StateApproved         = "Approved"
	StateRejected         = "Rejected"
	StateExpired          = "Expired"
	StateRemediating      = "Remediating"
	StateResolved         = "Resolved"
	StateFailed           = "Failed"
	StateEscalated        = "Escalated"
	// StateClosed: the violation went away without us (fixed by someone
	// else, or the resource was deleted).
	StateClosed = "Closed"
)

// verifyAttempts bounds how often a fix is re-read before it counts as
// failed; the backoff between reads covers eventual consistency.
const verifyAttempts = 5

// RemediationInput starts the handling of one violation
// (ID RemediationID(policy, arn)).
type RemediationInput struct {
	Ref       resource.Ref         `json:"ref"`
	Name      string               `json:"name"`
	Violation activities.Violation `json:"violation"`
	// Change is what made the violation visible.
	Change Change `json:"change"`
	// Carry is the state handed over by continue-as-new; nil on a first run.
	Carry *Carry `json:"carry,omitempty"`
}

// Carry is what survives a continue-as-new during the watch window.
type Carry struct {
	State        string                `json:"state"`
	DetectedAt   time.Time             `json:"detected_at"`
	WatchUntil   time.Time             `json:"watch_until"`
	Remediations int                   `json:"remediations"`
	Snapshots    []activities.Snapshot `json:"snapshots"`
	Thread       string                `json:"thread"`
	DecidedBy    string                `json:"decided_by"`
	Reason       string                `json:"reason"`
	Seen         []string              `json:"seen"`
	History      []Transition          `json:"history"`
}

// RemediationResult is how a violation ended.
type RemediationResult struct {
	State        string                `json:"state"`
	Remediations int                   `json:"remediations"`
	Snapshots    []activities.Snapshot `json:"snapshots"`
	DecidedBy    string                `json:"decided_by,omitempty"`
	Reason       string                `json:"reason,omitempty"`
}

// Recheck is the latest verdict of the policy from Evaluate.
type Recheck struct {
	// Key identifies the evaluation pass, so a retried dispatch counts once.
	Key       string `json:"key"`
	Violating bool   `json:"violating"`
	Deleted   bool   `json:"deleted,omitempty"`
	Message   string `json:"message,omitempty"`
	Change    Change `json:"change"`
}

// Decision is the argument of UpdateDecide.
type Decision struct {
	Approve bool   `json:"approve"`
	User    string `json:"user"`
	Reason  string `json:"reason,omitempty"`
}

// DecisionResult is what UpdateDecide returns to the caller.
type DecisionResult struct {
	State   string `json:"state"`
	Message string `json:"message"`
}

// Transition is one entry of a violation's story.
type Transition struct {
	State  string    `json:"state"`
	At     time.Time `json:"at"`
	Detail string    `json:"detail,omitempty"`
}

// Status is what QueryStatus returns.
type Status struct {
	State        string       `json:"state"`
	PolicyID     string       `json:"policy_id"`
	Resource     string       `json:"resource"`
	Mode         string       `json:"mode"`
	Remediations int          `json:"remediations"`
	DecidedBy    string       `json:"decided_by,omitempty"`
	Reason       string       `json:"reason,omitempty"`
	History      []Transition `json:"history"`
}

// Remediation carries one violation from detection to a verified fix, a
// human decision, or an escalation, then watches for recurrence.
func Remediation(ctx workflow.Context, in RemediationInput) (RemediationResult, error) {
	r := newRemediation(ctx, in)
	if err := r.setup(ctx); err != nil {
		return r.result(), err
	}
	return r.run(ctx)
}

type remediation struct {
	in      RemediationInput
	v       activities.Violation
	log     log.Logger
	Carry   // the durable part, handed over by continue-as-new
	resumed bool

	decision    *Decision
	fixedBy     *Recheck  // set when the policy passes while we wait
	recurrences []Recheck // violating rechecks during the watch
	watching    bool
}

func newRemediation(ctx workflow.Context, in RemediationInput) *remediation {
	r := &remediation{in: in, v: in.Violation, log: workflow.GetLogger(ctx)}
	if in.Carry != nil {
		r.Carry = *in.Carry
		r.resumed = true
	} else {
		r.DetectedAt = workflow.GetInfo(ctx).WorkflowStartTime
	}
	return r
}

// setup registers the handlers before anything can block, so no signal or
// update is ever delivered to a workflow that cannot take it.
func (r *remediation) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (Status, error) {
		return Status{
			State: r.State, PolicyID: r.v.PolicyID, Resource: r.in.Ref.ARN, Mode: r.v.Settings.Mode,
			Remediations: r.Remediations, DecidedBy: r.DecidedBy, Reason: r.Reason, History: r.History,
		}, nil
	}); err != nil {
		return fmt.Errorf("register query: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDecide, r.decide,
		workflow.UpdateHandlerOptions{Validator: r.validateDecision}); err != nil {
		return fmt.Errorf("register update: %w", err)
	}
	rechecks := workflow.GetSignalChannel(ctx, SignalRecheck)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var c Recheck
			rechecks.Receive(ctx, &c)
			r.onRecheck(c)
		}
	})
	if r.State == "" {
		r.State = StateNew
	}
	return workflow.UpsertTypedSearchAttributes(ctx,
		AttrPolicy.ValueSet(r.v.PolicyID), AttrResource.ValueSet(r.in.Ref.ARN),
		AttrAccount.ValueSet(r.in.Ref.Account), AttrSeverity.ValueSet(r.v.Severity),
		AttrState.ValueSet(r.State))
}

func (r *remediation) run(ctx workflow.Context) (RemediationResult, error) {
	if !r.resumed {
		done, err := r.act(ctx)
		if err != nil || done {
			return r.finish(ctx, err)
		}
	}
	return r.finish(ctx, r.watch(ctx))
}

// act runs the steps up to the first fix. It returns done when there is
// nothing to watch for (suppressed, dry run, rejected, failed).
func (r *remediation) act(ctx workflow.Context) (done bool, err error) {
	if err := r.record(ctx, activities.FindingNew, r.v.Message); err != nil {
		return true, err
	}
	if r.v.Exemption.Exempt {
		r.Reason = r.v.Exemption.Reason
		if err := r.setState(ctx, StateSuppressed, r.v.Exemption.Reason); err != nil {
			return true, err
		}
		return true, r.record(ctx, activities.FindingSuppressed, "exempt: "+r.v.Exemption.Reason)
	}
	mode := r.v.Settings.Mode
	if !r.hasAction() {
		// A policy without a safe automatic fix can only tell humans.
		mode = config.ModeNotify
	}
	switch mode {
	case config.ModeNotify:
		if err := r.setState(ctx, StateNotified, "dry run: would "+r.planned()); err != nil {
			return true, err
		}
		return true, r.record(ctx, activities.FindingNotified, "dry run: would "+r.planned())
	case config.ModeApprove:
		proceed, err := r.awaitDecision(ctx)
		if err != nil || !proceed {
			return true, err
		}
	case config.ModeEnforce:
	default:
		return true, fmt.Errorf("policy %s: mode %q cannot remediate", r.v.PolicyID, r.v.Settings.Mode)
	}
	fixed, err := r.remediate(ctx)
	return !fixed, err
}

// awaitDecision asks for approval and waits for the decide update, the
// approval timeout, or the violation going away by itself.
func (r *remediation) awaitDecision(ctx workflow.Context) (proceed bool, err error) {
	if err := r.setState(ctx, StateAwaitingApproval, "approve to "+r.planned()); err != nil {
		return false, err
	}
	timeout := r.v.Settings.ApprovalTimeout
	if _, err := workflow.AwaitWithTimeout(ctx, timeout, func() bool { return r.decision != nil || r.fixedBy != nil }); err != nil {
		return false, fmt.Errorf("await decision: %w", err)
	}
	switch {
	case r.decision != nil && r.decision.Approve:
		r.DecidedBy = r.decision.User
		return true, r.setState(ctx, StateApproved, "approved by "+r.decision.User)
	case r.decision != nil:
		r.DecidedBy, r.Reason = r.decision.User, r.decision.Reason
		note := "rejected by " + r.decision.User
		if r.Reason != "" {
			note += ": " + r.Reason
		}
		if err := r.setState(ctx, StateRejected, note); err != nil {
			return false, err
		}
		return false, r.record(ctx, activities.FindingNotified, note)
	case r.fixedBy != nil:
		return false, r.closeFixedElsewhere(ctx, *r.fixedBy)
	case r.v.Settings.TimeoutAction == config.TimeoutRemediate:
		r.DecidedBy = "timeout"
		return true, r.setState(ctx, StateApproved, fmt.Sprintf("no decision within %s: remediating by policy default", timeout))
	default:
		note := fmt.Sprintf("no decision within %s: left unremediated by policy default", timeout)
		if err := r.setState(ctx, StateExpired, note); err != nil {
			return false, err
		}
		return false, r.record(ctx, activities.FindingNotified, note)
	}
}

func (r *remediation) closeFixedElsewhere(ctx workflow.Context, c Recheck) error {
	note := "policy passes again without rectify"
	if c.Deleted {
		note = "resource was deleted"
	}
	if c.Change.Actor != "" {
		note += " (last change by " + c.Change.Actor + ")"
	}
	if err := r.setState(ctx, StateClosed, note); err != nil {
		return err
	}
	return r.record(ctx, activities.FindingResolved, note)
}

// remediate snapshots, applies and verifies the fix once. fixed is false
// when it failed (recorded as such).
func (r *remediation) remediate(ctx workflow.Context) (fixed bool, err error) {
	if err := r.setState(ctx, StateRemediating, r.planned()); err != nil {
		return false, err
	}
	act := activities.ActionInput{Action: r.v.Remediation, Ref: r.in.Ref, Params: r.v.Params}
	var snap activities.Snapshot
	if err := workflow.ExecuteActivity(changeOptions(ctx), a.Snapshot, act).Get(ctx, &snap); err != nil {
		return false, r.fail(ctx, fmt.Sprintf("snapshot before %s: %v", r.v.Remediation, err))
	}
	var applied activities.ApplyOutput
	if err := workflow.ExecuteActivity(changeOptions(ctx), a.Apply, act).Get(ctx, &applied); err != nil {
		return false, r.fail(ctx, fmt.Sprintf("apply %s: %v", r.v.Remediation, err))
	}
	if applied.Changed {
		// Only real changes count against the flap budget: a fix that finds
		// the resource already fixed is an echo of a stale evaluation.
		r.Remediations++
		r.Snapshots = append(r.Snapshots, snap)
	}
	ok, err := r.verify(ctx)
	if err != nil {
		return false, r.fail(ctx, fmt.Sprintf("verify %s: %v", r.v.PolicyID, err))
	}
	if !ok {
		return false, r.fail(ctx, fmt.Sprintf("%s still fails after %s (%d reads)", r.v.PolicyID, r.v.Remediation, verifyAttempts))
	}
	if err := r.setState(ctx, StateResolved, applied.Summary); err != nil {
		return true, err
	}
	return true, r.record(ctx, activities.FindingResolved, "remediated: "+applied.Summary)
}

// verify re-reads and re-evaluates this policy, with backoff between reads.
func (r *remediation) verify(ctx workflow.Context) (bool, error) {
	in := activities.VerifyInput{Ref: r.in.Ref, PolicyID: r.v.PolicyID}
	wait := time.Second
	for attempt := 1; ; attempt++ {
		var out activities.VerifyOutput
		if err := workflow.ExecuteActivity(readOptions(ctx), a.VerifyPolicy, in).Get(ctx, &out); err != nil {
			return false, err
		}
		if !out.Violating {
			return true, nil
		}
		if attempt == verifyAttempts {
			return false, nil
		}
		if err := workflow.Sleep(ctx, wait); err != nil {
			return false, err
		}
		wait *= 2
	}
}

func (r *remediation) fail(ctx workflow.Context, note string) error {
	r.Reason = note
	if err := r.setState(ctx, StateFailed, note); err != nil {
		return err
	}
	return r.record(ctx, activities.FindingFailed, note)
}

// watch stays open for the watch window. A recurrence is fixed again until
// the budget is spent; then something is fighting us (IaC, a person,
// another tool), so the violation is escalated to humans instead.
func (r *remediation) watch(ctx workflow.Context) error {
	r.watching = true
	if r.WatchUntil.IsZero() {
		r.WatchUntil = workflow.Now(ctx).Add(r.v.Settings.WatchWindow)
	}
	for {
		remaining := r.WatchUntil.Sub(workflow.Now(ctx))
		if remaining <= 0 {
			return nil
		}
		got, err := workflow.AwaitWithTimeout(ctx, remaining, func() bool { return len(r.recurrences) > 0 })
		if err != nil {
			return fmt.Errorf("watch: %w", err)
		}
		if !got {
			return nil
		}
		c := r.recurrences[len(r.recurrences)-1]
		r.recurrences = nil
		if r.State == StateEscalated {
			continue
		}
		if r.Remediations >= r.v.Settings.MaxRemediations {
			note := fmt.Sprintf("violation came back after %d remediations within %s; auto-remediation stopped", r.Remediations, r.v.Settings.WatchWindow)
			if c.Change.Actor != "" {
				note += "; last change by " + c.Change.Actor
			}
			if err := r.setState(ctx, StateEscalated, note); err != nil {
				return err
			}
			if err := r.record(ctx, activities.FindingNotified, note); err != nil {
				return err
			}
			continue
		}
		if _, err := r.remediate(ctx); err != nil {
			return err
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return r.continueAsNew(ctx)
		}
	}
}

func (r *remediation) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	carry := r.Carry
	in := r.in
	in.Carry = &carry
	return workflow.NewContinueAsNewError(ctx, Remediation, in)
}

// finish waits for in-flight update handlers, so a caller never sees its
// update dropped by a completing workflow.
func (r *remediation) finish(ctx workflow.Context, err error) (RemediationResult, error) {
	var can *workflow.ContinueAsNewError
	if errors.As(err, &can) {
		return r.result(), err
	}
	if werr := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); werr != nil && err == nil {
		err = werr
	}
	return r.result(), err
}

func (r *remediation) result() RemediationResult {
	return RemediationResult{State: r.State, Remediations: r.Remediations, Snapshots: r.Snapshots, DecidedBy: r.DecidedBy, Reason: r.Reason}
}

func (r *remediation) onRecheck(c Recheck) {
	if c.Key != "" {
		if slices.Contains(r.Seen, c.Key) {
			return
		}
		// Keep the last few keys: retried dispatches arrive close together.
		r.Seen = append(r.Seen, c.Key)
		if len(r.Seen) > 32 {
			r.Seen = r.Seen[len(r.Seen)-32:]
		}
	}
	switch {
	case !c.Violating && r.State == StateAwaitingApproval:
		r.fixedBy = &c
	case c.Violating && r.watching:
		r.recurrences = append(r.recurrences, c)
	}
}

func (r *remediation) validateDecision(ctx workflow.Context, d Decision) error {
	if d.User == "" {
		return errors.New("decision needs the deciding user")
	}
	if !slices.Contains(r.v.Settings.Approvers, d.User) {
		return fmt.Errorf("%s is not an approver of %s", d.User, r.v.PolicyID)
	}
	if r.State != StateAwaitingApproval || r.decision != nil {
		by := ""
		if r.DecidedBy != "" {
			by = " by " + r.DecidedBy
		}
		return fmt.Errorf("not awaiting approval: already %s%s", r.State, by)
	}
	return nil
}

func (r *remediation) decide(ctx workflow.Context, d Decision) (DecisionResult, error) {
	r.decision = &d
	if d.Approve {
		return DecisionResult{State: StateApproved, Message: "approved by " + d.User + ": " + r.planned()}, nil
	}
	return DecisionResult{State: StateRejected, Message: "rejected by " + d.User}, nil
}

// setState is the one place state changes: the field, the search attribute
// and the notification move together, so the Temporal UI and the message
// humans read never disagree with the workflow.
func (r *remediation) setState(ctx workflow.Context, state, detail string) error {
	r.State = state
	r.History = append(r.History, Transition{State: state, At: workflow.Now(ctx), Detail: detail})
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrState.ValueSet(state)); err != nil {
		return fmt.Errorf("upsert state %s: %w", state, err)
	}
	r.log.Info("violation state", "policy", r.v.PolicyID, "resource", r.in.Ref.ARN, "state", state, "detail", detail)
	n := activities.Notification{
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		State:      state, PolicyID: r.v.PolicyID, Title: r.v.Title, Severity: r.v.Severity,
		Ref: r.in.Ref, Message: r.v.Message, Detail: detail,
		Actor: r.in.Change.Actor, EventName: r.in.Change.EventName,
		AskApproval: state == StateAwaitingApproval, Thread: r.Thread,
	}
	var out activities.NotifyOutput
	if err := workflow.ExecuteActivity(recordOptions(ctx), a.Notify, n).Get(ctx, &out); err != nil {
		return fmt.Errorf("notify %s: %w", state, err)
	}
	if out.Thread != "" {
		r.Thread = out.Thread
	}
	return nil
}

func (r *remediation) record(ctx workflow.Context, status, note string) error {
	f := activities.FindingInput{
		PolicyID: r.v.PolicyID, Title: r.v.Title, Description: r.v.Message, Severity: r.v.Severity,
		Controls: r.v.Controls, Ref: r.in.Ref, Status: status, Note: note,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, DetectedAt: r.DetectedAt,
	}
	if err := workflow.ExecuteActivity(recordOptions(ctx), a.RecordFinding, f).Get(ctx, nil); err != nil {
		return fmt.Errorf("record finding %s: %w", status, err)
	}
	return nil
}

// planned says in plain words what the remediation will do.
func (r *remediation) planned() string {
	if !r.hasAction() {
		return "notify only (no automatic remediation for " + r.v.PolicyID + ")"
	}
	return activities.Describe(r.v.Remediation, r.v.Params)
}

func (r *remediation) hasAction() bool {
	return r.v.Remediation != "" && r.v.Remediation != "none"
}

// States lists every state, for help texts and validation.
var States = []string{
	StateNew, StateSuppressed, StateNotified, StateAwaitingApproval, StateApproved, StateRejected,
	StateExpired, StateRemediating, StateResolved, StateFailed, StateEscalated, StateClosed,
}

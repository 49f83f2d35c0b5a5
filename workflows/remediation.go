package workflows

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/events"
	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/internal/summary"
)

// verifyAttempts bounds how often a fix is re-read before it counts as
// failed; the backoff between reads covers eventual consistency.
const verifyAttempts = 5

func refuse(errType, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), errType, nil)
}

// approver reports whether user, or the group it decides through, may decide.
func (r *remediation) approver(user, via string) bool {
	return slices.Contains(r.v.Settings.Approvers, user) || (via != "" && slices.Contains(r.v.Settings.Approvers, via))
}

// Remediation carries one violation from detection to a verified fix, a
// human decision, or an escalation, then watches for recurrence.
func Remediation(ctx workflow.Context, in contract.RemediationInput) (contract.RemediationResult, error) {
	r := newRemediation(ctx, in)
	if err := r.setup(ctx); err != nil {
		return r.result(), err
	}
	return r.run(ctx)
}

type remediation struct {
	id             string
	in             contract.RemediationInput
	v              contract.Violation
	log            log.Logger
	contract.Carry // the durable part, handed over by continue-as-new
	resumed        bool

	decision    *contract.Decision
	undo        *contract.UndoRequest
	undoDone    bool
	fixedBy     *contract.Recheck  // set when the policy passes while we wait
	recurrences []contract.Recheck // violating rechecks during the watch
	// early is the last violating recheck that came before the watch began
	// (during the approval wait, the fix, its verification or its finding
	// write) from another change than the one that started us. It may be a
	// recurrence the watch must not miss, or an echo of the state before
	// the fix: the watch re-reads to tell which.
	early    *contract.Recheck
	rechecks workflow.ReceiveChannel
	watching bool
	// recording is the finding write still in flight (see record); the
	// next write waits for it, so Security Hub sees the statuses in order.
	recording       workflow.Future
	recordingStatus string

	// deadline is when the approval being awaited times out.
	deadline time.Time
	// snoozedUntil is the end of a rejection's snooze, while it lasts;
	// changedAgain is a violating recheck from a real change of the
	// resource during it, which asks again; reasked says why an ask is a
	// second one.
	snoozedUntil time.Time
	changedAgain *contract.Recheck
	reasked      string
	// auditing are the audit-trail writes still in flight: unlike findings
	// they need no order (each has its own key), so none waits for
	// another, and the end of the run waits for them all (see audit).
	auditing []workflow.Future
	auditErr error
	// next is who makes the coming state change, and the exemption it
	// brings, for its audit record; setState takes and clears it.
	next stateChange
}

// stateChange is what the audit record of a state change says beyond the
// workflow's own fields.
type stateChange struct {
	actor     string
	exemption *audit.Exemption
}

func newRemediation(ctx workflow.Context, in contract.RemediationInput) *remediation {
	r := &remediation{in: in, v: in.Violation, log: workflow.GetLogger(ctx), id: workflow.GetInfo(ctx).WorkflowExecution.ID}
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
	if err := workflow.SetQueryHandler(ctx, contract.QueryStatus, func() (contract.Status, error) {
		return r.status(), nil
	}); err != nil {
		return fmt.Errorf("register query: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, contract.UpdateDecide, r.decide,
		workflow.UpdateHandlerOptions{Validator: r.validateDecision}); err != nil {
		return fmt.Errorf("register update: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, contract.UpdateUndo, r.requestUndo,
		workflow.UpdateHandlerOptions{Validator: r.validateUndo}); err != nil {
		return fmt.Errorf("register undo update: %w", err)
	}
	// Rechecks wait in the channel until drained, never inside a blocked
	// Receive, so the drain before a continue-as-new sees every one.
	r.rechecks = workflow.GetSignalChannel(ctx, contract.SignalRecheck)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for workflow.Await(ctx, func() bool { return r.rechecks.Len() > 0 }) == nil {
			r.drainRechecks()
		}
	})
	if r.State == "" {
		r.State = contract.StateNew
	}
	if r.in.StartedWithAttributes && !r.resumed {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx,
		contract.AttrPolicy.ValueSet(r.v.PolicyID), contract.AttrResource.ValueSet(r.in.Ref.ARN),
		contract.AttrAccount.ValueSet(r.in.Ref.Account), contract.AttrSeverity.ValueSet(r.v.Severity),
		contract.AttrState.ValueSet(r.State))
}

func (r *remediation) run(ctx workflow.Context) (contract.RemediationResult, error) {
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
	if r.in.Generation >= 1 {
		// Generation 1 was cut at versionFindingsQueued: taken as given,
		// without a marker and an upsert per run.
		r.Version = versionFindingsQueued
	} else {
		r.Version = workflow.GetVersion(ctx, versionRecordNewBesideFix, workflow.DefaultVersion, maxRemediationVersion)
	}
	if r.audits() {
		r.audit(ctx, contract.StateNew, 0, r.DetectedAt, r.v.Message, changeActor(r.in.Change))
	}
	if r.Version >= versionNewBesideFix {
		// The NEW finding waits for its BatchImportFindings batch (up to
		// aws.findings_batch_max_delay); the fix must not wait with it.
		r.recording, r.recordingStatus = r.startRecord(ctx, activities.FindingNew, r.v.Message), activities.FindingNew
	} else if err := r.record(ctx, activities.FindingNew, r.v.Message); err != nil {
		return true, err
	}
	if e := r.v.Exemption; e.Exempt {
		r.Reason = e.Reason
		if err := r.record(ctx, activities.FindingSuppressed, "exempt: "+e.Reason); err != nil {
			return true, err
		}
		// A config rule always names its owner; a tag never does.
		source := audit.ExemptByTag
		if e.Owner != "" {
			source = audit.ExemptByConfig
		}
		r.next.exemption = &audit.Exemption{Source: source, Reason: e.Reason, Owner: e.Owner, Until: e.Until}
		return true, r.setState(ctx, contract.StateSuppressed, e.Reason)
	}
	// A policy without a safe automatic fix can only tell humans.
	switch r.mode() {
	case contract.ModeNotify:
		note := "dry run: would " + r.planned()
		if r.v.Settings.Observed() {
			note = r.observedNote()
		}
		if err := r.record(ctx, activities.FindingNotified, note); err != nil {
			return true, err
		}
		return true, r.setState(ctx, contract.StateNotified, note)
	case contract.ModeApprove:
		proceed, err := r.askUntilDecided(ctx)
		if err != nil || !proceed {
			return true, err
		}
	case contract.ModeEnforce:
		r.decided(ctx, contract.DecisionAuto)
	default:
		return true, fmt.Errorf("policy %s: mode %q cannot remediate", r.v.PolicyID, r.v.Settings.Mode)
	}
	fixed, err := r.remediate(ctx)
	return !fixed, err
}

// askUntilDecided asks for approval; a rejection snoozes the violation
// (from versionSnoozeOnReject on), and a real change of the resource
// during the snooze asks again.
func (r *remediation) askUntilDecided(ctx workflow.Context) (proceed bool, err error) {
	for {
		proceed, err := r.awaitDecision(ctx)
		if err != nil || proceed {
			return proceed, err
		}
		if r.State != contract.StateRejected || r.Version < versionSnoozeOnReject || r.v.Settings.RejectSnooze <= 0 {
			return false, nil
		}
		again, err := r.snooze(ctx)
		if err != nil || !again {
			return false, err
		}
	}
}

// snooze keeps a rejected violation open for Settings.RejectSnooze, so
// the next sweeps do not ask again what a person just refused: their
// rechecks are absorbed. The policy passing closes it, and a violating
// recheck from a real change of the resource (a CloudTrail or Config
// event, not a sweep or a Security Hub re-import) asks again at once,
// with what is there now. again is false when the snooze ended without.
func (r *remediation) snooze(ctx workflow.Context) (again bool, err error) {
	got, err := workflow.AwaitWithTimeout(ctx, r.snoozedUntil.Sub(workflow.Now(ctx)), func() bool {
		return r.changedAgain != nil || r.fixedBy != nil
	})
	r.snoozedUntil = time.Time{}
	if err != nil {
		return false, fmt.Errorf("snooze: %w", err)
	}
	switch {
	case !got:
		r.details(ctx)
		return false, nil
	case r.fixedBy != nil:
		return false, r.closeFixedElsewhere(ctx, *r.fixedBy)
	}
	c := *r.changedAgain
	r.changedAgain, r.decision, r.early = nil, nil, nil
	if c.Params != nil {
		r.v.Params, r.v.Message = c.Params, c.Message
	}
	r.in.Change = c.Change
	r.reasked = "changed again (" + summary.ChangeText(c.Change) + ") after the rejection by " + r.DecidedBy + ": "
	return true, nil
}

// startSnooze opens the snooze of a rejection (when the settings have
// one): from here on a recheck is taken as snooze() reads it.
func (r *remediation) startSnooze(ctx workflow.Context) error {
	if r.v.Settings.RejectSnooze <= 0 {
		return nil
	}
	r.fixedBy, r.changedAgain = nil, nil
	r.snoozedUntil = workflow.Now(ctx).Add(r.v.Settings.RejectSnooze)
	if err := workflow.UpsertMemo(ctx, map[string]any{contract.MemoSnoozedUntil: r.snoozedUntil}); err != nil {
		return fmt.Errorf("upsert snooze: %w", err)
	}
	return nil
}

// resourceChanged says whether a change is a real change of the resource,
// as opposed to a sweep or a re-import of a finding that only restate it.
func resourceChanged(c contract.Change) bool {
	return c.Source == events.SourceCloudTrail || c.Source == events.SourceConfig
}

// awaitDecision asks for approval and waits for the decide update, the
// approval timeout, or the violation going away by itself.
func (r *remediation) awaitDecision(ctx workflow.Context) (proceed bool, err error) {
	timeout := r.v.Settings.ApprovalTimeout
	asked := workflow.Now(ctx)
	r.deadline = asked.Add(timeout)
	if r.Version >= versionSnoozeOnReject {
		// Before the state, so a list that shows AwaitingApproval has it.
		if err := workflow.UpsertMemo(ctx, map[string]any{contract.MemoDeadline: r.deadline}); err != nil {
			return false, fmt.Errorf("upsert approval deadline: %w", err)
		}
	}
	if err := r.setState(ctx, contract.StateAwaitingApproval, r.reasked+"approve to "+r.planned()); err != nil {
		return false, err
	}
	r.reasked = ""
	if err := r.awaitWithNudges(ctx, timeout); err != nil {
		return false, err
	}
	r.deadline = time.Time{}
	r.timer(ctx, contract.TimerApprovalWait, workflow.Now(ctx).Sub(asked))
	switch {
	case r.decision != nil && r.decision.Approve:
		r.DecidedBy = r.decision.User
		r.decided(ctx, contract.DecisionApprove)
		r.next.actor = r.decision.User
		return true, r.setState(ctx, contract.StateApproved, "approved by "+r.decision.User)
	case r.decision != nil:
		r.DecidedBy, r.Reason = r.decision.User, r.decision.Reason
		r.decided(ctx, contract.DecisionReject)
		r.next.actor = r.decision.User
		note := "rejected by " + r.decision.User
		if r.Reason != "" {
			note += ": " + r.Reason
		}
		if r.Version >= versionSnoozeOnReject {
			// The state and the snooze first: the person who rejected reads
			// them back at once (rectify list, show), while the finding
			// write may wait for the one before it to leave its batch.
			if err := r.startSnooze(ctx); err != nil {
				return false, err
			}
			if err := r.setState(ctx, contract.StateRejected, note); err != nil {
				return false, err
			}
			return false, r.record(ctx, activities.FindingNotified, note)
		}
		if err := r.record(ctx, activities.FindingNotified, note); err != nil {
			return false, err
		}
		return false, r.setState(ctx, contract.StateRejected, note)
	case r.fixedBy != nil:
		return false, r.closeFixedElsewhere(ctx, *r.fixedBy)
	case r.v.Settings.TimeoutAction == contract.TimeoutRemediate:
		r.DecidedBy = "timeout"
		r.decided(ctx, contract.DecisionAuto)
		r.next.actor = audit.ActorTimeout
		return true, r.setState(ctx, contract.StateApproved, fmt.Sprintf("no decision within %s: remediating by policy default", timeout))
	case r.v.Settings.TimeoutAction == contract.TimeoutEscalate:
		note := fmt.Sprintf("no decision within %s: escalated", timeout)
		if m := r.v.Settings.EscalationMention; m != "" {
			note += " to " + m
		}
		if err := r.record(ctx, activities.FindingNotified, note); err != nil {
			return false, err
		}
		r.next.actor = audit.ActorTimeout
		return false, r.setState(ctx, contract.StateEscalated, note)
	default:
		note := fmt.Sprintf("no decision within %s: left unremediated by policy default", timeout)
		if err := r.record(ctx, activities.FindingNotified, note); err != nil {
			return false, err
		}
		r.next.actor = audit.ActorTimeout
		return false, r.setState(ctx, contract.StateExpired, note)
	}
}

// awaitWithNudges waits for a decision (or the violation going away) until
// timeout, posting the configured reminders and the escalation mention as
// thread replies on the way. All are durable timers.
func (r *remediation) awaitWithNudges(ctx workflow.Context, timeout time.Duration) error {
	type nudge struct {
		at   time.Duration
		text string
	}
	var nudges []nudge
	for _, d := range r.v.Settings.Reminders {
		if d > 0 && d < timeout {
			nudges = append(nudges, nudge{d, fmt.Sprintf("Reminder: still awaiting approval to %s (times out in %s)", r.planned(), timeout-d)})
		}
	}
	if before := r.v.Settings.EscalateBefore; before > 0 && before < timeout {
		mention := r.v.Settings.EscalationMention
		if mention == "" {
			mention = "@here"
		}
		nudges = append(nudges, nudge{timeout - before, fmt.Sprintf("%s: no decision yet; this approval times out in %s (then: %s)", mention, before, r.v.Settings.TimeoutAction)})
	}
	slices.SortStableFunc(nudges, func(a, b nudge) int { return int(a.at - b.at) })
	start := workflow.Now(ctx)
	decided := func() bool { return r.decision != nil || r.fixedBy != nil }
	for _, n := range nudges {
		wait := start.Add(n.at).Sub(workflow.Now(ctx))
		ok, err := workflow.AwaitWithTimeout(ctx, wait, decided)
		if err != nil {
			return fmt.Errorf("await decision: %w", err)
		}
		if ok {
			return nil
		}
		if err := r.reply(ctx, n.text); err != nil {
			return err
		}
	}
	if _, err := workflow.AwaitWithTimeout(ctx, start.Add(timeout).Sub(workflow.Now(ctx)), decided); err != nil {
		return fmt.Errorf("await decision: %w", err)
	}
	return nil
}

func (r *remediation) closeFixedElsewhere(ctx workflow.Context, c contract.Recheck) error {
	note := "policy passes again without rectify"
	if c.Deleted {
		note = "resource was deleted"
	}
	if c.Change.Actor != "" {
		note += " (last change by " + c.Change.Actor + ")"
	}
	if err := r.record(ctx, activities.FindingResolved, note); err != nil {
		return err
	}
	r.next.actor = changeActor(c.Change)
	return r.setState(ctx, contract.StateClosed, note)
}

// remediate snapshots, applies and verifies the fix once. fixed is false
// when it failed (recorded as such).
func (r *remediation) remediate(ctx workflow.Context) (fixed bool, err error) {
	if err := r.setState(ctx, contract.StateRemediating, r.planned()); err != nil {
		return false, err
	}
	act := activities.ActionInput{Action: r.v.Remediation, Ref: r.in.Ref, Params: r.v.Params}
	var snap contract.Snapshot
	if err := workflow.ExecuteActivity(withSummary(changeOptions(ctx), "snapshot before: "+r.planned()+r.on()), a.Snapshot, act).Get(ctx, &snap); err != nil {
		return false, r.fail(ctx, fmt.Sprintf("snapshot before %s: %v", r.v.Remediation, err))
	}
	var applied activities.ApplyOutput
	if err := workflow.ExecuteActivity(withSummary(changeOptions(ctx), r.planned()+r.on()), a.Apply, act).Get(ctx, &applied); err != nil {
		return false, r.fail(ctx, fmt.Sprintf("apply %s: %v", r.v.Remediation, err))
	}
	if applied.Changed {
		// Only real changes count against the flap budget: a fix that finds
		// the resource already fixed is an echo of a stale evaluation.
		r.Remediations++
		r.Snapshots = append(r.Snapshots, snap)
	}
	last, err := r.verify(ctx, act.Params)
	if err != nil {
		return false, r.fail(ctx, fmt.Sprintf("verify %s: %v", r.v.PolicyID, err))
	}
	if last.Violating && r.recurred(last, act.Params) {
		// What we changed is gone, but the policy fails on something new
		// (a rule re-opened under a new id) before we could verify: that
		// is a recurrence for the watch and its budget, not a failed fix,
		// and never Resolved.
		r.recurrences = append(r.recurrences, contract.Recheck{Violating: true, Message: last.Message, Params: last.Params,
			Change: contract.Change{Source: "verify", EventTime: workflow.Now(ctx)}})
		return true, nil
	}
	if last.Violating {
		return false, r.fail(ctx, fmt.Sprintf("%s still fails after %s (%d reads)", r.v.PolicyID, r.v.Remediation, verifyAttempts))
	}
	if err := r.record(ctx, activities.FindingResolved, "remediated: "+applied.Summary); err != nil {
		return true, err
	}
	r.timer(ctx, contract.TimerDetectionToVerified, workflow.Now(ctx).Sub(r.DetectedAt))
	// The Undo button comes with the Resolved message, so the window must
	// be open before that message goes out, not from the watch on.
	r.openUndoWindow(ctx)
	return true, r.setState(ctx, contract.StateResolved, applied.Summary)
}

// openUndoWindow starts the undo window after the first fix that changed
// something.
func (r *remediation) openUndoWindow(ctx workflow.Context) {
	if r.UndoUntil.IsZero() && len(r.Snapshots) > 0 && r.v.Settings.UndoWindow > 0 {
		r.UndoUntil = workflow.Now(ctx).Add(r.v.Settings.UndoWindow)
	}
}

// verify re-reads and re-evaluates this policy, with backoff between reads
// (eventual consistency), and returns the last verdict. It stops early on a
// verdict about something other than what applied fixed.
func (r *remediation) verify(ctx workflow.Context, applied map[string]any) (activities.VerifyOutput, error) {
	in := activities.VerifyInput{Ref: r.in.Ref, PolicyID: r.v.PolicyID}
	wait := time.Second
	for attempt := 1; ; attempt++ {
		var out activities.VerifyOutput
		what := fmt.Sprintf("verify %s%s (read %d of %d)", r.v.PolicyID, r.on(), attempt, verifyAttempts)
		if err := workflow.ExecuteActivity(withSummary(readOptions(ctx), what), a.VerifyPolicy, in).Get(ctx, &out); err != nil {
			return out, err
		}
		if !out.Violating || attempt == verifyAttempts || r.recurred(out, applied) {
			return out, nil
		}
		if err := workflow.Sleep(ctx, wait); err != nil {
			return out, err
		}
		wait *= 2
	}
}

// recurred says whether a failing verdict after a fix names other params
// than the ones the fix applied: the policy fails on something new.
// Histories started before versionRecheckBeforeWatch kept verifying.
func (r *remediation) recurred(out activities.VerifyOutput, applied map[string]any) bool {
	return r.Version >= versionRecheckBeforeWatch && out.Violating && out.Params != nil && !reflect.DeepEqual(out.Params, applied)
}

// recheckEarly settles a violating verdict that came before the watch
// began: it may be a recurrence (someone re-opened what we just closed) or
// an echo of an evaluation that read the state before our fix. One fresh
// read tells them apart; what still fails is a recurrence, with the params
// of what is there now.
func (r *remediation) recheckEarly(ctx workflow.Context) {
	c := r.early
	r.early = nil
	if c == nil || len(r.recurrences) > 0 || r.State != contract.StateResolved {
		return
	}
	var out activities.VerifyOutput
	err := workflow.ExecuteActivity(withSummary(readOptions(ctx), "re-read "+r.v.PolicyID+r.on()+" after a change during the fix"), a.VerifyPolicy,
		activities.VerifyInput{Ref: r.in.Ref, PolicyID: r.v.PolicyID}).Get(ctx, &out)
	switch {
	case err != nil:
		// Unsure is not fixed: take the recheck at its word. The fix is
		// idempotent, so an echo costs an Apply that changes nothing.
		r.log.Warn("re-read after an early recheck failed; treating it as a recurrence", "policy", r.v.PolicyID, "resource", r.in.Ref.ARN, "error", err)
		r.recurrences = append(r.recurrences, *c)
	case out.Violating:
		fresh := *c
		fresh.Message = out.Message
		if out.Params != nil {
			fresh.Params = out.Params
		}
		r.recurrences = append(r.recurrences, fresh)
	}
}

func (r *remediation) fail(ctx workflow.Context, note string) error {
	r.Reason = note
	if err := r.record(ctx, activities.FindingFailed, note); err != nil {
		return err
	}
	return r.setState(ctx, contract.StateFailed, note)
}

// watch stays open for the watch window. A recurrence is fixed again until
// the budget is spent; then something is fighting us (IaC, a person,
// another tool), so the violation is escalated to humans instead.
func (r *remediation) watch(ctx workflow.Context) error {
	r.watching = true
	if r.WatchUntil.IsZero() {
		r.WatchUntil = workflow.Now(ctx).Add(r.v.Settings.WatchWindow)
	}
	r.openUndoWindow(ctx)
	if r.Version >= versionRecheckBeforeWatch {
		r.drainRechecks()
		r.recheckEarly(ctx)
	}
	for {
		end := r.WatchUntil
		if r.UndoUntil.After(end) {
			end = r.UndoUntil
		}
		remaining := end.Sub(workflow.Now(ctx))
		if remaining <= 0 {
			return nil
		}
		got, err := workflow.AwaitWithTimeout(ctx, remaining, func() bool { return len(r.recurrences) > 0 || r.undo != nil })
		if err != nil {
			return fmt.Errorf("watch: %w", err)
		}
		if !got {
			if !r.UndoUntil.IsZero() && r.State == contract.StateResolved {
				// Take the Undo button away: the window is over.
				r.notify(ctx, r.notification(contract.StateResolved, "undo window closed"))
			}
			return nil
		}
		if r.undo != nil {
			return r.runUndo(ctx)
		}
		c := r.recurrences[len(r.recurrences)-1]
		r.recurrences = nil
		if c.Params != nil {
			// Act on what is there now, not on what was there the first time.
			r.v.Params, r.v.Message = c.Params, c.Message
		}
		if r.State == contract.StateEscalated || !workflow.Now(ctx).Before(r.WatchUntil) {
			// Escalated: humans own it now. After the watch window (while
			// Undo is still offered) a recurrence is a new violation's job.
			continue
		}
		if r.Remediations >= r.v.Settings.MaxRemediations {
			note := fmt.Sprintf("violation came back after %d remediations within %s; auto-remediation stopped", r.Remediations, r.v.Settings.WatchWindow)
			if c.Change.Actor != "" {
				note += "; last change by " + c.Change.Actor
			}
			if err := r.record(ctx, activities.FindingNotified, note); err != nil {
				return err
			}
			if err := r.setState(ctx, contract.StateEscalated, note); err != nil {
				return err
			}
			continue
		}
		if _, err := r.remediate(ctx); err != nil {
			return err
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			// A continue-as-new waits for the finding in flight first, so a
			// recurrence that comes meanwhile is drained, not left behind.
			if err := r.recorded(ctx); err != nil {
				return err
			}
			if err := r.audited(ctx); err != nil {
				return err
			}
		}
		r.drainRechecks() // a recurrence that came during the fix is not dropped
		if len(r.recurrences) == 0 && r.undo == nil && workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return r.continueAsNew(ctx)
		}
	}
}

// runUndo restores every snapshot (newest first), checks that the old
// state is back, exempts the resource from this policy for a while so the
// next evaluation does not fix it again, and records who undid it and why.
func (r *remediation) runUndo(ctx workflow.Context) error {
	u := *r.undo
	note := "undone by " + u.User
	if u.Reason != "" {
		note += ": " + u.Reason
	}
	for i := len(r.Snapshots) - 1; i >= 0; i-- {
		in := activities.UndoInput{Ref: r.in.Ref, Snapshot: r.Snapshots[i]}
		if err := workflow.ExecuteActivity(withSummary(changeOptions(ctx), "undo "+r.Snapshots[i].Action+r.on()), a.Undo, in).Get(ctx, nil); err != nil {
			r.undoDone = true
			return r.fail(ctx, fmt.Sprintf("undo %s: %v", r.Snapshots[i].Action, err))
		}
	}
	var restored activities.VerifyOutput
	if err := workflow.ExecuteActivity(withSummary(readOptions(ctx), "verify the undo"+r.on()), a.VerifyPolicy,
		activities.VerifyInput{Ref: r.in.Ref, PolicyID: r.v.PolicyID}).Get(ctx, &restored); err != nil {
		r.undoDone = true
		return r.fail(ctx, fmt.Sprintf("verify undo: %v", err))
	}
	if !restored.Violating {
		note += " (the restored resource passes the policy: it changed since the fix)"
	}
	until := workflow.Now(ctx).Add(r.v.Settings.ExemptFor)
	err := workflow.ExecuteActivity(withSummary(changeOptions(ctx), fmt.Sprintf("tag%s exempt from %s until %s", r.on(), r.v.PolicyID, until.UTC().Format(time.RFC3339))), a.TagExempt,
		activities.TagExemptInput{Ref: r.in.Ref, PolicyID: r.v.PolicyID, Until: until}).Get(ctx, nil)
	var appErr *temporal.ApplicationError
	switch {
	case err == nil:
		note += fmt.Sprintf("; exempt until %s", until.UTC().Format(time.RFC3339))
		r.next.exemption = &audit.Exemption{Source: audit.ExemptByUndo, Reason: cmp.Or(u.Reason, "undone"), Owner: u.User, Until: until.UTC().Format(time.RFC3339)}
	case errors.As(err, &appErr) && appErr.Type() == activities.ErrUnsupportedResourceType:
		// The undo itself succeeded; what failed is only keeping it, on a
		// resource that cannot carry tags. Failed would say the undo
		// failed; the note says what the human must add instead.
		note += "; NOT exempt, the next evaluation will fix it again: " + appErr.Message()
	default:
		r.undoDone = true
		return r.fail(ctx, fmt.Sprintf("tag exempt after undo: %v", err))
	}
	r.DecidedBy, r.Reason = u.User, note
	r.decided(ctx, contract.DecisionUndo)
	if err := r.record(ctx, activities.FindingSuppressed, note); err != nil {
		return err
	}
	r.next.actor = u.User
	err = r.setState(ctx, contract.StateUndone, note)
	r.undoDone = true
	return err
}

func (r *remediation) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	carry := r.Carry
	in := r.in
	in.Violation = r.v
	in.Carry = &carry
	return workflow.NewContinueAsNewError(ctx, Remediation, in)
}

// finish waits for in-flight update handlers, so a caller never sees its
// update dropped by a completing workflow.
func (r *remediation) finish(ctx workflow.Context, err error) (contract.RemediationResult, error) {
	// A path that ended before its next finding write must not leave the
	// first one abandoned.
	if rerr := r.recorded(ctx); rerr != nil && err == nil {
		err = rerr
	}
	if aerr := r.audited(ctx); aerr != nil && err == nil {
		err = aerr
	}
	var can *workflow.ContinueAsNewError
	if errors.As(err, &can) {
		return r.result(), err
	}
	if werr := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); werr != nil && err == nil {
		err = werr
	}
	return r.result(), err
}

func (r *remediation) result() contract.RemediationResult {
	return contract.RemediationResult{State: r.State, Remediations: r.Remediations, Snapshots: r.Snapshots, DecidedBy: r.DecidedBy, Reason: r.Reason}
}

// drainRechecks takes every recheck already delivered, without blocking.
func (r *remediation) drainRechecks() {
	for {
		var c contract.Recheck
		if !r.rechecks.ReceiveAsync(&c) {
			return
		}
		r.onRecheck(c)
	}
}

func (r *remediation) onRecheck(c contract.Recheck) {
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
	if !r.snoozedUntil.IsZero() {
		switch {
		case !c.Violating:
			r.fixedBy = &c
		case resourceChanged(c.Change) && !sameChange(c.Change, r.in.Change):
			r.changedAgain = &c
		}
		return
	}
	switch {
	case !c.Violating && !r.watching:
		// Before the first fix (awaiting approval, or not there yet) a
		// passing verdict means someone else fixed it.
		r.fixedBy = &c
	case c.Violating && r.watching:
		r.recurrences = append(r.recurrences, c)
	case c.Violating && !sameChange(c.Change, r.in.Change):
		// Before the watch, a violating verdict of a change other than the
		// one that started us may be a fight that began during the fix.
		// Dropping it reported a live violation as Resolved.
		r.early = &c
	}
}

// sameChange reports whether two verdicts come from the same change: the
// recheck that SignalWithStart delivers with our start carries ours.
func sameChange(x, y contract.Change) bool {
	return x.Source == y.Source && x.EventID == y.EventID && x.EventName == y.EventName && x.EventTime.Equal(y.EventTime)
}

func (r *remediation) validateDecision(ctx workflow.Context, d contract.Decision) error {
	if d.User == "" {
		return refuse(contract.ErrNotApprover, "decision needs the deciding user")
	}
	if !r.approver(d.User, d.Via) {
		return refuse(contract.ErrNotApprover, "%s is not an approver of %s", d.User, r.v.PolicyID)
	}
	if r.State != contract.StateAwaitingApproval {
		by := ""
		if r.DecidedBy != "" {
			by = " by " + r.DecidedBy
		}
		snoozed := ""
		if !r.snoozedUntil.IsZero() {
			snoozed = fmt.Sprintf(" (snoozed until %s; it asks again if the resource changes)", r.snoozedUntil.UTC().Format(time.RFC3339))
		}
		return refuse(contract.ErrNotAwaitingApproval, "not awaiting approval: already %s%s%s", r.State, by, snoozed)
	}
	if r.decision != nil {
		// Decided in this very workflow task; the state moves next.
		return refuse(contract.ErrNotAwaitingApproval, "not awaiting approval: already decided by %s", r.decision.User)
	}
	return nil
}

func (r *remediation) validateUndo(ctx workflow.Context, u contract.UndoRequest) error {
	if u.User == "" {
		return refuse(contract.ErrNotApprover, "undo needs the requesting user")
	}
	if !r.approver(u.User, u.Via) {
		return refuse(contract.ErrNotApprover, "%s is not an approver of %s", u.User, r.v.PolicyID)
	}
	if r.undo != nil && r.undoDone && r.State == contract.StateUndone {
		return refuse(contract.ErrNothingToUndo, "already undone by %s", r.undo.User)
	}
	if r.undo != nil {
		return refuse(contract.ErrNothingToUndo, "undo already requested by %s", r.undo.User)
	}
	if len(r.Snapshots) == 0 || (r.State != contract.StateResolved && r.State != contract.StateEscalated) {
		return refuse(contract.ErrNothingToUndo, "nothing to undo: state %s", r.State)
	}
	if !workflow.Now(ctx).Before(r.UndoUntil) {
		return refuse(contract.ErrNothingToUndo, "undo window closed at %s", r.UndoUntil.UTC().Format(time.RFC3339))
	}
	// A fix nothing can take back (a deleted console password) is refused
	// here, with what the action says about it, rather than failing the
	// undo activity and turning a resolved violation into a failed one.
	// The registry is fixed at build time, so a validator may read it.
	for _, snap := range r.Snapshots {
		if act, ok := service.Registry.Action(snap.Action); ok && act.Undo == nil {
			return refuse(contract.ErrNothingToUndo, "%s cannot be undone: %s", snap.Action, act.UndoNote)
		}
	}
	return nil
}

// requestUndo hands the undo to the main loop and returns when it is done,
// so the caller learns how it ended.
func (r *remediation) requestUndo(ctx workflow.Context, u contract.UndoRequest) (contract.DecisionResult, error) {
	r.undo = &u
	if err := workflow.Await(ctx, func() bool { return r.undoDone }); err != nil {
		return contract.DecisionResult{}, err
	}
	return contract.DecisionResult{State: r.State, Message: r.Reason}, nil
}

func (r *remediation) decide(ctx workflow.Context, d contract.Decision) (contract.DecisionResult, error) {
	r.decision = &d
	if d.Approve {
		return contract.DecisionResult{State: contract.StateApproved, Message: "approved by " + d.User + ": " + r.planned()}, nil
	}
	return contract.DecisionResult{State: contract.StateRejected, Message: "rejected by " + d.User}, nil
}

// setState is the one place state changes: the field, the search attribute
// and the notification move together, so the Temporal UI and the message
// humans read never disagree with the workflow.
func (r *remediation) setState(ctx workflow.Context, state, detail string) error {
	r.State = state
	now := workflow.Now(ctx)
	r.History = append(r.History, contract.Transition{State: state, At: now, Detail: detail})
	next := r.next
	r.next = stateChange{}
	if err := workflow.UpsertTypedSearchAttributes(ctx, contract.AttrState.ValueSet(state)); err != nil {
		return fmt.Errorf("upsert state %s: %w", state, err)
	}
	if r.audits() {
		// The index after New (0): the history is carried across
		// continue-as-new, so indices never repeat within a violation.
		r.audit(ctx, state, len(r.History), now, detail, cmp.Or(next.actor, audit.ActorRectify), next.exemption)
	}
	r.log.Info("violation state", "policy", r.v.PolicyID, "resource", r.in.Ref.ARN, "state", state, "detail", detail)
	r.details(ctx)
	n := r.notification(state, detail)
	n.AskApproval = state == contract.StateAwaitingApproval
	n.AskUndo = state == contract.StateResolved && len(r.Snapshots) > 0 && r.v.Settings.UndoWindow > 0
	r.notify(ctx, n)
	return nil
}

func (r *remediation) notification(state, detail string) contract.Notification {
	return contract.Notification{
		WorkflowID: r.id, State: state, PolicyID: r.v.PolicyID, Title: r.v.Title, Severity: r.v.Severity,
		Ref: r.in.Ref, Message: r.v.Message, Detail: detail,
		Actor: r.in.Change.Actor, EventName: r.in.Change.EventName, Thread: r.Thread,
	}
}

// notify tells humans. A notifier that stays down (Slack outage, revoked
// token) must not hold up or fail a fix: after notifyOptions' retries the
// failure is logged and the workflow goes on; the finding still records.
func (r *remediation) notify(ctx workflow.Context, n contract.Notification) {
	var out activities.NotifyOutput
	if err := workflow.ExecuteActivity(withSummary(notifyOptions(ctx), notifySummary(n)), a.Notify, n).Get(ctx, &out); err != nil {
		r.log.Warn("notification failed; going on without it", "policy", r.v.PolicyID, "resource", r.in.Ref.ARN, "state", n.State, "error", err)
		return
	}
	if out.Thread != "" {
		r.Thread = out.Thread
	}
}

// timer records a duration, tagged with the policy, for dashboards.
func (r *remediation) timer(ctx workflow.Context, name string, d time.Duration) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"policy": r.v.PolicyID, "severity": r.v.Severity}).Timer(name).Record(d)
}

// reply posts a thread reply without changing the state or the message.
func (r *remediation) reply(ctx workflow.Context, text string) error {
	n := r.notification(r.State, "")
	n.Reply = text
	r.notify(ctx, n)
	return nil
}

// record writes the finding of a state change. From versionStateLeadsFinding
// on it does not wait for the write: a finding waits for its
// BatchImportFindings batch, and nothing on the way to a verified fix
// should wait with it, so the state may lead its finding by one batch
// window. The next write waits for this one (Security Hub sees the
// statuses in order), and so do the end of the run and a continue-as-new.
func (r *remediation) record(ctx workflow.Context, status, note string) error {
	if r.Version >= versionFindingsQueued && r.recording != nil {
		// A finding's writes land in order, so this one follows the
		// write in flight; but the violation does not wait for either:
		// with Security Hub refusing calls for minutes, the state still
		// says Resolved the moment the fix is verified.
		prev, prevStatus := r.recording, r.recordingStatus
		in := r.findingInput(ctx, status, note)
		next, settle := workflow.NewFuture(ctx)
		workflow.Go(ctx, func(gctx workflow.Context) {
			if err := prev.Get(gctx, nil); err != nil {
				settle.SetError(fmt.Errorf("record finding %s: %w", prevStatus, err))
				return
			}
			settle.Set(nil, r.writeFinding(gctx, in).Get(gctx, nil))
		})
		r.recording, r.recordingStatus = next, status
		return nil
	}
	if err := r.recorded(ctx); err != nil {
		return err
	}
	f := r.startRecord(ctx, status, note)
	if r.Version >= versionStateLeadsFinding {
		r.recording, r.recordingStatus = f, status
		return nil
	}
	if err := f.Get(ctx, nil); err != nil {
		return fmt.Errorf("record finding %s: %w", status, err)
	}
	return nil
}

func (r *remediation) startRecord(ctx workflow.Context, status, note string) workflow.Future {
	return r.writeFinding(ctx, r.findingInput(ctx, status, note))
}

// findingInput is the finding as the violation stands now.
func (r *remediation) findingInput(ctx workflow.Context, status, note string) activities.FindingInput {
	return activities.FindingInput{
		PolicyID: r.v.PolicyID, Title: r.v.Title, Description: r.v.Message, Severity: r.v.Severity,
		Controls: r.v.Controls, Ref: r.in.Ref, Status: status, Note: note,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, DetectedAt: r.DetectedAt,
		Mode: string(r.v.Settings.Mode), DecidedBy: r.DecidedBy, Planned: r.planned(),
	}
}

func (r *remediation) writeFinding(ctx workflow.Context, f activities.FindingInput) workflow.Future {
	return workflow.ExecuteActivity(withSummary(recordOptions(ctx), "record finding "+f.Status+": "+f.Note), a.RecordFinding, f)
}

// recorded waits for the finding write in flight, if any.
func (r *remediation) recorded(ctx workflow.Context) error {
	if r.recording == nil {
		return nil
	}
	pending, status := r.recording, r.recordingStatus
	r.recording, r.recordingStatus = nil, ""
	if err := pending.Get(ctx, nil); err != nil {
		return fmt.Errorf("record finding %s: %w", status, err)
	}
	return nil
}

// status is the violation as QueryStatus tells it.
func (r *remediation) status() contract.Status {
	s := r.v.Settings
	return contract.Status{
		State: r.State, PolicyID: r.v.PolicyID, Resource: r.in.Ref.ARN, Mode: s.Mode,
		Remediations: r.Remediations, DecidedBy: r.DecidedBy, Reason: r.Reason, History: r.History,
		Title: r.v.Title, Severity: r.v.Severity, Message: r.v.Message, Controls: r.v.Controls,
		Account: r.in.Ref.Account, Region: r.in.Ref.Region, ResourceType: r.in.Ref.Type, Action: r.planned(),
		Actor: r.in.Change.Actor, EventName: r.in.Change.EventName, EventTime: r.in.Change.EventTime, Source: r.in.Change.Source,
		Approvers: s.Approvers, TimeoutAction: s.TimeoutAction, DetectedAt: r.DetectedAt, Deadline: r.deadline,
		SnoozedUntil: r.snoozedUntil, WatchUntil: r.WatchUntil, UndoUntil: r.UndoUntil,
		Stage: s.Stage, StageFrom: s.StageFrom, PromotedMode: s.PromotedMode,
	}
}

// details keeps the Temporal UI's current details (state, deadline,
// snooze) in step with the workflow. They are not a command: replay does
// not compare them, so they need no version.
func (r *remediation) details(ctx workflow.Context) {
	workflow.SetCurrentDetails(ctx, summary.RemediationCurrent(r.status()))
}

// observedNote is what a violation in the observe stage records: what
// rectify would have done, and why it did not.
func (r *remediation) observedNote() string {
	s := r.v.Settings
	note := "observe stage"
	if s.StageFrom != "" {
		note += " (" + s.StageFrom + ")"
	}
	note += ": would " + r.planned()
	switch s.PromotedMode {
	case contract.ModeEnforce:
		note += " on its own once promoted"
	case contract.ModeApprove:
		note += " after approval once promoted"
	}
	return note + " (rectify accounts promote " + r.in.Ref.Account + ")"
}

// on names the resource for activity summaries: " on sg-0abc".
func (r *remediation) on() string { return " on " + summary.Name(r.in.Ref) }

// notifySummary names a notification for its activity summary.
func notifySummary(n contract.Notification) string {
	if n.Reply != "" {
		return "reply in thread: " + n.Reply
	}
	s := "notify " + n.State
	if n.Detail != "" {
		s += ": " + n.Detail
	}
	return s
}

// audit starts writing the audit record of a state change and does not
// wait for it: like a finding, the record waits for its batch, and nothing
// on the way to a verified fix should wait with it, so the state leads its
// record. Records need no order (each has its own key), so the writes run
// side by side; the end of the run and a continue-as-new wait for them
// (audited).
func (r *remediation) audit(ctx workflow.Context, state string, seq int, at time.Time, detail, actor string, exemption ...*audit.Exemption) {
	info := workflow.GetInfo(ctx)
	fsbp, cis := audit.SplitControls(r.v.Controls)
	rec := audit.Record{
		// FirstRunID is the start event's: every run of a chain has it
		// (the test environment leaves it empty).
		Schema: audit.Schema, ViolationID: cmp.Or(info.FirstRunID, info.WorkflowExecution.RunID), Seq: seq, State: state, Time: at.UTC(),
		PolicyID: r.v.PolicyID, Title: r.v.Title, Severity: r.v.Severity, Mode: string(r.mode()),
		Controls: append([]string{}, r.v.Controls...), FSBP: fsbp, CIS: cis,
		Resource: audit.Resource{ARN: r.in.Ref.ARN, Type: r.in.Ref.Type, ID: r.in.Ref.ID, Name: r.in.Name},
		Account:  r.in.Ref.Account, Region: r.in.Ref.Region,
		Actor: actor, Change: r.in.Change, DecidedBy: r.DecidedBy, Reason: r.Reason, Detail: detail,
		Action: r.v.Remediation, Remediations: r.Remediations,
		FindingID: contract.FindingID(r.v.PolicyID, r.in.Ref.ARN), WorkflowID: info.WorkflowExecution.ID,
		RunID: info.WorkflowExecution.RunID, DetectedAt: r.DetectedAt.UTC(),
	}
	if len(exemption) > 0 {
		rec.Exemption = exemption[0]
	}
	if n := len(r.Snapshots); n > 0 {
		// The snapshot itself stays in the workflow (its state and result):
		// the record says where, and what it hashed to.
		snap := r.Snapshots[n-1]
		sum := sha256.Sum256(snap.Data)
		rec.Snapshot = &audit.Snapshot{Ref: fmt.Sprintf("temporal:%s/%s#snapshots[%d]", info.WorkflowExecution.ID, info.WorkflowExecution.RunID, n-1),
			Action: snap.Action, SHA256: hex.EncodeToString(sum[:])}
	}
	// Settle what finished meanwhile, so the list stays short.
	r.auditing = slices.DeleteFunc(r.auditing, func(f workflow.Future) bool {
		if !f.IsReady() {
			return false
		}
		if err := f.Get(ctx, nil); err != nil && r.auditErr == nil {
			r.auditErr = fmt.Errorf("record audit: %w", err)
		}
		return true
	})
	r.auditing = append(r.auditing, workflow.ExecuteActivity(withSummary(recordOptions(ctx), fmt.Sprintf("audit record %d: %s", seq, state)), a.RecordAudit, rec))
}

// audits says whether this violation keeps an audit trail: its worker has
// one, and its history began with versionAuditTrail.
func (r *remediation) audits() bool {
	return r.Version >= versionAuditTrail && r.v.Settings.Audit
}

// audited waits for every audit write in flight and returns the first
// that failed (after recordOptions' day of retries).
func (r *remediation) audited(ctx workflow.Context) error {
	pending := r.auditing
	r.auditing = nil
	for _, f := range pending {
		if err := f.Get(ctx, nil); err != nil && r.auditErr == nil {
			r.auditErr = fmt.Errorf("record audit: %w", err)
		}
	}
	err := r.auditErr
	r.auditErr = nil
	return err
}

// decided counts the go/no-go of a fix, for the override rate on the
// dashboard (the audit trail keeps the same for `rectify report`).
func (r *remediation) decided(ctx workflow.Context, decision string) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"policy": r.v.PolicyID, "decision": decision}).
		Counter(contract.CounterDecisions).Inc(1)
}

// mode is how the violation is handled: its settings' mode, but notify for
// a policy with no automatic fix.
func (r *remediation) mode() contract.Mode {
	if !r.hasAction() {
		return contract.ModeNotify
	}
	return r.v.Settings.Mode
}

// changeActor is who made a change: its principal, or its source when it
// names none (a sweep, a Config item).
func changeActor(c contract.Change) string {
	return cmp.Or(c.Actor, c.Source)
}

// planned says in plain words what the remediation will do.
func (r *remediation) planned() string {
	if !r.hasAction() {
		return "notify only (no automatic remediation for " + r.v.PolicyID + ")"
	}
	return plannedAction(r.v)
}

func (r *remediation) hasAction() bool { return hasAction(r.v) }

func hasAction(v contract.Violation) bool {
	return v.Remediation != "" && v.Remediation != "none"
}

// plannedAction is a violation's remediation in words, "" when it has none.
func plannedAction(v contract.Violation) string {
	if !hasAction(v) {
		return ""
	}
	return activities.Describe(v.Remediation, v.Params)
}

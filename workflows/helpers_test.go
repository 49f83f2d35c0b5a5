package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/worker"
)

// acts names the activities by method, as the workflows do.
var acts *activities.Activities

const (
	policyID = "aws.ec2.sg_public_admin_ports"
	approver = "alice"
)

var sg = resource.Ref{
	Type: "aws_security_group", ID: "sg-0abc", Account: "123456789012", Region: "us-east-1",
	ARN: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc",
}

// violation builds a violation of policyID on sg with a real action, so
// only the settings differ between cases.
func violation(s contract.Settings) contract.Violation {
	return contract.Violation{
		PolicyID: policyID, Title: "SSH open to the world", Severity: "HIGH",
		Message: "sg-0abc allows 0.0.0.0/0 on port 22", Controls: []string{"CIS AWS 5.2"},
		Remediation: "ec2_revoke_ingress", Params: map[string]any{"rule_ids": []any{"sgr-1"}},
		Settings: s,
	}
}

func enforce(watch time.Duration, budget int) contract.Settings {
	return contract.Settings{Mode: contract.ModeEnforce, WatchWindow: watch, MaxRemediations: budget, Approvers: []string{approver}, Audit: true}
}

func approve(timeout time.Duration, onTimeout contract.TimeoutAction) contract.Settings {
	return contract.Settings{
		Mode: contract.ModeApprove, ApprovalTimeout: timeout, TimeoutAction: onTimeout,
		WatchWindow: time.Hour, MaxRemediations: 3, Approvers: []string{approver, "bob"}, Audit: true,
	}
}

func remediationInput(v contract.Violation) contract.RemediationInput {
	return contract.RemediationInput{
		Ref: sg, Name: "web", Violation: v,
		Change: contract.Change{Source: "cloudtrail", EventName: "AuthorizeSecurityGroupIngress", Actor: "arn:aws:iam::123456789012:user/dev"},
	}
}

// harness is a test environment with rectify's real workflows registered
// and every activity replaced by a recording fake.
type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	// Behaviour, per call (1-based); nil takes the default.
	applyOut    func(call int) activities.ApplyOutput            // default: changed
	verifyOut   func(call int) activities.VerifyOutput           // default: fixed
	evaluateOut func(call int) activities.EvaluateResourceOutput // default: nothing
	evaluateErr func(call int) error                             // default: none
	oldReader   bool                                             // EvaluateResource ignores HandOn, as before it existed
	onFinding   func(call int, f activities.FindingInput)
	onNotify    func(n contract.Notification)
	onSnapshot  func(call int)
	onAudit     func(call int, r audit.Record) error // default: written

	mu         sync.Mutex
	states     []string // RectifyState values, in upsert order
	upserts    int      // search-attribute upserts of any key
	versions   []string // change ids the workflow asked GetVersion for
	findings   []activities.FindingInput
	notified   []contract.Notification
	snapshots  int
	applies    []activities.ActionInput
	verifies   int
	evaluates  []activities.EvaluateResourceInput
	dispatches []activities.DispatchInput
	gaveUp     []activities.EvaluationFailedInput
	undone     []activities.UndoInput
	tagged     []activities.TagExemptInput
	audits     []audit.Record
	metrics    *metrics.Metrics // what the workflows record through the SDK
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	m := metrics.New()
	suite.SetMetricsHandler(m.TemporalHandler())
	h := &harness{t: t, env: suite.NewTestWorkflowEnvironment(), metrics: m}
	// The SDK calls a workflow task that runs over 1 s a deadlock. On a
	// loaded 2-core CI machine a task can wait that long for a core, so
	// the limit here is generous; a real deadlock still trips it.
	h.env.SetWorkerOptions(sdkworker.Options{DeadlockDetectionTimeout: 15 * time.Second})
	env := h.env
	worker.Register(env, &activities.Activities{})
	env.SetStartWorkflowOptions(clientOptions(contract.RemediationID(policyID, sg.ARN)))

	// GetVersion answers as a new run would (the newest version), and
	// says who asked: a run of a code generation must not ask at all.
	// (The mock matches min and max exactly; every max up to 20 is set.)
	for max := workflow.Version(1); max <= 20; max++ {
		env.OnGetVersion(mock.Anything, workflow.DefaultVersion, max).Return(func(changeID string, _, max workflow.Version) workflow.Version {
			h.mu.Lock()
			h.versions = append(h.versions, changeID)
			h.mu.Unlock()
			return max
		})
	}
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		h.mu.Lock()
		h.upserts++
		h.mu.Unlock()
		if s, ok := args.Get(0).(temporal.SearchAttributes).GetKeyword(contract.AttrState); ok {
			h.mu.Lock()
			h.states = append(h.states, s)
			h.mu.Unlock()
		}
	}).Return(nil)
	env.OnActivity(acts.RecordFinding, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FindingInput) error {
			h.mu.Lock()
			h.findings = append(h.findings, in)
			n, f := len(h.findings), h.onFinding
			h.mu.Unlock()
			if f != nil {
				f(n, in) // outside the lock: it may signal the workflow
			}
			return nil
		})
	env.OnActivity(acts.RecordAudit, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r audit.Record) error {
			h.mu.Lock()
			h.audits = append(h.audits, r)
			n, f := len(h.audits), h.onAudit
			h.mu.Unlock()
			if f != nil {
				return f(n, r) // outside the lock: it may signal the workflow
			}
			return nil
		})
	env.OnActivity(acts.Notify, mock.Anything, mock.Anything).Return(
		func(_ context.Context, n contract.Notification) (activities.NotifyOutput, error) {
			h.mu.Lock()
			h.notified = append(h.notified, n)
			f := h.onNotify
			h.mu.Unlock()
			if f != nil {
				f(n)
			}
			return activities.NotifyOutput{Thread: "slack-ts-1"}, nil
		})
	env.OnActivity(acts.Snapshot, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ActionInput) (contract.Snapshot, error) {
			h.mu.Lock()
			h.snapshots++
			n, f := h.snapshots, h.onSnapshot
			h.mu.Unlock()
			if f != nil {
				f(n) // outside the lock: it may signal the workflow
			}
			return contract.Snapshot{Action: in.Action, Data: json.RawMessage(`{"group_id":"sg-0abc"}`)}, nil
		})
	env.OnActivity(acts.Apply, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ActionInput) (activities.ApplyOutput, error) {
			h.mu.Lock()
			h.applies = append(h.applies, in)
			n, f := len(h.applies), h.applyOut
			h.mu.Unlock()
			if f != nil {
				return f(n), nil // outside the lock: it may signal the workflow
			}
			return activities.ApplyOutput{Changed: true, Summary: "revoked sgr-1"}, nil
		})
	env.OnActivity(acts.VerifyPolicy, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.VerifyInput) (activities.VerifyOutput, error) {
			h.mu.Lock()
			h.verifies++
			n, f := h.verifies, h.verifyOut
			h.mu.Unlock()
			if f != nil {
				return f(n), nil
			}
			return activities.VerifyOutput{Exists: true}, nil
		})
	env.OnActivity(acts.EvaluateResource, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EvaluateResourceInput) (activities.EvaluateResourceOutput, error) {
			h.mu.Lock()
			h.evaluates = append(h.evaluates, in)
			n, f, fail := len(h.evaluates), h.evaluateOut, h.evaluateErr
			h.mu.Unlock()
			if fail != nil {
				if err := fail(n); err != nil {
					return activities.EvaluateResourceOutput{}, err
				}
			}
			out := activities.EvaluateResourceOutput{Exists: true}
			if f != nil {
				out = f(n) // outside the lock: it may signal the workflow
			}
			// The activity hands passing verdicts on when asked to, unless
			// it plays a worker older than HandOn.
			out.HandedOn = in.HandOn != nil && !h.oldReader
			return out, nil
		})
	env.OnActivity(acts.Undo, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.UndoInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.undone = append(h.undone, in)
			return nil
		})
	env.OnActivity(acts.TagExempt, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.TagExemptInput) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.tagged = append(h.tagged, in)
			return nil
		})
	env.OnActivity(acts.EvaluationFailed, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EvaluationFailedInput) (activities.EvaluationFailedOutput, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.gaveUp = append(h.gaveUp, in)
			return activities.EvaluationFailedOutput{MessageID: "m1"}, nil
		})
	env.OnActivity(acts.Dispatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DispatchInput) (activities.DispatchOutput, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.dispatches = append(h.dispatches, in)
			return activities.DispatchOutput{Started: len(in.Starts), Signaled: len(in.Signals)}, nil
		})
	return h
}

func clientOptions(id string) client.StartWorkflowOptions { return client.StartWorkflowOptions{ID: id} }

// remediate runs Remediation to completion and returns its result.
func (h *harness) remediate(in contract.RemediationInput) contract.RemediationResult {
	h.t.Helper()
	h.env.ExecuteWorkflow(contract.RemediationWorkflow, in)
	var res contract.RemediationResult
	h.completed(&res)
	return res
}

// evaluate runs Evaluate to completion and returns its result.
func (h *harness) evaluate(in contract.EvaluateInput) contract.EvaluateResult {
	h.t.Helper()
	h.env.ExecuteWorkflow(contract.EvaluateWorkflow, in)
	var res contract.EvaluateResult
	h.completed(&res)
	return res
}

// continuedAs asserts the run ended in continue-as-new and decodes the
// next run's input.
func (h *harness) continuedAs(in any) {
	h.t.Helper()
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		h.t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, in); err != nil {
		h.t.Fatalf("decode continue-as-new input: %v", err)
	}
}

func (h *harness) completed(res any) {
	h.t.Helper()
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	if err := h.env.GetWorkflowResult(res); err != nil {
		h.t.Fatalf("decode result: %v", err)
	}
}

// at runs f after d of workflow time.
func (h *harness) at(d time.Duration, f func()) { h.env.RegisterDelayedCallback(f, d) }

// recheck sends the recheck signal after d.
func (h *harness) recheck(d time.Duration, c contract.Recheck) {
	h.at(d, func() { h.env.SignalWorkflow(contract.SignalRecheck, c) })
}

// update is what happened to one decide update.
type update struct {
	accepted, completed bool
	rejected            error
	result              contract.DecisionResult
}

// decide sends the decide update after d and records what happened to it.
func (h *harness) decide(d time.Duration, id string, dec contract.Decision) *update {
	u := &update{}
	h.at(d, func() {
		h.env.UpdateWorkflow(contract.UpdateDecide, id, &testsuite.TestUpdateCallback{
			OnAccept: func() { u.accepted = true },
			OnReject: func(err error) { u.rejected = err },
			OnComplete: func(v any, err error) {
				if err != nil {
					h.t.Errorf("update %s failed: %v", id, err)
				}
				u.completed = true
				u.result = jsonAs[contract.DecisionResult](h.t, v)
			},
		}, dec)
	})
	return u
}

// undo sends the undo update after d and records what happened to it.
func (h *harness) undo(d time.Duration, req contract.UndoRequest) *update {
	u := &update{}
	h.at(d, func() {
		h.env.UpdateWorkflow(contract.UpdateUndo, "undo-"+req.User, &testsuite.TestUpdateCallback{
			OnAccept: func() { u.accepted = true },
			OnReject: func(err error) { u.rejected = err },
			OnComplete: func(v any, err error) {
				if err != nil {
					h.t.Errorf("undo by %s failed: %v", req.User, err)
				}
				u.completed = true
				u.result = jsonAs[contract.DecisionResult](h.t, v)
			},
		}, req)
	})
	return u
}

// status queries the workflow's status, during or after the run. It may
// be called from a delayed callback, so it reports errors without Fatal.
func (h *harness) status() contract.Status {
	h.t.Helper()
	var s contract.Status
	v, err := h.env.QueryWorkflow(contract.QueryStatus)
	if err == nil {
		err = v.Get(&s)
	}
	if err != nil {
		h.t.Errorf("query status: %v", err)
	}
	return s
}

// historyStates lists the states of the status history in order.
func historyStates(s contract.Status) []string {
	out := make([]string, len(s.History))
	for i, tr := range s.History {
		out[i] = tr.State
	}
	return out
}

// findingStatuses lists the recorded finding statuses in order.
func (h *harness) findingStatuses() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, len(h.findings))
	for i, f := range h.findings {
		out[i] = f.Status
	}
	return out
}

// auditStates lists the audited states in the order of their index, and
// fails unless the indices are 0, 1, 2... with one record each.
func (h *harness) auditStates() []string {
	h.t.Helper()
	h.mu.Lock()
	records := slices.Clone(h.audits)
	h.mu.Unlock()
	audit.Sort(records)
	out := make([]string, len(records))
	for i, r := range records {
		if r.Seq != i {
			h.t.Errorf("audit record %d (%s) has index %d", i, r.State, r.Seq)
		}
		out[i] = r.State
	}
	return out
}

// audited returns the audit record of a state.
func (h *harness) audited(state string) audit.Record {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.audits {
		if r.State == state {
			return r
		}
	}
	h.t.Fatalf("no audit record of %s among %d", state, len(h.audits))
	return audit.Record{}
}

// decisions reads rectify_decisions_total by decision from the metrics
// the workflows recorded.
func (h *harness) decisions() map[string]float64 {
	h.t.Helper()
	families, err := h.metrics.Registry.Gather()
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != contract.CounterDecisions {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["policy"] != policyID {
				h.t.Errorf("decision counted for policy %q", labels["policy"])
			}
			out[labels["decision"]] += m.GetCounter().GetValue()
		}
	}
	return out
}

func (h *harness) upserted() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.states...)
}

func (h *harness) applied() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.applies)
}

// jsonAs converts a value that crossed a data converter as `any` (a
// map after the JSON round trip) back into its type.
func jsonAs[T any](t *testing.T, v any) T {
	t.Helper()
	var out T
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		t.Fatalf("convert %T to %T: %v", v, out, err)
	}
	return out
}

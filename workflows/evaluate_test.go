package workflows_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
)

const (
	offPolicy     = "aws.ec2.sg_default_in_use"
	passingPolicy = "aws.ec2.sg_unrestricted_egress"
)

func change(n int) contract.Change {
	return contract.Change{Source: "cloudtrail", EventID: fmt.Sprintf("e%d", n), EventName: "AuthorizeSecurityGroupIngress"}
}

func TestEvaluate(t *testing.T) {
	off := violation(enforce(time.Hour, 3))
	off.PolicyID, off.Settings.Mode = offPolicy, contract.ModeOff
	verdict := activities.EvaluateResourceOutput{
		Exists: true, Name: "web", Passing: []string{passingPolicy},
		Violations: []contract.Violation{violation(enforce(time.Hour, 3)), off},
	}
	gone := activities.EvaluateResourceOutput{Exists: false, Passing: []string{policyID, passingPolicy}}

	for _, tc := range []struct {
		name    string
		settle  time.Duration
		before  int           // changes signalled before the first pass (during the settle)
		every   time.Duration // between those changes; 1ms when zero
		during  int           // changes signalled while the first pass reads the resource
		verdict activities.EvaluateResourceOutput

		wantPasses      int
		wantStarts      []string // policies SignalWithStarted by the last dispatch
		wantSignals     []string // policies signalled by the last dispatch
		wantDeleted     bool
		wantLastChange  string // EventID the last pass hands on
		wantDispatches  int
		wantViolations  int
		wantChangeCount int
	}{
		{name: "burst drained into one pass", settle: time.Second, before: 3, verdict: verdict,
			wantPasses: 1, wantStarts: []string{policyID}, wantSignals: []string{passingPolicy},
			wantLastChange: "e3", wantDispatches: 1, wantViolations: 2, wantChangeCount: 3},
		{name: "burst longer than settle still one pass", settle: time.Second, before: 5, every: 700 * time.Millisecond, verdict: verdict,
			wantPasses: 1, wantStarts: []string{policyID}, wantSignals: []string{passingPolicy},
			wantLastChange: "e5", wantDispatches: 1, wantViolations: 2, wantChangeCount: 5},
		{name: "changes without pause are still evaluated", settle: time.Second, before: 30, every: 500 * time.Millisecond, verdict: verdict,
			wantPasses: 2, wantStarts: []string{policyID}, wantSignals: []string{passingPolicy},
			wantLastChange: "e30", wantDispatches: 2, wantViolations: 2, wantChangeCount: 30},
		{name: "storm during a pass costs one more pass", during: 50, verdict: verdict,
			wantPasses: 2, wantStarts: []string{policyID}, wantSignals: []string{passingPolicy},
			wantLastChange: "e50", wantDispatches: 2, wantViolations: 2, wantChangeCount: 50},
		{name: "deleted resource closes open violations", settle: time.Second, before: 1, verdict: gone,
			wantPasses: 1, wantSignals: []string{policyID, passingPolicy}, wantDeleted: true,
			wantLastChange: "e1", wantDispatches: 1, wantChangeCount: 1},
		{name: "nothing to hand on", settle: time.Second, before: 1, verdict: activities.EvaluateResourceOutput{Exists: true},
			wantPasses: 1, wantDispatches: 0, wantChangeCount: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.env.SetStartWorkflowOptions(clientOptions(contract.EvaluateID(sg.ARN)))
			every := cmp.Or(tc.every, time.Millisecond)
			for i := 1; i <= tc.before; i++ {
				h.at(time.Duration(i)*every, func() { h.env.SignalWorkflow(contract.SignalChanged, change(i)) })
			}
			h.evaluateOut = func(call int) activities.EvaluateResourceOutput {
				if call == 1 {
					for i := 1; i <= tc.during; i++ {
						h.env.SignalWorkflow(contract.SignalChanged, change(i))
					}
				}
				return tc.verdict
			}
			res := h.evaluate(contract.EvaluateInput{Ref: sg, Settle: tc.settle})

			want := contract.EvaluateResult{Passes: tc.wantPasses, Changes: tc.wantChangeCount, Violations: tc.wantViolations}
			if res != want {
				t.Errorf("result = %+v, want %+v", res, want)
			}
			if len(h.evaluates) != tc.wantPasses || h.evaluates[0].Ref != sg {
				t.Errorf("EvaluateResource calls = %+v, want %d for %s", h.evaluates, tc.wantPasses, sg.ARN)
			}
			if len(h.dispatches) != tc.wantDispatches {
				t.Fatalf("Dispatch called %d times, want %d", len(h.dispatches), tc.wantDispatches)
			}
			if tc.wantDispatches == 0 {
				return
			}
			d := h.dispatches[len(h.dispatches)-1]
			checkStarts(t, d.Starts, tc.wantStarts, tc.wantLastChange)
			checkSignals(t, d.Signals, tc.wantSignals, tc.wantDeleted, tc.wantLastChange)
			if tc.wantDispatches > 1 && passKey(t, h.dispatches[0]) == passKey(t, d) {
				t.Errorf("both passes used key %q, want one key per pass", passKey(t, d))
			}
		})
	}
}

// Evaluate upserts RectifyResource and RectifyAccount only when its start
// request lacked them; the starter and sweeps set them at start, and say so.
func TestEvaluateUpsertsOnlyWhatTheStartLacked(t *testing.T) {
	for _, withAttrs := range []bool{true, false} {
		h := newHarness(t)
		h.env.SetStartWorkflowOptions(clientOptions(contract.EvaluateID(sg.ARN)))
		h.evaluateOut = func(int) activities.EvaluateResourceOutput {
			return activities.EvaluateResourceOutput{Exists: true, Name: "web", Violations: []contract.Violation{violation(enforce(time.Hour, 3))}}
		}
		h.evaluate(contract.EvaluateInput{Ref: sg, StartedWithAttributes: withAttrs})
		if len(h.dispatches) != 1 {
			t.Fatalf("%d dispatches, want 1", len(h.dispatches))
		}
		want := 1
		if withAttrs {
			want = 0
		}
		if h.upserts != want {
			t.Errorf("started with attributes %v: %d upserts, want %d", withAttrs, h.upserts, want)
		}
		for _, d := range h.dispatches {
			for _, s := range d.Starts {
				if !jsonAs[contract.RemediationInput](t, s.Input).StartedWithAttributes {
					t.Errorf("start of %s does not say it carries the search attributes it sets", s.WorkflowID)
				}
			}
		}
	}
}

func checkStarts(t *testing.T, starts []activities.StartRequest, policies []string, eventID string) {
	t.Helper()
	if len(starts) != len(policies) {
		t.Fatalf("starts = %+v, want one per violation of %v", starts, policies)
	}
	for i, s := range starts {
		id := contract.RemediationID(policies[i], sg.ARN)
		if s.WorkflowID != id || s.Workflow != contract.RemediationWorkflow || s.Signal != contract.SignalRecheck {
			t.Errorf("start = %s %s %s, want %s %s %s", s.WorkflowID, s.Workflow, s.Signal, id, contract.RemediationWorkflow, contract.SignalRecheck)
		}
		if id != "remediation/"+policies[i]+"/"+sg.ARN {
			t.Errorf("remediation ID = %q, want remediation/<policy>/<arn>", id)
		}
		in := jsonAs[contract.RemediationInput](t, s.Input)
		if in.Ref != sg || in.Name != "web" || in.Violation.PolicyID != policies[i] || in.Change.EventID != eventID || in.Carry != nil {
			t.Errorf("input = %+v, want the violation of %s with change %s", in, policies[i], eventID)
		}
		if c := jsonAs[contract.Recheck](t, s.SignalArg); !c.Violating || c.Key == "" || c.Change.EventID != eventID {
			t.Errorf("signal arg = %+v, want a keyed violating recheck with change %s", c, eventID)
		}
		wantKeywords := map[string]string{
			"RectifyPolicy": policies[i], "RectifyResource": sg.ARN, "RectifyAccount": sg.Account,
			"RectifySeverity": "HIGH", "RectifyState": contract.StateNew,
		}
		if fmt.Sprint(s.Keywords) != fmt.Sprint(wantKeywords) {
			t.Errorf("keywords = %v, want %v", s.Keywords, wantKeywords)
		}
	}
}

func checkSignals(t *testing.T, signals []activities.SignalRequest, policies []string, deleted bool, eventID string) {
	t.Helper()
	var got []string
	for _, s := range signals {
		got = append(got, s.WorkflowID)
		c := jsonAs[contract.Recheck](t, s.Arg)
		if s.Signal != contract.SignalRecheck || c.Violating || c.Deleted != deleted || c.Key == "" || c.Change.EventID != eventID {
			t.Errorf("signal %s %s %+v, want a keyed passing recheck (deleted %v) with change %s", s.WorkflowID, s.Signal, c, deleted, eventID)
		}
	}
	var want []string
	for _, p := range policies {
		want = append(want, contract.RemediationID(p, sg.ARN))
	}
	if !slices.Equal(got, want) {
		t.Errorf("signalled %v, want %v", got, want)
	}
}

func passKey(t *testing.T, d activities.DispatchInput) string {
	if len(d.Starts) > 0 {
		return jsonAs[contract.Recheck](t, d.Starts[0].SignalArg).Key
	}
	return jsonAs[contract.Recheck](t, d.Signals[0].Arg).Key
}

// An evaluation that fails for good is visible and keeps its trigger: the
// run sets RectifyState=EvaluationFailed, hands the newest change to the
// EvaluationFailed activity (which counts it and puts it on the
// dead-letter queue), then fails. Auth errors are retried by the retry
// policy first: only the activity decides when their grace is spent.
func TestEvaluateGivesUp(t *testing.T) {
	authFinal := temporal.NewNonRetryableApplicationError("describe security group sg-0abc: AuthFailure: AWS was not able to validate the provided access credentials", "AuthFailure", nil)
	authRetry := temporal.NewApplicationErrorWithCause("describe security group sg-0abc: InvalidClientTokenId: the token is invalid", "InvalidClientTokenId", nil)
	denied := temporal.NewApplicationErrorWithCause("describe security group sg-0abc: UnauthorizedOperation: no", "UnauthorizedOperation", nil)
	for _, tc := range []struct {
		name     string
		fail     func(call int) error
		during   int // changes signalled while the first attempt reads
		wantType string
		wantCall int    // EvaluateResource attempts
		wantLast string // EventID kept on the dead-letter queue; "" = no give-up
	}{
		{name: "auth error past its grace", fail: func(int) error { return authFinal },
			wantType: "AuthFailure", wantCall: 1, wantLast: "e2"},
		{name: "changes during the failed pass: the newest is kept", during: 3, fail: func(int) error { return authFinal },
			wantType: "AuthFailure", wantCall: 1, wantLast: "e3"},
		{name: "permanent AWS error", fail: func(int) error { return denied },
			wantType: "UnauthorizedOperation", wantCall: 1, wantLast: "e2"},
		{name: "auth error within its grace is retried, then passes", fail: func(call int) error {
			if call < 3 {
				return authRetry
			}
			return nil
		}, wantCall: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.env.SetStartWorkflowOptions(clientOptions(contract.EvaluateID(sg.ARN)))
			h.at(time.Millisecond, func() { h.env.SignalWorkflow(contract.SignalChanged, change(1)) })
			h.at(2*time.Millisecond, func() { h.env.SignalWorkflow(contract.SignalChanged, change(2)) })
			h.evaluateErr = func(call int) error {
				if call == 1 {
					for i := 1; i <= tc.during; i++ {
						h.env.SignalWorkflow(contract.SignalChanged, change(i))
					}
				}
				return tc.fail(call)
			}
			h.env.ExecuteWorkflow(contract.EvaluateWorkflow, contract.EvaluateInput{Ref: sg, Settle: time.Second, StartedWithAttributes: true})
			if !h.env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			if len(h.evaluates) != tc.wantCall {
				t.Errorf("EvaluateResource attempts = %d, want %d", len(h.evaluates), tc.wantCall)
			}
			err := h.env.GetWorkflowError()
			if tc.wantLast == "" {
				if err != nil || len(h.gaveUp) != 0 || slices.Contains(h.states, contract.StateEvaluationFailed) {
					t.Fatalf("err %v, gave up %+v, states %v: want a completed evaluation", err, h.gaveUp, h.states)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantType) || !strings.Contains(err.Error(), "dead-letter queue") {
				t.Errorf("workflow error = %v, want the %s failure and where the trigger went", err, tc.wantType)
			}
			if !slices.Equal(h.states, []string{contract.StateEvaluationFailed}) {
				t.Errorf("RectifyState upserts = %v, want [%s]", h.states, contract.StateEvaluationFailed)
			}
			if len(h.gaveUp) != 1 {
				t.Fatalf("EvaluationFailed calls = %+v, want 1", h.gaveUp)
			}
			g := h.gaveUp[0]
			if g.Ref != sg || g.WorkflowID != contract.EvaluateID(sg.ARN) || g.ErrorType != tc.wantType ||
				g.Change.EventID != tc.wantLast || g.Change.Source != "cloudtrail" || !strings.Contains(g.Reason, tc.wantType) || g.FailedAt.IsZero() {
				t.Errorf("EvaluationFailed input = %+v, want %s on %s with change %s", g, tc.wantType, sg.ARN, tc.wantLast)
			}
		})
	}
}

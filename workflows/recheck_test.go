package workflows_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
)

const fighter = "arn:aws:iam::123456789012:user/dev"

// reopened is the verdict of an evaluation that read the group after a
// person opened SSH again under a new rule id.
func reopened(key string) contract.Recheck {
	return contract.Recheck{
		Key: key, Violating: true, Message: "sg-0abc allows 0.0.0.0/0 on port 22",
		Params: map[string]any{"rule_ids": []any{"sgr-2"}},
		Change: contract.Change{Source: "cloudtrail", EventName: "AuthorizeSecurityGroupIngress", EventID: key, Actor: fighter},
	}
}

var (
	firstRule  = map[string]any{"rule_ids": []any{"sgr-1"}}
	secondRule = map[string]any{"rule_ids": []any{"sgr-2"}}
)

// A violating recheck that arrives before the watch begins (during the
// snapshot, the apply, the verification or the RESOLVED finding write)
// is a fight, and must lead to a second fix: dropping it reported a live
// violation as Resolved.
func TestRemediationRecheckBeforeWatchIsNotDropped(t *testing.T) {
	for _, tc := range []struct {
		name string
		arm  func(h *harness)
	}{
		{"during snapshot", func(h *harness) {
			h.onSnapshot = func(n int) {
				if n == 1 {
					h.env.SignalWorkflow(contract.SignalRecheck, reopened("e2"))
				}
			}
		}},
		{"during apply", func(h *harness) {
			h.applyOut = func(n int) activities.ApplyOutput {
				if n == 1 {
					h.env.SignalWorkflow(contract.SignalRecheck, reopened("e2"))
				}
				return activities.ApplyOutput{Changed: true, Summary: "revoked"}
			}
		}},
		{"during the RESOLVED write", func(h *harness) {
			h.onFinding = func(_ int, f activities.FindingInput) {
				if f.Status == activities.FindingResolved && h.applied() == 1 {
					h.env.SignalWorkflow(contract.SignalRecheck, reopened("e2"))
				}
			}
		}},
		{"with the RESOLVED result", func(h *harness) {
			h.onFinding = func(_ int, f activities.FindingInput) {
				if f.Status == activities.FindingResolved && h.applied() == 1 {
					h.env.SignalWorkflowSkippingWorkflowTask(contract.SignalRecheck, reopened("e2"))
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			tc.arm(h)
			// The re-read at the start of the watch sees the new rule; the
			// second fix's verification sees it gone.
			h.verifyOut = func(n int) activities.VerifyOutput {
				if n == 2 {
					return activities.VerifyOutput{Exists: true, Violating: true, Message: "port 22 open", Params: secondRule}
				}
				return activities.VerifyOutput{Exists: true}
			}
			res := h.remediate(remediationInput(violation(enforce(time.Hour, 3))))

			if res.State != contract.StateResolved || res.Remediations != 2 {
				t.Errorf("result = %+v, want Resolved after 2 remediations", res)
			}
			if len(h.applies) != 2 || !reflect.DeepEqual(h.applies[1].Params, secondRule) {
				t.Fatalf("applies = %+v, want a second apply on the re-opened rule sgr-2", h.applies)
			}
			checkStates(t, h, contract.StateNew, contract.StateRemediating, contract.StateResolved,
				contract.StateRemediating, contract.StateResolved)
		})
	}
}

// An early recheck may be an echo of an evaluation that read the group
// before the fix: the re-read finds it fixed, and nothing runs twice. The
// recheck SignalWithStart delivers with the start is our own change and
// costs no re-read at all.
func TestRemediationEarlyEchoIsReadNotFixed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		recheck  func(in contract.RemediationInput) contract.Recheck
		verifies int
	}{
		{"echo of another change", func(contract.RemediationInput) contract.Recheck { return reopened("e2") }, 2},
		{"our own start signal", func(in contract.RemediationInput) contract.Recheck {
			return contract.Recheck{Key: "k1", Violating: true, Params: firstRule, Change: in.Change}
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			in := remediationInput(violation(enforce(time.Hour, 3)))
			c := tc.recheck(in)
			h.applyOut = func(n int) activities.ApplyOutput {
				if n == 1 {
					h.env.SignalWorkflow(contract.SignalRecheck, c)
				}
				return activities.ApplyOutput{Changed: true, Summary: "revoked"}
			}
			res := h.remediate(in)

			if res.State != contract.StateResolved || res.Remediations != 1 || h.applied() != 1 {
				t.Errorf("result = %+v after %d applies, want Resolved after 1", res, h.applied())
			}
			if h.verifies != tc.verifies {
				t.Errorf("verifies = %d, want %d", h.verifies, tc.verifies)
			}
		})
	}
}

// When the verification after a fix already sees a violation with other
// params (the rule was re-opened under a new id before we could verify),
// the violation is never Resolved in between: it is fixed again at once,
// and a fast fight spends the flap budget and escalates.
func TestRemediationFightDuringVerify(t *testing.T) {
	for _, tc := range []struct {
		name    string
		budget  int
		reopens int // verifications that see a new rule
		want    string
		applies int
		// Each verification that sees a new rule ends at once: one read
		// per fix, plus the read that finds the last fix in place.
		verifies int
		states   []string
	}{
		{"fixed again", 3, 1, contract.StateResolved, 2, 2,
			[]string{contract.StateNew, contract.StateRemediating, contract.StateRemediating, contract.StateResolved}},
		{"budget spent", 2, 5, contract.StateEscalated, 2, 2,
			[]string{contract.StateNew, contract.StateRemediating, contract.StateRemediating, contract.StateEscalated}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.verifyOut = func(n int) activities.VerifyOutput {
				if n <= tc.reopens {
					return activities.VerifyOutput{Exists: true, Violating: true, Message: "port 22 open", Params: map[string]any{"rule_ids": []any{"sgr-" + string(rune('1'+n))}}}
				}
				return activities.VerifyOutput{Exists: true}
			}
			res := h.remediate(remediationInput(violation(enforce(time.Hour, tc.budget))))

			if res.State != tc.want || h.applied() != tc.applies {
				t.Errorf("result = %+v after %d applies, want %s after %d", res, h.applied(), tc.want, tc.applies)
			}
			checkStates(t, h, tc.states...)
			if h.verifies != tc.verifies {
				t.Errorf("verifies = %d, want %d: a verdict about a new rule ends the verification at once", h.verifies, tc.verifies)
			}
		})
	}
}

// The same verdict about what we applied is a fix that did not take: the
// verification keeps re-reading, then fails, as before.
func TestRemediationVerifySameParamsStillFails(t *testing.T) {
	h := newHarness(t)
	h.verifyOut = func(int) activities.VerifyOutput {
		return activities.VerifyOutput{Exists: true, Violating: true, Message: "port 22 open", Params: firstRule}
	}
	res := h.remediate(remediationInput(violation(enforce(time.Hour, 3))))
	if res.State != contract.StateFailed || h.verifies != 5 || h.applied() != 1 {
		t.Errorf("result = %+v after %d verifies and %d applies, want Failed after 5 reads of 1 apply", res, h.verifies, h.applied())
	}
}

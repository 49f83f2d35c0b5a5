package workflows_test

import (
	"slices"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
)

// A long watch hands its state to the next run: the budget, the seen keys
// and the window's end survive, so a flapping resource still escalates.
func TestRemediationWatchContinuesAsNew(t *testing.T) {
	const iac = "arn:aws:iam::123456789012:role/terraform"
	h := newHarness(t)
	h.env.SetContinueAsNewSuggested(true)
	start := h.env.Now()
	h.recheck(10*time.Minute, violating("k2", iac))
	h.env.ExecuteWorkflow(contract.RemediationWorkflow, remediationInput(violation(enforce(time.Hour, 2))))

	var next contract.RemediationInput
	h.continuedAs(&next)
	c := next.Carry
	if c == nil {
		t.Fatal("continue-as-new without carry")
	}
	if c.State != contract.StateResolved || c.Remediations != 2 || len(c.Snapshots) != 2 || c.Thread != "slack-ts-1" ||
		!c.WatchUntil.Equal(start.Add(time.Hour)) || !c.DetectedAt.Equal(start) || !slices.Contains(c.Seen, "k2") || len(c.History) != 4 {
		t.Fatalf("carry = %+v, want the watch state after 2 fixes", c)
	}

	h2 := newHarness(t)
	h2.env.SetStartTime(start.Add(10 * time.Minute))
	h2.recheck(5*time.Minute, violating("k2", iac)) // already counted
	h2.recheck(10*time.Minute, violating("k3", iac))
	res := h2.remediate(next)

	if res.State != contract.StateEscalated || res.Remediations != 2 {
		t.Errorf("result = %+v, want Escalated with the carried budget of 2 spent", res)
	}
	h2.env.AssertActivityNumberOfCalls(t, "Apply", 0)
	checkFindings(t, h2, activities.FindingNotified)
	if got := h2.upserted(); !slices.Equal(got, []string{contract.StateResolved, contract.StateEscalated}) {
		t.Errorf("states = %v, want the carried Resolved then Escalated", got)
	}
	if end := h2.env.Now(); !end.Equal(c.WatchUntil) {
		t.Errorf("completed at %v, want at the carried window end %v", end, c.WatchUntil)
	}
	// The audit trail goes on where the first run left it: indices carry
	// over with the history, so no key repeats.
	if got := h.auditStates(); len(got) != 5 {
		t.Errorf("first run audited %v, want New and 4 state changes", got)
	}
	if len(h2.audits) != 1 || h2.audits[0].State != contract.StateEscalated || h2.audits[0].Seq != 5 || h2.audits[0].Remediations != 2 {
		t.Errorf("second run audited %+v, want Escalated at index 5", h2.audits)
	}
}

// A recurrence that arrives while a fix is running, or together with its
// last activity result, must not be dropped by the continue-as-new that
// follows that fix.
func TestRemediationRecurrenceDuringFixSurvivesContinueAsNew(t *testing.T) {
	const iac = "arn:aws:iam::123456789012:role/terraform"
	for _, tc := range []struct {
		name string
		arm  func(h *harness)
	}{
		{"while applying", func(h *harness) {
			h.applyOut = func(n int) activities.ApplyOutput {
				if n == 2 {
					h.env.SignalWorkflow(contract.SignalRecheck, violating("k3", iac))
				}
				return activities.ApplyOutput{Changed: true, Summary: "revoked sgr-1"}
			}
		}},
		{"in the task of the last result", func(h *harness) {
			h.onFinding = func(n int, _ activities.FindingInput) {
				if n == 3 { // the RESOLVED of the second fix
					h.env.SignalWorkflowSkippingWorkflowTask(contract.SignalRecheck, violating("k3", iac))
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.env.SetContinueAsNewSuggested(true)
			tc.arm(h)
			h.recheck(10*time.Minute, violating("k2", iac))
			h.env.ExecuteWorkflow(contract.RemediationWorkflow, remediationInput(violation(enforce(time.Hour, 2))))

			if !h.env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			var res contract.RemediationResult
			if err := h.env.GetWorkflowResult(&res); err != nil {
				t.Fatalf("workflow ended with %v, want it to handle k3 before continuing as new", err)
			}
			if res.State != contract.StateEscalated || res.Remediations != 2 {
				t.Errorf("result = %+v, want k3 to escalate (budget 2 spent)", res)
			}
		})
	}
}

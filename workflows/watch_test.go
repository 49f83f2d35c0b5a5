package workflows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
)

func violating(key, actor string) contract.Recheck {
	return contract.Recheck{Key: key, Violating: true, Change: contract.Change{Actor: actor}}
}

// During the watch window a recurrence is fixed again until the budget is
// spent; then the violation escalates. Only changes that Apply really made
// count, and a recheck is counted once however often it is delivered.
func TestRemediationWatchWindow(t *testing.T) {
	const iac = "arn:aws:iam::123456789012:role/terraform"
	for _, tc := range []struct {
		name        string
		budget      int
		changed     []bool // Apply's Changed, per call
		rechecks    []contract.Recheck
		wantState   string
		wantApplies int
		wantCount   int // RemediationResult.Remediations
	}{
		{"budget of 2 escalates the third", 2, nil,
			[]contract.Recheck{violating("k2", iac), violating("k2", iac), violating("k3", iac), violating("k4", iac)},
			contract.StateEscalated, 2, 2},
		{"repeated key counts once", 3, nil,
			[]contract.Recheck{violating("k2", iac), violating("k2", iac), violating("k2", iac)},
			contract.StateResolved, 2, 2},
		{"recurrence within budget is fixed", 2, nil,
			[]contract.Recheck{violating("k2", iac), {Key: "k3", Violating: false}},
			contract.StateResolved, 2, 2},
		{"already fixed does not count", 1, []bool{false, true},
			[]contract.Recheck{violating("k2", iac), violating("k3", iac)},
			contract.StateEscalated, 2, 1},
		{"never changed never escalates", 1, []bool{false, false, false},
			[]contract.Recheck{violating("k2", iac), violating("k3", iac)},
			contract.StateResolved, 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.changed != nil {
				h.applyOut = func(n int) activities.ApplyOutput {
					return activities.ApplyOutput{Changed: tc.changed[n-1], Summary: "revoked sgr-1"}
				}
			}
			start := h.env.Now()
			for i, c := range tc.rechecks {
				h.recheck(time.Duration(i+1)*10*time.Minute, c)
			}
			res := h.remediate(remediationInput(violation(enforce(time.Hour, tc.budget))))

			if res.State != tc.wantState || res.Remediations != tc.wantCount || len(res.Snapshots) != tc.wantCount {
				t.Errorf("result = %+v, want %s with %d remediations and snapshots", res, tc.wantState, tc.wantCount)
			}
			h.env.AssertActivityNumberOfCalls(t, "Apply", tc.wantApplies)
			if waited := h.env.Now().Sub(start); waited != time.Hour {
				t.Errorf("completed after %v, want at the end of the 1h window", waited)
			}
			states := h.upserted()
			if escalated := slices.Contains(states, contract.StateEscalated); escalated != (tc.wantState == contract.StateEscalated) {
				t.Errorf("states = %v, want escalation only when the budget is spent", states)
			}
			if tc.wantState != contract.StateEscalated {
				return
			}
			checkFindings(t, h, activities.FindingNew, activities.FindingResolved, activities.FindingResolved, activities.FindingNotified)
			if note := h.findings[3].Note; !strings.Contains(note, "auto-remediation stopped; last change by "+iac) {
				t.Errorf("escalation note = %q, want who is fighting us", note)
			}
			// Escalated is final: later recurrences are neither fixed nor
			// escalated again.
			if n := strings.Count(strings.Join(states, ","), contract.StateEscalated); n != 1 {
				t.Errorf("states = %v, want one escalation", states)
			}
		})
	}
}

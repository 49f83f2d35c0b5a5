package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
)

func TestRemediationApprovalTimeout(t *testing.T) {
	for _, tc := range []struct {
		onTimeout     contract.TimeoutAction
		wantStates    []string
		wantFinding   string
		wantApplies   int
		wantDecidedBy string
	}{
		{contract.TimeoutReject, []string{contract.StateNew, contract.StateAwaitingApproval, contract.StateExpired},
			activities.FindingNotified, 0, ""},
		{contract.TimeoutRemediate, []string{contract.StateNew, contract.StateAwaitingApproval, contract.StateApproved, contract.StateRemediating, contract.StateResolved},
			activities.FindingResolved, 1, "timeout"},
	} {
		t.Run(string(tc.onTimeout), func(t *testing.T) {
			h := newHarness(t)
			start := h.env.Now()
			res := h.remediate(remediationInput(violation(approve(24*time.Hour, tc.onTimeout))))

			final := tc.wantStates[len(tc.wantStates)-1]
			if res.State != final || res.DecidedBy != tc.wantDecidedBy {
				t.Errorf("result = %+v, want %s decided by %q", res, final, tc.wantDecidedBy)
			}
			checkStates(t, h, tc.wantStates...)
			checkFindings(t, h, activities.FindingNew, tc.wantFinding)
			if h.applied() != tc.wantApplies {
				t.Errorf("Apply called %d times, want %d", h.applied(), tc.wantApplies)
			}
			// The decision fell when the timeout fired, not before.
			if hist := h.status().History; hist[1].At.Sub(start) != 24*time.Hour {
				t.Errorf("%s at %v after start, want 24h", hist[1].State, hist[1].At.Sub(start))
			}
			if ask := h.notified[0]; ask.State != contract.StateAwaitingApproval || !ask.AskApproval {
				t.Errorf("first notification = %+v, want an approval request", ask)
			}
		})
	}
}

func TestRemediationDecide(t *testing.T) {
	for _, tc := range []struct {
		name        string
		decision    contract.Decision
		wantStates  []string
		wantFinding string
		wantApplies int
		wantReason  string
	}{
		{"approved", contract.Decision{Approve: true, User: approver},
			[]string{contract.StateNew, contract.StateAwaitingApproval, contract.StateApproved, contract.StateRemediating, contract.StateResolved},
			activities.FindingResolved, 1, ""},
		{"rejected", contract.Decision{User: "bob", Reason: "breaks the vpn"},
			[]string{contract.StateNew, contract.StateAwaitingApproval, contract.StateRejected},
			activities.FindingNotified, 0, "breaks the vpn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			u := h.decide(10*time.Minute, "slack-click-1", tc.decision)
			res := h.remediate(remediationInput(violation(approve(24*time.Hour, contract.TimeoutRemediate))))

			if !u.accepted || !u.completed || u.rejected != nil {
				t.Fatalf("update = %+v, want accepted and completed", u)
			}
			final := tc.wantStates[len(tc.wantStates)-1]
			if want := tc.wantStates[2]; u.result.State != want || !strings.Contains(u.result.Message, tc.decision.User) {
				t.Errorf("update result = %+v, want %s naming %s", u.result, want, tc.decision.User)
			}
			if res.State != final || res.DecidedBy != tc.decision.User || res.Reason != tc.wantReason {
				t.Errorf("result = %+v, want %s decided by %s, reason %q", res, final, tc.decision.User, tc.wantReason)
			}
			checkStates(t, h, tc.wantStates...)
			checkFindings(t, h, activities.FindingNew, tc.wantFinding)
			if h.applied() != tc.wantApplies {
				t.Errorf("Apply called %d times, want %d", h.applied(), tc.wantApplies)
			}
			if s := h.status(); s.DecidedBy != tc.decision.User || s.Reason != tc.wantReason {
				t.Errorf("status = %+v, want the decider and reason recorded", s)
			}
			if tc.wantReason != "" && !strings.Contains(h.findings[1].Note, tc.wantReason) {
				t.Errorf("finding note = %q, want the reason", h.findings[1].Note)
			}
		})
	}
}

// The validator refuses bad decisions before they enter history: the
// caller's OnReject runs and the workflow carries on as if nothing came.
func TestRemediationDecideValidator(t *testing.T) {
	type attempt struct {
		at      time.Duration
		user    string
		refused string // substring of the rejection; empty: accepted
	}
	for _, tc := range []struct {
		name      string
		settings  contract.Settings
		attempts  []attempt
		wantState string // status one minute after each attempt...
		final     string // ...and at the end
	}{
		{"non-approver then approver", approve(24*time.Hour, contract.TimeoutReject), []attempt{
			{5 * time.Minute, "mallory", "mallory is not an approver"},
			{10 * time.Minute, approver, ""},
		}, "", contract.StateResolved},
		{"empty user", approve(24*time.Hour, contract.TimeoutReject), []attempt{
			{5 * time.Minute, "", "needs the deciding user"},
			{10 * time.Minute, approver, ""},
		}, "", contract.StateResolved},
		{"enforce mode", enforce(time.Hour, 3), []attempt{
			{30 * time.Minute, approver, "not awaiting approval: already Resolved"},
		}, contract.StateResolved, contract.StateResolved},
		{"after the decision", approve(24*time.Hour, contract.TimeoutReject), []attempt{
			{10 * time.Minute, approver, ""},
			{20 * time.Minute, "bob", "not awaiting approval: already Resolved by alice"},
		}, contract.StateResolved, contract.StateResolved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			updates := make([]*update, len(tc.attempts))
			for i, at := range tc.attempts {
				updates[i] = h.decide(at.at, "u"+string(rune('1'+i)), contract.Decision{Approve: true, User: at.user})
				if at.refused == "" {
					continue
				}
				// One minute after a refused attempt nothing has moved.
				h.at(at.at+time.Minute, func() {
					s := h.status()
					want := tc.wantState
					if want == "" {
						want = contract.StateAwaitingApproval
					}
					if s.State != want || (want == contract.StateAwaitingApproval && s.DecidedBy != "") {
						t.Errorf("after refusing %q: status = %+v, want %s", at.user, s, want)
					}
				})
			}
			res := h.remediate(remediationInput(violation(tc.settings)))

			for i, at := range tc.attempts {
				u := updates[i]
				switch {
				case at.refused == "" && (!u.accepted || !u.completed || u.rejected != nil):
					t.Errorf("attempt by %q = %+v, want accepted", at.user, u)
				case at.refused != "" && (u.accepted || u.completed || u.rejected == nil || !strings.Contains(u.rejected.Error(), at.refused)):
					t.Errorf("attempt by %q = %+v, want refused with %q", at.user, u, at.refused)
				}
			}
			if res.State != tc.final || res.Remediations != 1 {
				t.Errorf("result = %+v, want %s after 1 remediation", res, tc.final)
			}
			if res.DecidedBy != "" && res.DecidedBy != approver {
				t.Errorf("decided by %q, want only the approver to have decided", res.DecidedBy)
			}
			if h.applied() != 1 {
				t.Errorf("Apply called %d times, want 1", h.applied())
			}
		})
	}
}

// A violation fixed (or deleted) by someone else while it waits for
// approval closes without rectify touching the resource.
func TestRemediationClosedWhileAwaitingApproval(t *testing.T) {
	for _, tc := range []struct {
		name     string
		recheck  contract.Recheck
		wantNote string
	}{
		{"fixed elsewhere", contract.Recheck{Key: "run/2", Change: contract.Change{Actor: "arn:aws:iam::123456789012:user/ops"}},
			"policy passes again without rectify (last change by arn:aws:iam::123456789012:user/ops)"},
		{"deleted", contract.Recheck{Key: "run/2", Deleted: true}, "resource was deleted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			start := h.env.Now()
			h.recheck(time.Hour, tc.recheck)
			res := h.remediate(remediationInput(violation(approve(24*time.Hour, contract.TimeoutRemediate))))

			if res.State != contract.StateClosed || res.Remediations != 0 {
				t.Errorf("result = %+v, want Closed without remediations", res)
			}
			checkStates(t, h, contract.StateNew, contract.StateAwaitingApproval, contract.StateClosed)
			checkFindings(t, h, activities.FindingNew, activities.FindingResolved)
			if note := h.findings[1].Note; note != tc.wantNote {
				t.Errorf("finding note = %q, want %q", note, tc.wantNote)
			}
			h.env.AssertActivityNumberOfCalls(t, "Snapshot", 0)
			h.env.AssertActivityNumberOfCalls(t, "Apply", 0)
			if waited := h.env.Now().Sub(start); waited != time.Hour {
				t.Errorf("closed after %v, want at the recheck (1h), long before the 24h timeout", waited)
			}
		})
	}
}

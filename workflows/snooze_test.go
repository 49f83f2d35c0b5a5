package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/contract"
)

// A rejection snoozes the violation (versionSnoozeOnReject): sweeps stop
// asking, the policy passing closes it, and a real change of the resource
// asks again with what is there now.
func TestRemediationSnoozeOnReject(t *testing.T) {
	const snooze = 7 * 24 * time.Hour
	reject := contract.Decision{User: approver, Reason: "public website"}
	sweep := contract.Recheck{Key: "sweep-1", Violating: true, Message: "still open", Change: contract.Change{Source: "sweep", EventName: "Sweep"}}
	changed := contract.Recheck{Key: "ct-2", Violating: true, Message: "sg-0abc allows 0.0.0.0/0 on port 3389",
		Params: map[string]any{"rule_ids": []any{"sgr-2"}},
		Change: contract.Change{Source: "cloudtrail", EventName: "AuthorizeSecurityGroupIngress", EventID: "e2", Actor: "arn:aws:iam::123456789012:user/mallory"}}
	passing := contract.Recheck{Key: "sweep-2", Violating: false, Change: contract.Change{Source: "sweep"}}
	for _, tc := range []struct {
		name       string
		snooze     time.Duration
		rechecks   map[time.Duration]contract.Recheck
		approveAt  time.Duration
		wantStates []string
		wantEnd    time.Duration // workflow time at completion, from the start
		wantApply  []any         // rule ids applied, if any
	}{
		{name: "no snooze configured: ends at the rejection", rechecks: nil,
			wantStates: []string{contract.StateNew, contract.StateAwaitingApproval, contract.StateRejected}, wantEnd: 10 * time.Minute},
		{name: "sweeps are absorbed until the snooze ends", snooze: snooze,
			rechecks:   map[time.Duration]contract.Recheck{time.Hour: sweep, 6 * time.Hour: sweep},
			wantStates: []string{contract.StateNew, contract.StateAwaitingApproval, contract.StateRejected}, wantEnd: 10*time.Minute + snooze},
		{name: "a real change asks again", snooze: snooze,
			rechecks:   map[time.Duration]contract.Recheck{time.Hour: sweep, 2 * time.Hour: changed},
			approveAt:  3 * time.Hour,
			wantStates: []string{contract.StateNew, contract.StateAwaitingApproval, contract.StateRejected, contract.StateAwaitingApproval, contract.StateApproved, contract.StateRemediating, contract.StateResolved},
			wantApply:  []any{"sgr-2"}},
		{name: "fixed elsewhere closes it", snooze: snooze,
			rechecks:   map[time.Duration]contract.Recheck{time.Hour: passing},
			wantStates: []string{contract.StateNew, contract.StateAwaitingApproval, contract.StateRejected, contract.StateClosed}, wantEnd: time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			start := h.env.Now()
			s := approve(24*time.Hour, contract.TimeoutReject)
			s.RejectSnooze = tc.snooze
			h.decide(10*time.Minute, "reject-1", reject)
			for at, c := range tc.rechecks {
				h.recheck(at, c)
			}
			var late *update
			if tc.snooze > 0 {
				// A decision during the snooze is refused, and says until when.
				late = h.decide(90*time.Minute, "late-approve", contract.Decision{Approve: true, User: approver})
			}
			if tc.approveAt > 0 {
				h.decide(tc.approveAt, "approve-2", contract.Decision{Approve: true, User: approver})
			}
			res := h.remediate(remediationInput(violation(s)))
			checkStates(t, h, tc.wantStates...)
			if want := tc.wantStates[len(tc.wantStates)-1]; res.State != want {
				t.Errorf("result state %s, want %s", res.State, want)
			}
			if tc.wantEnd > 0 {
				if got := h.env.Now().Sub(start); got != tc.wantEnd {
					t.Errorf("ended %s after start, want %s", got, tc.wantEnd)
				}
			}
			if late != nil && tc.rechecks[time.Hour].Violating != false {
				if late.rejected == nil || !strings.Contains(late.rejected.Error(), "already Rejected by alice (snoozed until") {
					t.Errorf("decision during the snooze: %+v", late)
				}
			}
			if tc.wantApply == nil && h.applied() != 0 {
				t.Errorf("applied %d times after a rejection", h.applied())
			}
			if tc.wantApply != nil {
				if h.applied() != 1 {
					t.Fatalf("applied %d times, want 1", h.applied())
				}
				if got := h.applies[0].Params["rule_ids"]; len(got.([]any)) != 1 || got.([]any)[0] != tc.wantApply[0] {
					t.Errorf("applied %v, want the rule of the new change %v", got, tc.wantApply)
				}
				// The second ask says why it asks again, and who changed it.
				var asks []contract.Notification
				for _, n := range h.notified {
					if n.State == contract.StateAwaitingApproval && n.Reply == "" {
						asks = append(asks, n)
					}
				}
				if len(asks) != 2 || !strings.Contains(asks[1].Detail, "changed again") || !strings.Contains(asks[1].Detail, "mallory") || asks[1].Actor != changed.Change.Actor {
					t.Errorf("asks = %+v", asks)
				}
			}
		})
	}
}

package workflows_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
)

// Reminders and the escalation mention are thread replies at their delays,
// and stop as soon as someone decides.
func TestRemediationReminders(t *testing.T) {
	for _, tc := range []struct {
		name       string
		decideAt   time.Duration // 0: never
		wantAt     []time.Duration
		wantFinal  string
		wantMentio bool
	}{
		{"all nudges then escalate", 0, []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour}, contract.StateEscalated, true},
		{"decided after the first", 90 * time.Minute, []time.Duration{time.Hour}, contract.StateResolved, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			s := approve(4*time.Hour, contract.TimeoutEscalate)
			s.Reminders = []time.Duration{time.Hour, 2 * time.Hour, 9 * time.Hour} // the last is past the timeout
			s.EscalateBefore = time.Hour
			s.EscalationMention = "<!subteam^S0SEC>"
			start := h.env.Now()
			var replies []time.Duration
			var texts []string
			h.onNotify = func(n contract.Notification) {
				if n.Reply != "" {
					replies = append(replies, h.env.Now().Sub(start))
					texts = append(texts, n.Reply)
				}
			}
			if tc.decideAt > 0 {
				h.decide(tc.decideAt, "d1", contract.Decision{Approve: true, User: approver})
			}
			res := h.remediate(remediationInput(violation(s)))
			if res.State != tc.wantFinal {
				t.Errorf("final state %s, want %s", res.State, tc.wantFinal)
			}
			if len(replies) != len(tc.wantAt) {
				t.Fatalf("replies at %v, want at %v (%q)", replies, tc.wantAt, texts)
			}
			for i := range replies {
				if replies[i] != tc.wantAt[i] {
					t.Errorf("reply %d at %v, want %v", i, replies[i], tc.wantAt[i])
				}
			}
			if got := strings.Contains(strings.Join(texts, "\n"), "<!subteam^S0SEC>"); got != tc.wantMentio {
				t.Errorf("mention posted = %v, want %v: %q", got, tc.wantMentio, texts)
			}
		})
	}
}

func TestRemediationTimeoutActions(t *testing.T) {
	for _, tc := range []struct {
		action                 contract.TimeoutAction
		wantState, wantFinding string
	}{
		{contract.TimeoutSkip, contract.StateExpired, activities.FindingNotified},
		{contract.TimeoutEscalate, contract.StateEscalated, activities.FindingNotified},
	} {
		t.Run(string(tc.action), func(t *testing.T) {
			h := newHarness(t)
			res := h.remediate(remediationInput(violation(approve(time.Hour, tc.action))))
			if res.State != tc.wantState || h.applied() != 0 {
				t.Errorf("state %s with %d applies, want %s and none", res.State, h.applied(), tc.wantState)
			}
			checkFindings(t, h, activities.FindingNew, tc.wantFinding)
		})
	}
}

// Undo restores the snapshot, checks the old state is back, exempts the
// resource for ExemptFor and records SUPPRESSED with who and why.
func TestRemediationUndo(t *testing.T) {
	h := newHarness(t)
	s := enforce(time.Hour, 3)
	s.UndoWindow = 24 * time.Hour
	s.ExemptFor = 7 * 24 * time.Hour
	// After the undo the policy fails again: the old rule is back.
	h.verifyOut = func(call int) activities.VerifyOutput {
		return activities.VerifyOutput{Exists: true, Violating: call > 1}
	}
	refused := h.undo(time.Minute, contract.UndoRequest{User: "mallory"})
	done := h.undo(2*time.Hour, contract.UndoRequest{User: approver, Reason: "breaks the bastion"})
	start := h.env.Now()
	res := h.remediate(remediationInput(violation(s)))

	if refused.rejected == nil || !strings.Contains(refused.rejected.Error(), "not an approver") {
		t.Errorf("mallory's undo: %+v", refused)
	}
	if !done.completed || done.result.State != contract.StateUndone {
		t.Fatalf("undo: %+v", done)
	}
	if res.State != contract.StateUndone || res.DecidedBy != approver || !strings.Contains(res.Reason, "breaks the bastion") {
		t.Errorf("result = %+v", res)
	}
	if len(h.undone) != 1 || h.undone[0].Snapshot.Action != "ec2_revoke_ingress" {
		t.Errorf("undo activity calls = %+v", h.undone)
	}
	if len(h.tagged) != 1 || h.tagged[0].PolicyID != policyID || h.tagged[0].Until.Sub(start) != 2*time.Hour+7*24*time.Hour {
		t.Errorf("exempt tags = %+v", h.tagged)
	}
	checkFindings(t, h, activities.FindingNew, activities.FindingResolved, activities.FindingSuppressed)
	if note := h.findings[2].Note; !strings.Contains(note, approver) || !strings.Contains(note, "breaks the bastion") {
		t.Errorf("suppressed note = %q", note)
	}
	var offered bool
	for _, n := range h.notified {
		offered = offered || (n.State == contract.StateResolved && n.AskUndo)
	}
	if !offered {
		t.Error("the Resolved message did not offer Undo")
	}
}

func TestRemediationUndoRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Duration
		s    func() contract.Settings
		want string
	}{
		{"after the window", 3 * time.Hour, func() contract.Settings {
			s := enforce(4*time.Hour, 3)
			s.UndoWindow = 2 * time.Hour
			return s
		}, "undo window closed"},
		{"nothing changed", time.Minute, func() contract.Settings { return enforce(time.Hour, 3) }, "nothing to undo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.name == "nothing changed" {
				h.applyOut = func(int) activities.ApplyOutput { return activities.ApplyOutput{Summary: "already fixed"} }
			}
			u := h.undo(tc.at, contract.UndoRequest{User: approver})
			h.remediate(remediationInput(violation(tc.s())))
			if u.rejected == nil || !strings.Contains(u.rejected.Error(), tc.want) {
				t.Errorf("undo = %+v, want refused with %q", u, tc.want)
			}
			if len(h.undone) != 0 {
				t.Errorf("undo ran %d times", len(h.undone))
			}
		})
	}
}

// A recurrence is fixed with the params of the new verdict: the rule that
// came back has a new id.
func TestRemediationRecurrenceUsesFreshParams(t *testing.T) {
	h := newHarness(t)
	h.recheck(10*time.Minute, contract.Recheck{Key: "k2", Violating: true, Params: map[string]any{"rule_ids": []any{"sgr-new"}}})
	h.remediate(remediationInput(violation(enforce(time.Hour, 3))))
	if len(h.applies) != 2 {
		t.Fatalf("applies = %d, want 2", len(h.applies))
	}
	if got := h.applies[1].Params["rule_ids"]; !strings.Contains(strings.Join(toStrings(got), ","), "sgr-new") {
		t.Errorf("second apply params = %v, want the new rule id", h.applies[1].Params)
	}
}

func toStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// Undo is offered by the Resolved message itself, so an undo clicked the
// moment that message arrives (while the workflow still waits for the
// notification to return) is taken, not refused with a closed window.
func TestRemediationUndoRightAfterResolved(t *testing.T) {
	h := newHarness(t)
	s := enforce(time.Hour, 3)
	s.UndoWindow = 24 * time.Hour
	s.ExemptFor = time.Hour
	u := &update{}
	h.onNotify = func(n contract.Notification) {
		if n.State != contract.StateResolved || !n.AskUndo {
			return
		}
		h.env.UpdateWorkflow(contract.UpdateUndo, "undo-now", &testsuite.TestUpdateCallback{
			OnAccept: func() { u.accepted = true },
			OnReject: func(err error) { u.rejected = err },
			OnComplete: func(v any, err error) {
				u.completed = err == nil
				u.result = jsonAs[contract.DecisionResult](t, v)
			},
		}, contract.UndoRequest{User: approver})
	}
	h.verifyOut = func(call int) activities.VerifyOutput {
		return activities.VerifyOutput{Exists: true, Violating: call > 1}
	}
	res := h.remediate(remediationInput(violation(s)))
	if u.rejected != nil || !u.completed || res.State != contract.StateUndone {
		t.Errorf("undo at the Resolved message: rejected %v, completed %v, result %+v; want it undone", u.rejected, u.completed, res)
	}
}

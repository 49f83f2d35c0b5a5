package workflows_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
)

// New lives in the start attributes and the first upsert; every later
// state goes through setState, so the status history is the upserts
// after New, and the UI can never disagree with the workflow.
func checkStates(t *testing.T, h *harness, want ...string) {
	t.Helper()
	got := h.upserted()
	if !slices.Equal(got, want) {
		t.Errorf("RectifyState upserts = %v, want %v", got, want)
	}
	if hist := historyStates(h.status()); !slices.Equal(hist, want[1:]) {
		t.Errorf("status history = %v, want %v", hist, want[1:])
	}
}

func checkFindings(t *testing.T, h *harness, want ...string) {
	t.Helper()
	if got := h.findingStatuses(); !slices.Equal(got, want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
}

func TestRemediationEnforceFixesVerifiesAndWatches(t *testing.T) {
	h := newHarness(t)
	start := h.env.Now()
	res := h.remediate(remediationInput(violation(enforce(time.Hour, 3))))

	if res.State != contract.StateResolved || res.Remediations != 1 || len(res.Snapshots) != 1 {
		t.Errorf("result = %+v, want Resolved after 1 remediation with 1 snapshot", res)
	}
	checkStates(t, h, contract.StateNew, contract.StateRemediating, contract.StateResolved)
	checkFindings(t, h, activities.FindingNew, activities.FindingResolved)
	if h.snapshots != 1 || h.verifies != 1 {
		t.Errorf("snapshots, verifies = %d, %d; want 1, 1", h.snapshots, h.verifies)
	}
	want := activities.ActionInput{Action: "ec2_revoke_ingress", Ref: sg, Params: map[string]any{"rule_ids": []any{"sgr-1"}}}
	if len(h.applies) != 1 || !reflect.DeepEqual(h.applies[0], want) {
		t.Errorf("applies = %+v, want [%+v]", h.applies, want)
	}
	for _, f := range h.findings {
		if f.WorkflowID != contract.RemediationID(policyID, sg.ARN) || f.PolicyID != policyID || f.Ref != sg || !f.DetectedAt.Equal(start) {
			t.Errorf("finding %s = %+v, want it keyed by the workflow, policy and resource, detected at %v", f.Status, f, start)
		}
	}
	// The Slack message is updated in place: every later notification
	// carries the thread handle of the first.
	if n := h.notified; len(n) != 2 || n[0].Thread != "" || n[1].Thread != "slack-ts-1" || n[0].Actor != "arn:aws:iam::123456789012:user/dev" {
		t.Errorf("notifications = %+v, want a first message then an in-place update naming the actor", n)
	}
	if waited := h.env.Now().Sub(start); waited < time.Hour {
		t.Errorf("completed after %v, want it to watch for the 1h window", waited)
	}
}

// The NEW finding waits for its Security Hub batch; the fix must not wait
// with it, and the RESOLVED finding must still follow the NEW one. The NEW
// write here is held until the fix has been applied: a workflow that
// waited for it before fixing would never apply.
func TestRemediationFixesBesideTheFirstFinding(t *testing.T) {
	h := newHarness(t)
	applied := make(chan struct{})
	h.applyOut = func(int) activities.ApplyOutput {
		close(applied)
		return activities.ApplyOutput{Changed: true, Summary: "revoked sgr-1"}
	}
	h.onFinding = func(call int, f activities.FindingInput) {
		if call != 1 {
			return
		}
		select {
		case <-applied:
		case <-time.After(2 * time.Second): // inside the test environment's 3s
			t.Errorf("the fix waited for the %s finding's write", f.Status)
		}
	}
	res := h.remediate(remediationInput(violation(enforce(time.Hour, 3))))
	if res.State != contract.StateResolved || len(h.applies) != 1 {
		t.Errorf("result = %+v after %d applies, want Resolved after 1", res, len(h.applies))
	}
	checkFindings(t, h, activities.FindingNew, activities.FindingResolved)
}

// The state leads its finding: Resolved is set (and humans told) while the
// RESOLVED write still waits for its Security Hub batch, and the run still
// ends only after that write.
func TestRemediationStateLeadsItsFinding(t *testing.T) {
	h := newHarness(t)
	resolved := make(chan struct{})
	h.onNotify = func(n contract.Notification) {
		if n.State == contract.StateResolved {
			close(resolved)
		}
	}
	var written time.Time
	h.onFinding = func(_ int, f activities.FindingInput) {
		if f.Status != activities.FindingResolved {
			return
		}
		select {
		case <-resolved:
		case <-time.After(2 * time.Second): // inside the test environment's 3s
			t.Errorf("Resolved waited for the %s finding's write", f.Status)
		}
		written = time.Now()
	}
	res := h.remediate(remediationInput(violation(enforce(time.Hour, 3))))
	if res.State != contract.StateResolved || written.IsZero() {
		t.Errorf("result = %+v, RESOLVED written at %v; want Resolved after the write", res, written)
	}
	checkFindings(t, h, activities.FindingNew, activities.FindingResolved)
}

// With Security Hub refusing calls, the NEW finding's write is still in
// flight when the fix is verified: Resolved does not wait for it
// (versionFindingsQueued), and RESOLVED is still written after NEW. Before
// it, the RESOLVED write waited for NEW, and the state for both; the chaos
// suite's securityhub-down scenario saw Resolved two minutes late.
func TestRemediationResolvedWhileFindingsWait(t *testing.T) {
	h := newHarness(t)
	resolved := make(chan struct{})
	h.onNotify = func(n contract.Notification) {
		if n.State == contract.StateResolved {
			close(resolved)
		}
	}
	h.onFinding = func(_ int, f activities.FindingInput) {
		if f.Status != activities.FindingNew {
			return
		}
		select {
		case <-resolved:
		case <-time.After(2 * time.Second): // inside the test environment's 3s
			t.Errorf("Resolved waited for the NEW finding's write")
		}
	}
	if res := h.remediate(remediationInput(violation(enforce(time.Hour, 3)))); res.State != contract.StateResolved {
		t.Errorf("state = %s, want %s", res.State, contract.StateResolved)
	}
	checkFindings(t, h, activities.FindingNew, activities.FindingResolved)
}

// A violation whose start request carried every search attribute (as
// Evaluate's dispatch does) upserts only its state changes: each upsert is
// one more visibility write on the server. One started without them, as
// recorded histories were, still sets them first.
func TestRemediationUpsertsOnlyWhatTheStartLacked(t *testing.T) {
	for _, tc := range []struct {
		name       string
		withAttrs  bool
		wantStates []string
	}{
		{"started with attributes", true, []string{contract.StateRemediating, contract.StateResolved}},
		{"started without", false, []string{contract.StateNew, contract.StateRemediating, contract.StateResolved}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			in := remediationInput(violation(enforce(time.Hour, 3)))
			in.StartedWithAttributes = tc.withAttrs
			if res := h.remediate(in); res.State != contract.StateResolved {
				t.Fatalf("state = %s, want %s", res.State, contract.StateResolved)
			}
			if got := h.upserted(); !slices.Equal(got, tc.wantStates) {
				t.Errorf("RectifyState upserts = %v, want %v", got, tc.wantStates)
			}
			if h.upserts != len(tc.wantStates) {
				t.Errorf("%d upserts, want one per state %v", h.upserts, tc.wantStates)
			}
		})
	}
}

// Dry runs, exemptions and policies without an action never change the
// resource.
func TestRemediationWithoutChange(t *testing.T) {
	noAction := violation(enforce(time.Hour, 3))
	noAction.Remediation = "none"
	exempt := violation(enforce(time.Hour, 3))
	exempt.Exemption = activities.Exemption{Exempt: true, Reason: "legacy bastion"}
	notify := enforce(time.Hour, 3)
	notify.Mode = contract.ModeNotify

	for _, tc := range []struct {
		name        string
		v           contract.Violation
		wantState   string
		wantFinding string
		wantNote    string
	}{
		{"notify mode", violation(notify), contract.StateNotified, activities.FindingNotified, "dry run: would revoke ingress rule(s) sgr-1"},
		{"enforce without action", noAction, contract.StateNotified, activities.FindingNotified, "dry run: would notify only"},
		{"exempt", exempt, contract.StateSuppressed, activities.FindingSuppressed, "exempt: legacy bastion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			start := h.env.Now()
			res := h.remediate(remediationInput(tc.v))

			if res.State != tc.wantState || res.Remediations != 0 {
				t.Errorf("result = %+v, want %s without remediations", res, tc.wantState)
			}
			checkStates(t, h, contract.StateNew, tc.wantState)
			checkFindings(t, h, activities.FindingNew, tc.wantFinding)
			if note := h.findings[len(h.findings)-1].Note; !strings.HasPrefix(note, tc.wantNote) {
				t.Errorf("finding note = %q, want prefix %q", note, tc.wantNote)
			}
			h.env.AssertActivityNumberOfCalls(t, "Snapshot", 0)
			h.env.AssertActivityNumberOfCalls(t, "Apply", 0)
			h.env.AssertActivityNumberOfCalls(t, "VerifyPolicy", 0)
			if waited := h.env.Now().Sub(start); waited != 0 {
				t.Errorf("completed after %v, want at once (nothing to watch)", waited)
			}
		})
	}
}

func TestRemediationVerificationFails(t *testing.T) {
	h := newHarness(t)
	h.verifyOut = func(int) activities.VerifyOutput { return activities.VerifyOutput{Exists: true, Violating: true} }
	start := h.env.Now()
	res := h.remediate(remediationInput(violation(enforce(time.Hour, 3))))

	if res.State != contract.StateFailed || !strings.Contains(res.Reason, "still fails after ec2_revoke_ingress (5 reads)") {
		t.Errorf("result = %+v, want Failed with the reason", res)
	}
	checkStates(t, h, contract.StateNew, contract.StateRemediating, contract.StateFailed)
	checkFindings(t, h, activities.FindingNew, activities.FindingFailed)
	// Five reads with 1+2+4+8 s of backoff between them, then no watch.
	if h.verifies != 5 {
		t.Errorf("VerifyPolicy called %d times, want 5", h.verifies)
	}
	if waited := h.env.Now().Sub(start); waited != 15*time.Second {
		t.Errorf("completed after %v, want 15s of verify backoff and no watch window", waited)
	}
}

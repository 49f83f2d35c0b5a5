package workflows_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/exempt"
)

// Every state change is one audit record: New at index 0, then one per
// state, each under its own key, with what an auditor asks for.
func TestAuditTrailEnforce(t *testing.T) {
	h := newHarness(t)
	start := h.env.Now()
	h.remediate(remediationInput(violation(enforce(time.Hour, 3))))

	if got, want := h.auditStates(), []string{contract.StateNew, contract.StateRemediating, contract.StateResolved}; !slices.Equal(got, want) {
		t.Fatalf("audited states = %v, want %v", got, want)
	}
	keys := map[string]bool{}
	for _, r := range h.audits {
		keys[r.Key("p")] = true
		if err := r.Validate(); err != nil {
			t.Errorf("record %s: %v", r.State, err)
		}
		if r.ViolationID == "" || r.ViolationID != h.audits[0].ViolationID || r.RunID == "" {
			t.Errorf("record %s: violation %q run %q, want one non-empty violation id for all", r.State, r.ViolationID, r.RunID)
		}
		if r.WorkflowID != contract.RemediationID(policyID, sg.ARN) || r.FindingID != contract.FindingID(policyID, sg.ARN) ||
			r.Resource.ARN != sg.ARN || r.Account != sg.Account || r.Region != sg.Region || r.Mode != "enforce" ||
			!slices.Equal(r.CIS, []string{"5.2"}) || r.Change.EventName != "AuthorizeSecurityGroupIngress" || !r.DetectedAt.Equal(start) {
			t.Errorf("record %s = %+v", r.State, r)
		}
	}
	if len(keys) != 3 {
		t.Errorf("%d distinct keys for 3 state changes", len(keys))
	}
	if got := h.decisions(); !maps.Equal(got, map[string]float64{contract.DecisionAuto: 1}) {
		t.Errorf("decisions = %v, want one automatic", got)
	}
	if r := h.audited(contract.StateNew); r.Actor != "arn:aws:iam::123456789012:user/dev" || !r.Time.Equal(start) {
		t.Errorf("New record: actor %q at %v, want the change's actor at detection", r.Actor, r.Time)
	}
	res := h.audited(contract.StateResolved)
	sum := sha256.Sum256([]byte(`{"group_id":"sg-0abc"}`))
	if res.Actor != audit.ActorRectify || res.Remediations != 1 || res.Action != "ec2_revoke_ingress" || res.Detail != "revoked sgr-1" ||
		res.Snapshot == nil || res.Snapshot.SHA256 != hex.EncodeToString(sum[:]) || !strings.HasSuffix(res.Snapshot.Ref, "#snapshots[0]") {
		t.Errorf("Resolved record = %+v (snapshot %+v)", res, res.Snapshot)
	}
}

// Decisions name their decider as the actor; timeouts name "timeout".
func TestAuditTrailDecisions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		decide    *contract.Decision
		onTimeout contract.TimeoutAction
		states    []string
		actor     string // of the decision's state
		reason    string
		decision  string // counted in rectify_decisions_total; "" none
	}{
		{"approved", &contract.Decision{Approve: true, User: approver}, contract.TimeoutReject,
			[]string{contract.StateNew, contract.StateAwaitingApproval, contract.StateApproved, contract.StateRemediating, contract.StateResolved}, approver, "", contract.DecisionApprove},
		{"rejected", &contract.Decision{User: "bob", Reason: "maintenance window"}, contract.TimeoutReject,
			[]string{contract.StateNew, contract.StateAwaitingApproval, contract.StateRejected}, "bob", "maintenance window", contract.DecisionReject},
		{"expired", nil, contract.TimeoutReject,
			[]string{contract.StateNew, contract.StateAwaitingApproval, contract.StateExpired}, audit.ActorTimeout, "", ""},
		{"remediated on timeout", nil, contract.TimeoutRemediate,
			[]string{contract.StateNew, contract.StateAwaitingApproval, contract.StateApproved, contract.StateRemediating, contract.StateResolved}, audit.ActorTimeout, "", contract.DecisionAuto},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.decide != nil {
				h.decide(time.Minute, "d1", *tc.decide)
			}
			h.remediate(remediationInput(violation(approve(time.Hour, tc.onTimeout))))
			if got := h.auditStates(); !slices.Equal(got, tc.states) {
				t.Fatalf("audited states = %v, want %v", got, tc.states)
			}
			r := h.audited(tc.states[2])
			if r.Actor != tc.actor || r.Reason != tc.reason || r.Mode != "approve" {
				t.Errorf("%s record: actor %q reason %q mode %q, want %q %q approve", r.State, r.Actor, r.Reason, r.Mode, tc.actor, tc.reason)
			}
			want := map[string]float64{}
			if tc.decision != "" {
				want[tc.decision] = 1
			}
			if got := h.decisions(); !maps.Equal(got, want) {
				t.Errorf("decisions = %v, want %v", got, want)
			}
			if tc.decide != nil && r.DecidedBy != tc.decide.User {
				t.Errorf("%s record decided by %q, want %q", r.State, r.DecidedBy, tc.decide.User)
			}
		})
	}
}

// An exempt violation's record says which exemption, whose and until when;
// an undo's says who undid it and until when the resource is exempt.
func TestAuditTrailExemptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		ex   exempt.Exemption
		want audit.Exemption
	}{
		{"tag", exempt.Exemption{Exempt: true, Reason: "tag rectify:exempt=all until 2027-01-01", Until: "2027-01-01"},
			audit.Exemption{Source: audit.ExemptByTag, Reason: "tag rectify:exempt=all until 2027-01-01", Until: "2027-01-01"}},
		{"config", exempt.Exemption{Exempt: true, Reason: "config exemption", Owner: "platform", Until: "2027-03-31"},
			audit.Exemption{Source: audit.ExemptByConfig, Reason: "config exemption", Owner: "platform", Until: "2027-03-31"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			v := violation(enforce(time.Hour, 3))
			v.Exemption = tc.ex
			h.remediate(remediationInput(v))
			r := h.audited(contract.StateSuppressed)
			if r.Exemption == nil || *r.Exemption != tc.want || r.Seq != 1 {
				t.Errorf("Suppressed record exemption %+v (index %d), want %+v at 1", r.Exemption, r.Seq, tc.want)
			}
		})
	}

	t.Run("undo", func(t *testing.T) {
		h := newHarness(t)
		s := enforce(time.Hour, 3)
		s.UndoWindow, s.ExemptFor = 2*time.Hour, 24*time.Hour
		h.undo(10*time.Minute, contract.UndoRequest{User: approver, Reason: "breaks the build agents"})
		start := h.env.Now()
		h.remediate(remediationInput(violation(s)))
		r := h.audited(contract.StateUndone)
		until := start.Add(10*time.Minute + 24*time.Hour).UTC().Format(time.RFC3339)
		want := audit.Exemption{Source: audit.ExemptByUndo, Reason: "breaks the build agents", Owner: approver, Until: until}
		if got := h.decisions(); !maps.Equal(got, map[string]float64{contract.DecisionAuto: 1, contract.DecisionUndo: 1}) {
			t.Errorf("decisions = %v, want the automatic fix and its undo", got)
		}
		if r.Actor != approver || r.DecidedBy != approver || r.Exemption == nil || *r.Exemption != want || r.Snapshot == nil {
			t.Errorf("Undone record: actor %q decided by %q exemption %+v snapshot %v, want %s and %+v", r.Actor, r.DecidedBy, r.Exemption, r.Snapshot, approver, want)
		}
	})
}

// The state leads its record as it leads its finding: the fix does not
// wait for New's record, Resolved is set before its record is written, and
// the run ends only after every record.
func TestAuditTrailLeadsAndNeverBlocksTheFix(t *testing.T) {
	h := newHarness(t)
	applied := make(chan struct{})
	resolved := make(chan struct{})
	h.applyOut = func(int) activities.ApplyOutput {
		close(applied)
		return activities.ApplyOutput{Changed: true, Summary: "revoked sgr-1"}
	}
	h.onNotify = func(n contract.Notification) {
		if n.State == contract.StateResolved {
			close(resolved)
		}
	}
	var lastWrite time.Time
	h.onAudit = func(_ int, r audit.Record) error {
		wait := map[string]chan struct{}{contract.StateNew: applied, contract.StateResolved: resolved}[r.State]
		if wait != nil {
			select {
			case <-wait:
			case <-time.After(2 * time.Second): // inside the test environment's 3s
				t.Errorf("the workflow waited for the %s record's write", r.State)
			}
		}
		lastWrite = time.Now()
		return nil
	}
	res := h.remediate(remediationInput(violation(enforce(time.Hour, 3))))
	if res.State != contract.StateResolved || lastWrite.IsZero() || len(h.auditStates()) != 3 {
		t.Errorf("result %+v with %d records, want Resolved after all 3 were written", res, len(h.audits))
	}
}

// A record that cannot be written (after its retries) fails the run at
// its end, visibly, but never undoes or holds up the fix.
func TestAuditTrailFailureIsVisibleNotBlocking(t *testing.T) {
	h := newHarness(t)
	h.onAudit = func(_ int, r audit.Record) error {
		if r.State == contract.StateNew {
			return temporal.NewNonRetryableApplicationError("access denied", "AccessDenied", nil)
		}
		return nil
	}
	h.env.ExecuteWorkflow(contract.RemediationWorkflow, remediationInput(violation(enforce(time.Hour, 3))))
	err := h.env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !strings.Contains(err.Error(), "record audit") {
		t.Fatalf("workflow error = %v, want the audit write's failure", err)
	}
	if h.applied() != 1 || h.status().State != contract.StateResolved {
		t.Errorf("%d applies, state %s: want the fix done and Resolved despite the audit failure", h.applied(), h.status().State)
	}
}

// A worker without an audit trail marks its violations so: the workflow
// then schedules no audit write at all.
func TestAuditTrailOff(t *testing.T) {
	h := newHarness(t)
	s := enforce(time.Hour, 3)
	s.Audit = false
	if res := h.remediate(remediationInput(violation(s))); res.State != contract.StateResolved {
		t.Fatalf("state %s", res.State)
	}
	h.env.AssertActivityNumberOfCalls(t, "RecordAudit", 0)
}

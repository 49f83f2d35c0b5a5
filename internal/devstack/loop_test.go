package devstack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/events"
	"github.com/rectifyhq/rectify/internal/fakecloud"
)

// TestEnforce: both insecure changes are reverted by rectify on its own,
// verified, recorded RESOLVED/PASSED/ARCHIVED, and rectify's own changes do
// not start a second remediation.
func TestEnforce(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil) // both policies default to enforce
	s.openSSH(ctx)
	s.removePAB(ctx)

	for _, c := range []struct {
		policy string
		ref    string
	}{{PolicySGAdminPorts, s.sg.ARN}, {PolicyS3PAB, s.bucket.ARN}} {
		id := contract.RemediationID(c.policy, c.ref)
		st := s.waitState(id, contract.StateResolved)
		if st.Remediations != 1 {
			t.Errorf("%s: remediations = %d, want 1", id, st.Remediations)
		}
	}
	if s.sshOpen(ctx) {
		t.Error("tcp/22 is still open to the world")
	}
	if !s.pabComplete(ctx) {
		t.Error("public access block is not complete")
	}
	for _, c := range []struct {
		policy string
		ref    string
	}{{PolicySGAdminPorts, s.sg.ARN}, {PolicyS3PAB, s.bucket.ARN}} {
		ref := s.sg
		if c.policy == PolicyS3PAB {
			ref = s.bucket
		}
		f := s.finding(ctx, c.policy, ref, shtypes.WorkflowStatusResolved)
		if f.Workflow.Status != shtypes.WorkflowStatusResolved || f.Compliance.Status != shtypes.ComplianceStatusPassed || f.RecordState != shtypes.RecordStateArchived {
			t.Errorf("%s finding: workflow %s, compliance %s, record %s; want RESOLVED/PASSED/ARCHIVED",
				c.policy, f.Workflow.Status, f.Compliance.Status, f.RecordState)
		}
		if got := aws.ToString(f.GeneratorId); got != "rectify/"+c.policy {
			t.Errorf("generator id = %q", got)
		}
	}

	// Loop prevention, layer 1: rectify's own revoke and put are CloudTrail
	// events too; the starter must drop them, so each violation has one run.
	if n := s.events.count("RevokeSecurityGroupIngress", RemediationRoleName); n != 1 {
		t.Errorf("remediation role revoked %d times, want 1", n)
	}
	deadline := time.Now().Add(20 * time.Second)
	for s.app.Stats.Snapshot().Ignored[events.CategoryRemediation] < 2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := s.app.Stats.Snapshot().Ignored[events.CategoryRemediation]; got < 2 {
		t.Errorf("starter ignored %d events of the remediation role, want >= 2", got)
	}
	for _, id := range []string{contract.RemediationID(PolicySGAdminPorts, s.sg.ARN), contract.RemediationID(PolicyS3PAB, s.bucket.ARN)} {
		if n := s.runs(ctx, id); n != 1 {
			t.Errorf("%s has %d runs, want 1", id, n)
		}
	}
}

// TestNotify: dry run records and notifies but changes nothing.
func TestNotify(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) { c.DryRun = true })
	s.openSSH(ctx)
	id := contract.RemediationID(PolicySGAdminPorts, s.sg.ARN)
	s.waitState(id, contract.StateNotified)
	if !s.sshOpen(ctx) {
		t.Error("notify mode changed the security group")
	}
	if n := s.events.count("RevokeSecurityGroupIngress", ""); n != 0 {
		t.Errorf("notify mode made %d revoke calls", n)
	}
	f := s.finding(ctx, PolicySGAdminPorts, s.sg, shtypes.WorkflowStatusNotified)
	if f.Workflow.Status != shtypes.WorkflowStatusNotified || f.Compliance.Status != shtypes.ComplianceStatusFailed {
		t.Errorf("finding: workflow %s, compliance %s; want NOTIFIED/FAILED", f.Workflow.Status, f.Compliance.Status)
	}
}

// TestApprove covers the three ends of approve mode.
func TestApprove(t *testing.T) {
	approve := func(timeout time.Duration) func(*config.Config) {
		return func(c *config.Config) {
			c.Policies = map[string]config.PolicySettings{PolicyS3PAB: {Mode: contract.ModeApprove, ApprovalTimeout: config.Duration(timeout)}}
		}
	}
	tests := []struct {
		name      string
		timeout   time.Duration
		decide    *contract.Decision
		wantState string
		wantFixed bool
	}{
		{"approved", time.Hour, &contract.Decision{Approve: true, User: HumanUser}, contract.StateResolved, true},
		{"rejected", time.Hour, &contract.Decision{Approve: false, User: HumanUser, Reason: "bucket hosts the public website"}, contract.StateRejected, false},
		{"timed out", 2 * time.Second, nil, contract.StateExpired, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStack(t, approve(tt.timeout))
			s.removePAB(ctx)
			id := contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
			s.waitState(id, contract.StateAwaitingApproval)
			if tt.decide != nil {
				// A non-approver is refused and changes nothing.
				if _, err := contract.Decide(ctx, temporalServer.Client, id, "", contract.Decision{Approve: true, User: "mallory"}); err == nil {
					t.Fatal("mallory's approval was accepted")
				}
				res, err := contract.Decide(ctx, temporalServer.Client, id, "", *tt.decide)
				if err != nil {
					t.Fatal(err)
				}
				if res.State != map[bool]string{true: contract.StateApproved, false: contract.StateRejected}[tt.decide.Approve] {
					t.Errorf("decision result = %+v", res)
				}
			}
			st := s.waitState(id, tt.wantState)
			if got := s.pabComplete(ctx); got != tt.wantFixed {
				t.Errorf("public access block complete = %v, want %v", got, tt.wantFixed)
			}
			if tt.decide != nil && st.DecidedBy != tt.decide.User {
				t.Errorf("decided by %q, want %q", st.DecidedBy, tt.decide.User)
			}
			if tt.decide != nil && !tt.decide.Approve && st.Reason != tt.decide.Reason {
				t.Errorf("reason = %q, want %q", st.Reason, tt.decide.Reason)
			}
			// A decision after the end is refused with the state it ended in.
			if _, err := contract.Decide(ctx, temporalServer.Client, id, "", contract.Decision{Approve: true, User: HumanUser}); err == nil && tt.wantState != contract.StateResolved {
				t.Error("a second decision was accepted")
			}
		})
	}
}

// TestRecurringDriftEscalates: someone keeps re-opening the port; after the
// budget of remediations rectify stops and escalates to humans.
func TestRecurringDriftEscalates(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) {
		c.Defaults.MaxRemediations = 2
	})
	id := contract.RemediationID(PolicySGAdminPorts, s.sg.ARN)
	for i := 1; i <= 2; i++ {
		s.openSSH(ctx)
		waitFor(t, "remediation "+string(rune('0'+i)), func() bool {
			st, err := queryStatus(ctx, id)
			return err == nil && st.Remediations == i && st.State == contract.StateResolved
		})
	}
	s.openSSH(ctx)
	st := s.waitState(id, contract.StateEscalated)
	if st.Remediations != 2 {
		t.Errorf("remediations = %d, want 2 (the budget)", st.Remediations)
	}
	if !s.sshOpen(ctx) {
		t.Error("rectify kept fighting after escalating")
	}
	if n := s.events.count("RevokeSecurityGroupIngress", RemediationRoleName); n != 2 {
		t.Errorf("revokes = %d, want 2", n)
	}
}

// TestBurst: 50 events on one resource cost at most two evaluation passes,
// and the final state (world-open SSH) is the one acted on.
func TestBurst(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) { c.Settle = config.Duration(2 * time.Second) })
	ec := s.ec2()
	for i := range 49 {
		if _, err := ec.CreateTags(ctx, &ec2.CreateTagsInput{
			Resources: []string{s.sg.ID},
			Tags:      []ec2types.Tag{{Key: aws.String("touch"), Value: aws.String(time.Duration(i).String())}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	s.openSSH(ctx) // the 50th event
	s.waitState(contract.RemediationID(PolicySGAdminPorts, s.sg.ARN), contract.StateResolved)
	run := temporalServer.Client.GetWorkflow(ctx, contract.EvaluateID(s.sg.ARN), "")
	var res contract.EvaluateResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if res.Changes != 50 {
		t.Errorf("evaluate saw %d changes, want 50", res.Changes)
	}
	if res.Passes < 1 || res.Passes > 2 {
		t.Errorf("evaluation passes = %d, want 1 or 2", res.Passes)
	}
	if s.sshOpen(ctx) {
		t.Error("final state not remediated")
	}
}

// TestWorkerCrashMidRemediation: the worker dies while the revoke is in
// flight; a new worker finishes the job with exactly one applied change.
func TestWorkerCrashMidRemediation(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	if err := s.cloud.InjectFault(fakecloud.Fault{Service: "ec2", Action: "RevokeSecurityGroupIngress", Latency: 3 * time.Second}); err != nil {
		t.Fatal(err)
	}
	s.openSSH(ctx)
	id := contract.RemediationID(PolicySGAdminPorts, s.sg.ARN)
	s.waitState(id, contract.StateRemediating)
	time.Sleep(time.Second) // the revoke is now waiting in the fake cloud
	s.app.Stop()
	s.startApp(ctx)
	st := s.waitState(id, contract.StateResolved)
	if st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	if n := s.events.count("RevokeSecurityGroupIngress", RemediationRoleName); n != 1 {
		t.Errorf("applied revokes = %d, want exactly 1", n)
	}
	if s.sshOpen(ctx) {
		t.Error("tcp/22 still open")
	}
}

// TestDemo runs the `rectify dev --demo` scenario end to end.
func TestDemo(t *testing.T) {
	s := newStack(t, func(c *config.Config) {
		c.Policies = map[string]config.PolicySettings{PolicyS3PAB: {Mode: contract.ModeApprove}}
	})
	d := &Demo{Temporal: temporalServer.Client, Endpoint: s.endpoint, Suffix: s.suffix, App: s.app, AutoApprove: true, AutoApproveFlag: "test"}
	sum, err := d.Run(context.Background(), 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.OK {
		t.Errorf("demo summary not OK: %+v", sum)
	}

	sg, bucket, err := d.Targets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	saveHistory(t, contract.EvaluateID(sg.ARN), "evaluate")
	saveHistory(t, contract.RemediationID(PolicySGAdminPorts, sg.ARN), "remediation-enforce")
	saveHistory(t, contract.RemediationID(PolicyS3PAB, bucket.ARN), "remediation-approve")

	// What a dashboard sees after the demo.
	rec := httptest.NewRecorder()
	s.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	scrape := rec.Body.String()
	for _, want := range []string{
		`rectify_remediations_total{action="ec2_revoke_ingress",outcome="changed"} 1`,
		`rectify_remediations_total{action="s3_block_public_access",outcome="changed"} 1`,
		`rectify_violations_total{policy="aws.ec2.sg_public_admin_ports",severity="HIGH"}`,
		`rectify_violations_total{policy="aws.s3.public_access_block",severity="HIGH"}`,
		`rectify_events_ignored_total{reason="actor is a remediation role"}`,
		`rectify_securityhub_batch_size_count`,
		`rectify_sqs_receive_lag_seconds_count`,
		`temporal_workflow_completed`,
		`temporal_activity_execution_latency_seconds_count`,
	} {
		if !strings.Contains(scrape, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, series := range []string{
		`rectify_approval_wait_seconds_count\{[^}]*policy="aws.s3.public_access_block"[^}]*\} 1`,
		`rectify_detection_to_verified_seconds_count\{[^}]*policy="aws.ec2.sg_public_admin_ports"[^}]*\} 1`,
	} {
		if !regexp.MustCompile(series).MatchString(scrape) {
			t.Errorf("/metrics lacks %s", series)
		}
	}
	for _, counter := range []string{"rectify_events_received_total", "rectify_events_started_total", "rectify_evaluations_total"} {
		if !regexp.MustCompile(`(?m)^` + counter + ` [1-9]`).MatchString(scrape) {
			t.Errorf("/metrics: %s is not positive", counter)
		}
	}
}

func queryStatus(ctx context.Context, id string) (contract.Status, error) {
	var st contract.Status
	v, err := temporalServer.Client.QueryWorkflow(ctx, id, "", contract.QueryStatus)
	if err != nil {
		return st, err
	}
	return st, v.Get(&st)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

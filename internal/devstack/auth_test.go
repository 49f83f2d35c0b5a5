package devstack

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/events"
	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/slackapp"
	"github.com/rectifyhq/rectify/starter"
)

// remediationRoleARN is the demo account's remediation role, whose
// sessions the worker's client factory caches.
const remediationRoleARN = "arn:aws:iam::" + Account + ":role/" + RemediationRoleName

// cacheThenRevokeSession has the worker assume the remediation role and
// cache the session, as a worker that has run for a while has (a human
// tags the group: an evaluation with no violation), then has the fake
// cloud forget the session, as a restart of its identity store or a
// revocation of active sessions does.
func (s *stack) cacheThenRevokeSession(ctx context.Context) {
	s.t.Helper()
	s.tagGroup(ctx, map[string]string{"owner": "web-team"})
	id := contract.EvaluateID(s.sg.ARN)
	waitFor(s.t, "the evaluation of the tag change", func() bool {
		return s.evaluateStatus(ctx, id) == enums.WORKFLOW_EXECUTION_STATUS_COMPLETED
	})
	if n := s.cloud.RevokeSessions(remediationRoleARN); n != 1 {
		s.t.Fatalf("the worker held %d role sessions after an evaluation, want its one cached session", n)
	}
}

// tagGroup tags the demo group as the human.
func (s *stack) tagGroup(ctx context.Context, tags map[string]string) {
	s.t.Helper()
	var ts []ec2types.Tag
	for k, v := range tags {
		ts = append(ts, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := s.ec2().CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{s.sg.ID}, Tags: ts}); err != nil {
		s.t.Fatalf("tag %s: %v", s.sg.ID, err)
	}
}

// evaluateStatus is the status of the latest run of a workflow, or
// UNSPECIFIED while it does not exist.
func (s *stack) evaluateStatus(ctx context.Context, id string) enums.WorkflowExecutionStatus {
	d, err := temporalServer.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return enums.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED
	}
	return d.GetWorkflowExecutionInfo().GetStatus()
}

// searchAttribute reads one keyword search attribute of a workflow's
// latest run, from its mutable state (not the eventually consistent list).
func searchAttribute(ctx context.Context, t *testing.T, id, key string) string {
	t.Helper()
	d, err := temporalServer.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	var v string
	if p, ok := d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()[key]; ok {
		if err := converter.GetDefaultDataConverter().FromPayload(p, &v); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// evaluateAttempts returns, from the latest run of id, the attempt count
// of each EvaluateResource activity and the failure its last retry followed.
func evaluateAttempts(ctx context.Context, t *testing.T, id string) (attempts []int32, lastFailures []string) {
	t.Helper()
	iter := temporalServer.Client.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	scheduled := map[int64]bool{}
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == "EvaluateResource" {
			scheduled[ev.GetEventId()] = true
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && scheduled[a.GetScheduledEventId()] {
			attempts = append(attempts, a.GetAttempt())
			lastFailures = append(lastFailures, a.GetLastFailure().GetMessage())
		}
	}
	return attempts, lastFailures
}

// TestAuthErrorRefreshesCredentials: the fake cloud forgets the role
// session the worker cached (as after a restart of its identity store, or
// revoked sessions); a human then opens SSH to the world. The evaluation's
// first read is refused (AuthFailure), the client factory drops the
// session, the retry assumes the role again, and the violation is fixed
// as if nothing had happened.
func TestAuthErrorRefreshesCredentials(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	s.cacheThenRevokeSession(ctx)

	s.openSSH(ctx)
	st := s.waitState(contract.RemediationID(PolicySGAdminPorts, s.sg.ARN), contract.StateResolved)
	if st.Remediations != 1 || s.sshOpen(ctx) {
		t.Fatalf("remediations %d, ssh open %v: want it fixed once", st.Remediations, s.sshOpen(ctx))
	}
	attempts, failures := evaluateAttempts(ctx, t, contract.EvaluateID(s.sg.ARN))
	if len(attempts) != 1 || attempts[0] != 2 || !strings.Contains(failures[0], "AuthFailure") {
		t.Errorf("EvaluateResource attempts %v after failures %q: want one read retried once after AuthFailure", attempts, failures)
	}
	// One new session served the retry and the whole remediation.
	if n := s.cloud.RevokeSessions(remediationRoleARN); n != 1 {
		t.Errorf("%d AssumeRole calls after the refusal, want 1", n)
	}
}

// TestAuthErrorPastGraceKeepsTrigger: the role session is forgotten and
// STS keeps refusing the role (a wrong trust policy). With a grace of two
// attempts the evaluation gives up in seconds: the run fails with
// RectifyState=EvaluationFailed, rectify_evaluations_failed_total{reason=
// "auth"} moves, and the trigger is on the dead-letter queue. Once the
// trust is right, `rectify dlq redrive` brings it back and the violation
// is fixed.
func TestAuthErrorPastGraceKeepsTrigger(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) { c.AWS.AuthGraceAttempts = 2 })
	s.cacheThenRevokeSession(ctx)
	s.cloud.InjectFault(fakecloud.Fault{Service: "sts", Action: "AssumeRole", Code: "AccessDenied", Status: http.StatusForbidden})

	s.openSSH(ctx)
	evalID := contract.EvaluateID(s.sg.ARN)
	waitFor(t, "the evaluation to give up", func() bool {
		return s.evaluateStatus(ctx, evalID) == enums.WORKFLOW_EXECUTION_STATUS_FAILED
	})
	saveHistory(t, evalID, "evaluate-gave-up")
	if got := searchAttribute(ctx, t, evalID, contract.AttrState.GetName()); got != contract.StateEvaluationFailed {
		t.Errorf("RectifyState of the failed evaluation = %q, want %s", got, contract.StateEvaluationFailed)
	}
	attempts, failures := evaluateAttempts(ctx, t, evalID)
	if !slices.Equal(attempts, []int32{2}) || !strings.Contains(failures[0], "AuthFailure") {
		t.Errorf("EvaluateResource attempts %v after %q: want the cached session refused, then one retry (the grace)", attempts, failures)
	}
	if got := scrape(t, s); !strings.Contains(got, `rectify_evaluations_failed_total{reason="auth"} 1`) {
		t.Errorf("metrics lack rectify_evaluations_failed_total{reason=\"auth\"} 1:\n%s", grepLines(got, "rectify_evaluations_failed"))
	}
	remediationID := contract.RemediationID(PolicySGAdminPorts, s.sg.ARN)
	if _, err := temporalServer.Client.DescribeWorkflowExecution(ctx, remediationID, ""); !isNotFound(err) {
		t.Fatalf("remediation %s: %v; want none while the account cannot be read", remediationID, err)
	}

	client := sqs.NewFromConfig(aws.Config{Region: Region, BaseEndpoint: aws.String(s.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(StarterKeyID, StarterSecret, "")})
	msgs, err := starter.InspectDLQ(ctx, client, s.cfg.Queue.DLQURL, 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("dead-letter queue = %+v, %v; want the trigger", msgs, err)
	}
	if m := msgs[0]; m.Error != "" || len(m.Triggers) != 1 || m.Triggers[0].ARN != s.sg.ARN ||
		m.Triggers[0].EventName != "AuthorizeSecurityGroupIngress" || m.Triggers[0].ActorARN != "arn:aws:iam::"+Account+":user/"+HumanUser ||
		!strings.Contains(m.Body, `"rectify":"`+events.RequeuedKind+`"`) || !strings.Contains(m.Body, awsAssumeRoleDenied) {
		t.Fatalf("dead-letter message = %+v; want the human's change to %s, why it failed, and that it parses", m, s.sg.ARN)
	}
	if !s.sshOpen(ctx) {
		t.Fatal("ssh was closed while the role could not be assumed")
	}

	s.cloud.ClearFaults() // the trust policy is right again
	if res, err := starter.Redrive(ctx, client, s.cfg.Queue.DLQURL, s.cfg.Queue.URL, true); err != nil || res.Moved != 1 {
		t.Fatalf("redrive = %+v, %v; want the trigger moved", res, err)
	}
	if st := s.waitState(remediationID, contract.StateResolved); st.Remediations != 1 || s.sshOpen(ctx) {
		t.Errorf("after redrive: remediations %d, ssh open %v", st.Remediations, s.sshOpen(ctx))
	}
}

// awsAssumeRoleDenied is how the dead-letter message names the final
// failure: STS refusing the role, not an AccessDenied on EC2.
const awsAssumeRoleDenied = `"error_type":"AssumeRoleDenied"`

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

func scrape(t *testing.T, s *stack) string {
	t.Helper()
	rec := httptest.NewRecorder()
	s.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d", rec.Code)
	}
	return rec.Body.String()
}

func grepLines(text, substr string) string {
	var out []string
	for l := range strings.SplitSeq(text, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestMalformedExemptUntilAwaitsApproval: a group tagged exempt from the
// admin-ports policy "until next tuesday" (not a date) is neither skipped
// nor fixed on its own, though the policy enforces: the violation waits
// for approval, and the Slack message says why. An approval then fixes it.
func TestMalformedExemptUntilAwaitsApproval(t *testing.T) {
	ctx := context.Background()
	s := newSlackStack(t, nil)
	s.tagGroup(ctx, map[string]string{exempt.TagExempt: PolicySGAdminPorts, exempt.TagExemptUntil: "next tuesday"})
	s.openSSH(ctx)
	id := contract.RemediationID(PolicySGAdminPorts, s.sg.ARN)
	st := s.waitState(id, contract.StateAwaitingApproval)
	if st.Mode != contract.ModeApprove || !s.sshOpen(ctx) {
		t.Fatalf("mode %s, ssh open %v: want approve mode and the rule left alone", st.Mode, s.sshOpen(ctx))
	}
	var blocks string
	waitFor(t, "the Slack message for "+id, func() bool {
		for _, c := range s.api.Calls("chat.postMessage") {
			if b := c.Form.Get("blocks"); strings.Contains(b, id) {
				blocks = b
				return true
			}
		}
		return false
	})
	for _, want := range []string{"approval required", activities.TagExemptUntil, "next tuesday", "is not an RFC 3339 date", slackapp.ActionApprove} {
		if !strings.Contains(blocks, want) {
			t.Errorf("Slack message lacks %q: %s", want, blocks)
		}
	}
	time.Sleep(time.Second) // nothing fixes it meanwhile
	if !s.sshOpen(ctx) {
		t.Fatal("the violation was fixed without approval")
	}
	if code := s.click(slackApprover, slackapp.ActionApprove, id); code != http.StatusOK {
		t.Fatalf("approve click = %d", code)
	}
	if st := s.waitState(id, contract.StateResolved); st.DecidedBy != slackApprover || s.sshOpen(ctx) {
		t.Errorf("after approval: decided by %q, ssh open %v", st.DecidedBy, s.sshOpen(ctx))
	}
}

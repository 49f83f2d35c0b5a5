package activities

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/service/ec2"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rectifyhq/rectify/internal/events"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/internal/resource"
)

// EvaluationFailed counts the give-up and puts a message on the
// dead-letter queue that the starter's parser reads back into the trigger
// the evaluation was for.
func TestEvaluationFailedRequeues(t *testing.T) {
	ctx := context.Background()
	cloud, a := newFakeActivities(t)
	dlq, err := cloud.CreateQueue(fakecloud.QueueSeed{Name: "rectify-events-dlq"})
	if err != nil {
		t.Fatal(err)
	}
	a.DLQURL = dlq
	a.Metrics = metrics.New()
	ref := resource.Ref{Type: ec2.TypeSecurityGroup, ID: "sg-1", Account: fakecloud.DefaultAccount, Region: "us-east-1",
		ARN: ec2.SecurityGroupARN(fakecloud.DefaultAccount, "us-east-1", "sg-1")}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := EvaluationFailedInput{
		WorkflowID: "evaluate/" + ref.ARN, Ref: ref, ErrorType: "AssumeRoleDenied", Reason: "evaluate: AssumeRoleDenied: not authorized", FailedAt: at.Add(time.Minute),
		Change: events.RequeuedChange{Source: events.SourceCloudTrail, EventName: "AuthorizeSecurityGroupIngress", EventID: "e1", Actor: "arn:aws:iam::123456789012:user/dev", EventTime: at},
	}
	out, err := a.EvaluationFailed(ctx, in)
	if err != nil || out.MessageID == "" {
		t.Fatalf("EvaluationFailed = %+v, %v", out, err)
	}
	msgs, err := a.AWS.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), MaxNumberOfMessages: 10})
	if err != nil || len(msgs.Messages) != 1 {
		t.Fatalf("dead-letter queue holds %+v, %v; want one message", msgs, err)
	}
	ts, err := events.Parse([]byte(aws.ToString(msgs.Messages[0].Body)))
	if err != nil || len(ts) != 1 {
		t.Fatalf("Parse = %+v, %v", ts, err)
	}
	want := events.Trigger{Source: events.SourceCloudTrail, Account: ref.Account, Region: ref.Region, ResourceType: ref.Type, ResourceID: ref.ID,
		ARN: ref.ARN, EventName: "AuthorizeSecurityGroupIngress", EventID: "e1", ActorARN: in.Change.Actor, EventTime: at}
	if ts[0] != want {
		t.Errorf("trigger read back = %+v\nwant %+v", ts[0], want)
	}
	rec := httptest.NewRecorder()
	a.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `rectify_evaluations_failed_total{reason="auth"} 1`) {
		t.Errorf("scrape lacks rectify_evaluations_failed_total{reason=\"auth\"} 1")
	}

	// Without a dead-letter queue the give-up is still counted and logged,
	// and the activity does not fail (nothing a retry could change).
	a.DLQURL = ""
	if out, err := a.EvaluationFailed(ctx, in); err != nil || out.MessageID != "" {
		t.Errorf("without a DLQ: %+v, %v", out, err)
	}
}

package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/policies"
)

func auditRecord(violation string, seq int, state string) audit.Record {
	at := time.Date(2026, 3, 1, 12, 0, seq, 0, time.UTC)
	return audit.Record{
		Schema: audit.Schema, ViolationID: violation, Seq: seq, State: state, Time: at,
		PolicyID: "aws.ec2.sg_public_admin_ports", Account: fakecloud.DefaultAccount, Region: "us-east-1",
		Resource: audit.Resource{ARN: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1", Type: "aws_security_group"},
		Actor:    audit.ActorRectify, WorkflowID: "remediation/x", RunID: violation, DetectedAt: at,
	}
}

// S3Audit stores each record once under its key, through the real SDK
// against the fake S3: a retried write is a success that changes nothing,
// other bytes under a taken key are a final conflict, and a batch of
// concurrent writers shares its PUTs' bounded parallelism.
func TestS3Audit(t *testing.T) {
	cloud, factory := findingsCloud(t)
	if err := cloud.SeedBucket(fakecloud.DefaultAccount, fakecloud.BucketSeed{Name: "audit"}); err != nil {
		t.Fatal(err)
	}
	w := &S3Audit{Client: factory.OwnS3(""), Bucket: "audit", Prefix: "trail", Quiet: 20 * time.Millisecond, Parallel: 4}
	a := &Activities{Audit: w}
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make([]error, 30)
	for i := range errs {
		wg.Go(func() { errs[i] = a.RecordAudit(ctx, auditRecord(fmt.Sprintf("v%d", i%3), i/3, contract.StateNew)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	r := auditRecord("v1", 4, contract.StateNew)
	key := r.Key("trail")
	stored, typ, ok := cloud.Object("audit", key)
	want, _ := r.Marshal()
	if !ok || string(stored) != string(want) || typ != "application/json" {
		t.Fatalf("stored %s = %q (%s, %v), want %q", key, stored, typ, ok, want)
	}

	// A retry of the same write: the key holds these bytes already.
	if err := a.RecordAudit(ctx, r); err != nil {
		t.Errorf("retried write: %v", err)
	}
	if n := cloud.ObjectWrites("audit", key); n != 1 {
		t.Errorf("%s written %d times, want once", key, n)
	}

	// Another record under a taken key is refused for good, and the first
	// one stays.
	other := r
	other.Detail = "something else"
	err := a.RecordAudit(ctx, other)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrAuditConflict || !appErr.NonRetryable() || !strings.Contains(err.Error(), key) {
		t.Errorf("conflicting write = %v, want a non-retryable %s naming %s", err, ErrAuditConflict, key)
	}
	if again, _, _ := cloud.Object("audit", key); string(again) != string(want) || cloud.ObjectWrites("audit", key) != 1 {
		t.Error("a conflicting write changed the stored record")
	}

	// A worker that may only put (as deploy/terraform grants) cannot read
	// the stored record back to compare: it takes the refused conditional
	// PUT as its own earlier attempt (even for other bytes, which only a
	// worker that may read can tell), and overwrites nothing.
	cloud.AddUser(fakecloud.DefaultAccount, "put-only", "AKIAPUTONLY000000001", "put-only", "s3:GetObject")
	putOnly, err := awsclient.New(ctx, awsclient.Options{Region: "us-east-1", Endpoint: cloud.URL(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAPUTONLY000000001", "put-only", "")})
	if err != nil {
		t.Fatal(err)
	}
	limited := &Activities{Audit: &S3Audit{Client: putOnly.OwnS3(""), Bucket: "audit", Prefix: "trail", Quiet: time.Millisecond}}
	if err := limited.RecordAudit(ctx, other); err != nil {
		t.Errorf("write to a taken key without s3:GetObject: %v", err)
	}
	if again, _, _ := cloud.Object("audit", key); string(again) != string(want) || cloud.ObjectWrites("audit", key) != 1 {
		t.Error("a write without s3:GetObject changed the stored record")
	}
	fresh := auditRecord("v9", 0, contract.StateNew)
	if err := limited.RecordAudit(ctx, fresh); err != nil || cloud.ObjectWrites("audit", fresh.Key("trail")) != 1 {
		t.Errorf("first write without s3:GetObject: %v", err)
	}

	// Not a record: refused before any write.
	bad := r
	bad.PolicyID = ""
	if err := a.RecordAudit(ctx, bad); !errors.As(err, &appErr) || appErr.Type() != ErrInvalidParams {
		t.Errorf("invalid record = %v, want %s", err, ErrInvalidParams)
	}
	// A missing bucket is an AWS error with its code as type.
	gone := &Activities{Audit: &S3Audit{Client: factory.OwnS3(""), Bucket: "no-such-bucket", Quiet: time.Millisecond}}
	if err := gone.RecordAudit(ctx, r); !errors.As(err, &appErr) || appErr.Type() != "NoSuchBucket" {
		t.Errorf("write to a missing bucket = %v, want type NoSuchBucket", err)
	}
	// No trail configured: nothing to do.
	if err := (&Activities{}).RecordAudit(ctx, r); err != nil {
		t.Errorf("RecordAudit without a trail = %v", err)
	}
}

// A violation says whether its worker keeps an audit trail, so a worker
// without one schedules no audit writes.
func TestViolationCarriesTheAuditTrail(t *testing.T) {
	res := resource.Resource{ARN: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1"}
	v := policies.Violation{PolicyID: "aws.ec2.sg_public_admin_ports", Remediation: "ec2_revoke_ingress"}
	off := &Activities{Policies: mustPolicies(t)}
	on := &Activities{Policies: mustPolicies(t), Audit: &S3Audit{Bucket: "audit"}}
	if off.violation(v, res, "123456789012", nil).Settings.Audit || !on.violation(v, res, "123456789012", nil).Settings.Audit {
		t.Error("Settings.Audit does not follow whether the worker has an audit writer")
	}
}

package activities

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/rectifyhq/rectify/internal/service/ec2"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TestFlushOnceUnderRace: the batch timer and a full batch flush the same
// batch at the same moment. It must be imported once and release its
// writers once (it used to import twice and panic on the second close).
func TestFlushOnceUnderRace(t *testing.T) {
	cloud, factory := findingsCloud(t)
	// Slow imports keep the first flush in flight while the second starts.
	if err := cloud.InjectFault(fakecloud.Fault{Service: "securityhub", Action: "BatchImportFindings", Latency: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	s := &SecurityHub{AWS: factory}
	f := testFinding("sg-1")
	finding := asff(f, time.Now(), FindingLinks{})
	p := pendingFinding{finding: finding, update: findingUpdate{status: finding.Workflow.Status}}
	b, i, _ := s.batches.join(limits(time.Hour, time.Hour, maxImport), f.Ref.Account+"/"+f.Ref.Region, p, s.importBatch)

	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { s.batches.flush(b) })
	}
	wg.Wait()
	select {
	case <-b.done:
	default:
		t.Fatal("batch not released after both flushes returned")
	}
	if b.errs[i] != nil {
		t.Fatalf("import: %v", b.errs[i])
	}
	if calls, n := cloud.ImportStats(f.Ref.Account, f.Ref.Region); calls != 1 || n != 1 {
		t.Errorf("BatchImportFindings calls = %d with %d findings, want 1 call with 1", calls, n)
	}
}

// TestBatchTriggers: each of the three triggers (quiet period, cap, size)
// imports a batch on its own while the others are an hour away. A trigger
// that did not work leaves the writers waiting until their context ends.
func TestBatchTriggers(t *testing.T) {
	tests := []struct {
		name            string
		quiet, maxDelay time.Duration
		writers         int
		calls           int // 0: one writer stays behind in the next batch
	}{
		{"quiet period ends a lone finding's wait", 20 * time.Millisecond, time.Hour, 1, 1},
		{"cap ends the wait when the quiet period never comes", time.Hour, 50 * time.Millisecond, 5, 1},
		{"a full batch goes at once", time.Hour, time.Hour, maxImport, 1},
		{"the next finding opens a new batch", time.Hour, time.Hour, maxImport + 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud, factory := findingsCloud(t)
			s := &SecurityHub{AWS: factory, Quiet: tt.quiet, MaxDelay: tt.maxDelay}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			errs := make([]error, tt.writers)
			var wg sync.WaitGroup
			for i := range tt.writers {
				wg.Go(func() { errs[i] = s.Write(ctx, testFinding(fmt.Sprintf("sg-%d", i)), time.Now()) })
			}
			if tt.calls == 0 {
				// One writer is left in an open batch an hour from its
				// import: the full batch must still have gone.
				waitImports(t, cloud, maxImport)
				cancel()
				wg.Wait()
				if calls, n := cloud.ImportStats(fakecloud.DefaultAccount, "us-east-1"); calls != 1 || n != maxImport {
					t.Errorf("imports = %d calls, %d findings; want 1 call with %d", calls, n, maxImport)
				}
				return
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("writer %d: %v", i, err)
				}
			}
			calls, n := cloud.ImportStats(fakecloud.DefaultAccount, "us-east-1")
			if calls != tt.calls || n != tt.writers {
				t.Errorf("imports = %d calls, %d findings; want %d with %d", calls, n, tt.calls, tt.writers)
			}
		})
	}
}

func waitImports(t *testing.T, cloud *fakecloud.Cloud, findings int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, n := cloud.ImportStats(fakecloud.DefaultAccount, "us-east-1"); n >= findings {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("fewer than %d findings imported after 30s", findings)
}

func findingsCloud(t *testing.T) (*fakecloud.Cloud, *awsclient.Factory) {
	t.Helper()
	cloud := fakecloud.New(fakecloud.Options{})
	endpoint, err := cloud.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cloud.Close() })
	factory, err := awsclient.New(context.Background(), awsclient.Options{
		Region: "us-east-1", Endpoint: endpoint,
		Credentials: credentials.NewStaticCredentialsProvider(fakecloud.DefaultAccessKeyID, fakecloud.DefaultSecretAccessKey, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return cloud, factory
}

func testFinding(id string) FindingInput {
	ref := resource.Ref{Type: ec2.TypeSecurityGroup, ID: id, ARN: ec2.SecurityGroupARN(fakecloud.DefaultAccount, "us-east-1", id),
		Account: fakecloud.DefaultAccount, Region: "us-east-1"}
	return FindingInput{PolicyID: "aws.ec2.sg_public_admin_ports", Title: "t", Description: "d", Severity: "HIGH", Ref: ref, Status: FindingNew}
}

// TestFindingLeadsBack: who decided, the note and the links of a finding,
// per way a violation is decided.
func TestFindingLeadsBack(t *testing.T) {
	links := FindingLinks{TemporalUI: "http://ui:8233", Namespace: "prod", ControlsURL: "https://x/controls.md"}
	tests := []struct {
		name             string
		status, mode, by string
		note             string
		wantBy, wantNote string
	}{
		{"enforced", FindingResolved, "enforce", "", "remediated: revoked", "policy mode enforce", "remediated: revoked"},
		{"approved", FindingResolved, "approve", "alice", "remediated: revoked", "alice", "remediated: revoked (decided by alice)"},
		{"rejected", FindingNotified, "approve", "bob", "rejected by bob: web server", "bob", "rejected by bob: web server"},
		{"timed out", FindingResolved, "approve", "timeout", "remediated: revoked", "approval timeout (policy default)", "remediated: revoked"},
		{"awaiting", FindingNew, "approve", "", "tcp/22 open", "pending", "tcp/22 open"},
		{"exempt", FindingSuppressed, "enforce", "", "exempt: tag", "exemption", "exempt: tag"},
		{"dry run", FindingNotified, "notify", "", "dry run: would revoke", "policy mode notify", "dry run: would revoke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFinding("sg-1")
			f.Status, f.Mode, f.DecidedBy, f.Note = tt.status, tt.mode, tt.by, tt.note
			f.WorkflowID, f.Planned, f.Controls = "remediation/aws.ec2.sg_public_admin_ports/arn:x", "revoke tcp/22 from 0.0.0.0/0", []string{"CIS AWS 5.2"}
			a := asff(f, time.Now(), links)
			if got := a.ProductFields["rectify/DecidedBy"]; got != tt.wantBy {
				t.Errorf("DecidedBy = %q, want %q", got, tt.wantBy)
			}
			if got := aws.ToString(a.Note.Text); got != tt.wantNote {
				t.Errorf("note = %q, want %q", got, tt.wantNote)
			}
			if got := aws.ToString(a.SourceUrl); got != "http://ui:8233/namespaces/prod/workflows/remediation%2Faws.ec2.sg_public_admin_ports%2Farn:x" {
				t.Errorf("SourceUrl = %q", got)
			}
			rec := a.Remediation.Recommendation
			if aws.ToString(rec.Url) != "https://x/controls.md#awsec2sg_public_admin_ports" ||
				aws.ToString(rec.Text) != "t. rectify's fix: revoke tcp/22 from 0.0.0.0/0. Controls: CIS AWS 5.2" {
				t.Errorf("recommendation = %q, %q", aws.ToString(rec.Text), aws.ToString(rec.Url))
			}
		})
	}
	// Without a UI there is no SourceUrl rather than a broken one.
	if a := asff(testFinding("sg-1"), time.Now(), FindingLinks{}); a.SourceUrl != nil || a.Remediation.Recommendation.Url != nil {
		t.Errorf("links without a UI or controls page: %v %v", a.SourceUrl, a.Remediation.Recommendation.Url)
	}
}

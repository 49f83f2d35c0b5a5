package activities

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TestFlushOnceUnderRace: the batch timer and a full batch flush the same
// batch at the same moment. It must be imported once and release its
// writers once (it used to import twice and panic on the second close).
func TestFlushOnceUnderRace(t *testing.T) {
	cloud := fakecloud.New(fakecloud.Options{})
	endpoint, err := cloud.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cloud.Close() })
	// Slow imports keep the first flush in flight while the second starts.
	cloud.InjectFault(fakecloud.Fault{Service: "securityhub", Action: "BatchImportFindings", Latency: 200 * time.Millisecond})
	factory, err := awsclient.New(context.Background(), awsclient.Options{
		Region: "us-east-1", Endpoint: endpoint,
		Credentials: credentials.NewStaticCredentialsProvider(fakecloud.DefaultAccessKeyID, fakecloud.DefaultSecretAccessKey, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &SecurityHub{AWS: factory, MaxDelay: time.Hour}
	ref := resource.Ref{Type: resource.TypeSecurityGroup, ID: "sg-1", ARN: resource.SecurityGroupARN(fakecloud.DefaultAccount, "us-east-1", "sg-1"),
		Account: fakecloud.DefaultAccount, Region: "us-east-1"}
	f := FindingInput{PolicyID: "aws.ec2.sg_public_admin_ports", Title: "t", Description: "d", Severity: "HIGH", Ref: ref, Status: FindingNew}
	finding := asff(f, time.Now())
	b, _ := s.add(ref.Account, ref.Region, finding, findingUpdate{status: finding.Workflow.Status})

	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { s.flush(b) })
	}
	wg.Wait()
	select {
	case <-b.done:
	default:
		t.Fatal("batch not released after both flushes returned")
	}
	if b.err != nil {
		t.Fatalf("import: %v", b.err)
	}
	if calls, n := cloud.ImportStats(ref.Account, ref.Region); calls != 1 || n != 1 {
		t.Errorf("BatchImportFindings calls = %d with %d findings, want 1 call with 1", calls, n)
	}
}

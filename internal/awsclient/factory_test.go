package awsclient_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/fakecloud"
)

const (
	account   = fakecloud.DefaultAccount
	region    = fakecloud.DefaultRegion
	roleARN   = "arn:aws:iam::" + account + ":role/rectify-remediation"
	workerKey = "AKIAWORKER0000000001"
)

// startCloud starts a fake cloud with the worker's user.
func startCloud(t *testing.T) (cloud *fakecloud.Cloud, endpoint string) {
	t.Helper()
	cloud = fakecloud.New(fakecloud.Options{})
	endpoint, err := cloud.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cloud.Close() })
	cloud.AddUser(account, "worker", workerKey, "worker-secret")
	return cloud, endpoint
}

// newFactory starts a fake cloud with a worker user and the remediation
// role, and a factory that acts as the role, as the worker does.
func newFactory(t *testing.T) (*fakecloud.Cloud, *awsclient.Factory) {
	t.Helper()
	cloud, endpoint := startCloud(t)
	cloud.AddRole(fakecloud.Role{Account: account, Name: "rectify-remediation"})
	f, err := awsclient.New(context.Background(), awsclient.Options{
		Region: region, Endpoint: endpoint, AssumeRole: "arn:aws:iam::{account}:role/rectify-remediation",
		Credentials: credentials.NewStaticCredentialsProvider(workerKey, "worker-secret", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return cloud, f
}

// calls are one read per service family, each refused with its family's
// auth code when its key is unknown.
var calls = []struct {
	name     string
	authCode string
	call     func(context.Context, *awsclient.Factory) error
}{
	{"ec2", "AuthFailure", func(ctx context.Context, f *awsclient.Factory) error {
		_, err := f.EC2(account, region).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
		return err
	}},
	{"s3", "InvalidAccessKeyId", func(ctx context.Context, f *awsclient.Factory) error {
		_, err := f.S3(account, region).ListBuckets(ctx, &s3.ListBucketsInput{})
		return err
	}},
	{"kms", "UnrecognizedClientException", func(ctx context.Context, f *awsclient.Factory) error {
		_, err := f.KMS(account, region).ListKeys(ctx, &kms.ListKeysInput{})
		return err
	}},
}

// A call refused for its credentials drops them: the next call assumes
// the role again and succeeds, instead of reusing the refused session
// until it expires.
func TestAuthErrorRefreshesCredentials(t *testing.T) {
	ctx := context.Background()
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			cloud, f := newFactory(t)
			if err := c.call(ctx, f); err != nil {
				t.Fatalf("first call: %v", err)
			}
			if n := cloud.RevokeSessions(roleARN); n != 1 {
				t.Fatalf("%d sessions after the first call, want 1 AssumeRole", n)
			}
			err := c.call(ctx, f)
			if code := awserr.Code(err); code != c.authCode {
				t.Fatalf("call with a revoked session: code %q (%v), want %s", code, err, c.authCode)
			}
			if err := c.call(ctx, f); err != nil {
				t.Fatalf("call after the auth error: %v (credentials not refreshed)", err)
			}
			if n := cloud.RevokeSessions(roleARN); n != 1 {
				t.Errorf("%d AssumeRole calls after the auth error, want 1", n)
			}
		})
	}
}

// Other errors keep the credentials: an AccessDenied on an operation says
// nothing about the session, and throwing it away would cost an
// AssumeRole per denied call.
func TestOtherErrorsKeepCredentials(t *testing.T) {
	ctx := context.Background()
	cloud, f := newFactory(t)
	for range 3 {
		if err := calls[0].call(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range []string{"UnauthorizedOperation", "InvalidParameterValue"} {
		cloud.InjectFault(fakecloud.Fault{Service: "ec2", Action: "DescribeSecurityGroups", Code: code, Count: 1, Status: http.StatusBadRequest})
		if got := awserr.Code(calls[0].call(ctx, f)); got != code {
			t.Fatalf("injected %s, got %q", code, got)
		}
	}
	if err := calls[0].call(ctx, f); err != nil {
		t.Fatal(err)
	}
	if n := cloud.RevokeSessions(roleARN); n != 1 {
		t.Errorf("%d AssumeRole calls, want 1: only auth errors drop credentials", n)
	}
}

// STS refusing the role is AssumeRoleDenied, not an AccessDenied on the
// operation (which would be final at once); once the trust is right again
// the next call assumes the role.
func TestAssumeRoleRefusal(t *testing.T) {
	ctx := context.Background()
	cloud, f := newFactory(t)
	cloud.InjectFault(fakecloud.Fault{Service: "sts", Action: "AssumeRole", Code: "AccessDenied", Status: http.StatusForbidden, Count: 1})
	err := calls[0].call(ctx, f)
	if code := awserr.Code(err); code != awserr.AssumeRoleDenied {
		t.Fatalf("refused AssumeRole: code %q (%v), want %s", code, err, awserr.AssumeRoleDenied)
	}
	if awserr.Final(awserr.Code(err), 1, 0) {
		t.Error("an AssumeRole refusal is final on the first attempt")
	}
	if err := calls[0].call(ctx, f); err != nil {
		t.Fatalf("call once STS accepts the role again: %v", err)
	}
}

// Calls in flight with the refused session all fail, but only the first
// failure drops the credentials: the others must not throw away the fresh
// session the first one caused.
func TestConcurrentAuthErrorsRefreshOnce(t *testing.T) {
	ctx := context.Background()
	cloud, f := newFactory(t)
	if err := calls[0].call(ctx, f); err != nil {
		t.Fatal(err)
	}
	cloud.RevokeSessions(roleARN)
	const n = 20
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			_ = calls[0].call(ctx, f)
		})
	}
	close(start)
	wg.Wait()
	if err := calls[0].call(ctx, f); err != nil {
		t.Fatalf("call after the storm: %v", err)
	}
	// One refresh is the design; a second can happen when a call reads
	// the generation between another's swap and its invalidation.
	if got := cloud.RevokeSessions(roleARN); got < 1 || got > 2 {
		t.Errorf("%d AssumeRole calls after %d concurrent auth errors, want 1 (at most 2)", got, n)
	}
}

// Without a role the worker's own credentials are dropped the same way.
func TestAuthErrorRefreshesBaseCredentials(t *testing.T) {
	ctx := context.Background()
	cloud, endpoint := startCloud(t)
	var mu sync.Mutex
	retrieved := 0
	provider := credentialsFunc(func() (string, string) {
		mu.Lock()
		defer mu.Unlock()
		retrieved++
		return workerKey, "worker-secret"
	})
	f, err := awsclient.New(ctx, awsclient.Options{Region: region, Endpoint: endpoint, Credentials: provider})
	if err != nil {
		t.Fatal(err)
	}
	if err := calls[0].call(ctx, f); err != nil {
		t.Fatal(err)
	}
	cloud.InjectFault(fakecloud.Fault{Service: "ec2", Action: "DescribeSecurityGroups", Code: "AuthFailure", Status: http.StatusUnauthorized, Count: 1})
	if code := awserr.Code(calls[0].call(ctx, f)); code != "AuthFailure" {
		t.Fatalf("code %q, want AuthFailure", code)
	}
	if err := calls[0].call(ctx, f); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if retrieved != 2 {
		t.Errorf("base credentials retrieved %d times, want 2 (once more after the auth error)", retrieved)
	}
}

// credentialsFunc counts retrievals of static keys.
type credentialsFunc func() (key, secret string)

func (f credentialsFunc) Retrieve(context.Context) (aws.Credentials, error) {
	key, secret := f()
	return aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, Source: "test"}, nil
}

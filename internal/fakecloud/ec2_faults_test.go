package fakecloud

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Fault injection is tested through EC2, the service whose throttling
// (RequestLimitExceeded) rectify's remediations must ride out.

// ec2NoRetries is an EC2 client that makes each call exactly once.
func ec2NoRetries(cfg aws.Config) *ec2.Client {
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	return ec2.NewFromConfig(cfg)
}

// ec2DefaultRetries is an EC2 client with the SDK's default retry policy
// (standard mode: 3 attempts, throttling codes retried) and its backoff
// capped at a few milliseconds, so the test does not sleep for seconds.
func ec2DefaultRetries(cfg aws.Config) *ec2.Client {
	return ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		o.Retryer = retry.AddWithMaxBackoffDelay(retry.NewStandard(), 5*time.Millisecond)
	})
}

func wantEC2Status(t *testing.T, err error, status int) {
	t.Helper()
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("want HTTP %d, got %v", status, err)
	}
}

func TestEC2FaultFailsCountCallsThenSucceeds(t *testing.T) {
	c, cfg := startCloud(t)
	client := ec2NoRetries(cfg)
	if err := c.InjectFault(Fault{Service: "ec2", Action: "DescribeSecurityGroups", Code: "RequestLimitExceeded", Count: 2}); err != nil {
		t.Fatal(err)
	}

	for i := range 2 {
		_, err := client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{})
		wantEC2Error(t, err, "RequestLimitExceeded")
		wantEC2Status(t, err, 503)
		if i == 0 {
			// Other actions are untouched.
			ec2CreateGroup(t, client, "unaffected")
		}
	}
	out := okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{}))(t)
	if len(out.SecurityGroups) != 1 {
		t.Fatalf("after the fault: %d groups", len(out.SecurityGroups))
	}
}

func TestEC2FaultIsRetriedByTheDefaultRetryer(t *testing.T) {
	c, cfg := startCloud(t)
	tap := tapEvents(c)
	client := ec2DefaultRetries(cfg)
	id := ec2CreateGroup(t, client, "web")
	if err := c.InjectFault(Fault{Service: "ec2", Action: "AuthorizeSecurityGroupIngress", Code: "RequestLimitExceeded", Count: 2}); err != nil {
		t.Fatal(err)
	}

	out := okEC2(client.AuthorizeSecurityGroupIngress(t.Context(), &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(id), IpPermissions: []types.IpPermission{ec2SSHFromAnywhere()},
	}))(t)
	if len(out.SecurityGroupRules) != 1 {
		t.Fatalf("authorize after retries: %+v", out.SecurityGroupRules)
	}
	if n := len(ec2GroupRules(t, client, id)); n != 2 {
		t.Fatalf("the retried call added %d rules in all, want 1 plus the default egress", n-1)
	}
	// CloudTrail saw every attempt: two throttled, one that succeeded.
	evs := ec2Events(t, tap, "AuthorizeSecurityGroupIngress", 3)
	if len(evs) != 3 {
		t.Fatalf("want 3 attempts recorded, got %d", len(evs))
	}
	for i, ev := range evs {
		code, _ := ev["detail"].(map[string]any)["errorCode"].(string)
		if throttled := strings.HasSuffix(code, ".RequestLimitExceeded"); throttled != (i < 2) {
			t.Fatalf("attempt %d: errorCode %q", i+1, code)
		}
	}
}

func TestEC2FaultOutlastingRetriesFails(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.InjectFault(Fault{Service: "ec2", Action: "DescribeSecurityGroups", Code: "RequestLimitExceeded", Count: 5}); err != nil {
		t.Fatal(err)
	}
	_, err := ec2DefaultRetries(cfg).DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{})
	wantEC2Error(t, err, "RequestLimitExceeded")
	// Three attempts used three of the five failures.
	client := ec2NoRetries(cfg)
	for range 2 {
		_, err := client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{})
		wantEC2Error(t, err, "RequestLimitExceeded")
	}
	okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{}))(t)
}

func TestEC2FaultLatency(t *testing.T) {
	c, cfg := startCloud(t)
	client := ec2NoRetries(cfg)
	const latency = 150 * time.Millisecond
	if err := c.InjectFault(Fault{Service: "ec2", Action: "DescribeSecurityGroups", Latency: latency}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a latency-only fault applies to every matching call
		start := time.Now()
		okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{}))(t)
		if elapsed := time.Since(start); elapsed < latency {
			t.Fatalf("call took %v, want at least %v", elapsed, latency)
		}
	}
	c.ClearFaults()
	okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{}))(t)
}

func TestEC2FaultMatching(t *testing.T) {
	c, cfg := startCloud(t)
	client := ec2NoRetries(cfg)

	if err := c.InjectFault(Fault{Service: "s3", Action: "*", Code: "SlowDown"}); err != nil {
		t.Fatal(err)
	}
	okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{}))(t)

	if err := c.InjectFault(Fault{Service: "*", Action: "*", Code: "InternalError", Rate: 1}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err := client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{})
		wantEC2Error(t, err, "InternalError")
		wantEC2Status(t, err, 500)
	}
	// The newest fault wins; an explicit status overrides the code's.
	if err := c.InjectFault(Fault{Service: "ec2", Action: "CreateTags", Code: "Throttling", Status: 400, Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := client.CreateTags(t.Context(), &ec2.CreateTagsInput{Resources: []string{"sg-1"}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantEC2Error(t, err, "Throttling")
	wantEC2Status(t, err, 400)

	c.ClearFaults()
	okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{}))(t)
}

func TestEC2ParsedFaultApplies(t *testing.T) {
	c, cfg := startCloud(t)
	f, err := ParseFault("ec2:CreateSecurityGroup:code=InternalError,count=1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.InjectFault(f); err != nil {
		t.Fatal(err)
	}
	client := ec2NoRetries(cfg)
	_, err = client.CreateSecurityGroup(t.Context(), &ec2.CreateSecurityGroupInput{GroupName: aws.String("a"), Description: aws.String("d")})
	wantEC2Error(t, err, "InternalError")
	ec2CreateGroup(t, client, "a")
}

// A fault with For ends by itself: the outage a process-level test starts
// with a flag and cannot clear by hand.
func TestEC2FaultForEnds(t *testing.T) {
	c, cfg := startCloud(t)
	f, err := ParseFault("ec2:DescribeSecurityGroups:code=Unavailable,for=300ms")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.InjectFault(f); err != nil {
		t.Fatal(err)
	}
	client := ec2NoRetries(cfg)
	_, err = client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{})
	wantEC2Error(t, err, "Unavailable")
	time.Sleep(400 * time.Millisecond)
	okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{}))(t)
}

func TestParseFault(t *testing.T) {
	good := []struct {
		flag string
		want Fault
	}{
		{"ec2:RevokeSecurityGroupIngress:code=RequestLimitExceeded,rate=0.5",
			Fault{Service: "ec2", Action: "RevokeSecurityGroupIngress", Code: "RequestLimitExceeded", Rate: 0.5}},
		{"s3:*:latency=200ms", Fault{Service: "s3", Action: "*", Latency: 200 * time.Millisecond}},
		{"ec2:DescribeSecurityGroups:code=RequestLimitExceeded,count=2,status=503,latency=10ms",
			Fault{Service: "ec2", Action: "DescribeSecurityGroups", Code: "RequestLimitExceeded", Count: 2, Status: 503, Latency: 10 * time.Millisecond}},
		{"*:*:code=InternalError", Fault{Service: "*", Action: "*", Code: "InternalError"}},
		{"sqs:ReceiveMessage:rate=1,code=OverLimit", Fault{Service: "sqs", Action: "ReceiveMessage", Code: "OverLimit", Rate: 1}},
		{"securityhub:*:code=ServiceUnavailable,for=2m", Fault{Service: "securityhub", Action: "*", Code: "ServiceUnavailable", For: 2 * time.Minute}},
	}
	for _, tc := range good {
		t.Run(tc.flag, func(t *testing.T) {
			got, err := ParseFault(tc.flag)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}

	bad := []string{
		"",
		"ec2",
		"ec2:",
		":DescribeSecurityGroups:code=X",
		"ec2:DescribeSecurityGroups",
		"ec2:DescribeSecurityGroups:",
		"ec2:DescribeSecurityGroups:code",
		"ec2:DescribeSecurityGroups:code=",
		"ec2:DescribeSecurityGroups:count=2",
		"ec2:DescribeSecurityGroups:code=X,rate=1.5",
		"ec2:DescribeSecurityGroups:code=X,rate=-0.1",
		"ec2:DescribeSecurityGroups:code=X,rate=often",
		"ec2:DescribeSecurityGroups:code=X,count=two",
		"ec2:DescribeSecurityGroups:code=X,status=bad",
		"ec2:DescribeSecurityGroups:latency=soon",
		"ec2:DescribeSecurityGroups:code=X,colour=red",
		"ec2:DescribeSecurityGroups:code=X,,count=1",
		"ec2:DescribeSecurityGroups:code=X,for=0s",
		"ec2:DescribeSecurityGroups:code=X,for=ever",
	}
	for _, flag := range bad {
		t.Run("bad "+flag, func(t *testing.T) {
			if f, err := ParseFault(flag); err == nil {
				t.Fatalf("ParseFault(%q) = %+v, want an error", flag, f)
			} else if flag != "" && !strings.Contains(err.Error(), flag) {
				t.Fatalf("error %q does not name the flag", err)
			}
		})
	}
}

// A fault naming a service or action the fake cloud does not serve would
// never fire, and a test relying on it would pass having injected nothing.
// It is refused, with the nearest name the fake does serve.
func TestInjectFaultRefusesWhatIsNotServed(t *testing.T) {
	c, cfg := startCloud(t)
	tests := []struct {
		service, action, wantErr string
	}{
		{"s3", "PutBucketPublicAccessBlock", ""},
		{"s3", "*", ""},
		{"*", "*", ""},
		{"*", "AssumeRole", ""},
		{"securityhub", "BatchImportFindings", ""},
		{"s3", "PutPublicAccessBlock", `fault s3:PutPublicAccessBlock: s3 serves no action "PutPublicAccessBlock" (did you mean PutBucketPublicAccessBlock?)`},
		{"ec2", "RevokeSecurityGroupIngres", `ec2 serves no action "RevokeSecurityGroupIngres" (did you mean RevokeSecurityGroupIngress?)`},
		// Right action, wrong service: S3's call is not an EC2 one.
		{"ec2", "PutBucketPolicy", `ec2 serves no action "PutBucketPolicy"`},
		{"lambda", "Invoke", `lambda serves no action "Invoke"`},
		{"dynamodb", "PutItem", `the fake cloud serves no service "dynamodb" (known: cloudtrail, config, ec2, ecr, guardduty, iam, kms, lambda, logs, monitoring, rds, s3, securityhub, sns, sqs, sts)`},
		{"*", "PutPublicAccessBlock", `no service serves action "PutPublicAccessBlock" (did you mean PutBucketPublicAccessBlock?)`},
		{"", "DescribeSecurityGroups", "give a service and an action"},
	}
	for _, tt := range tests {
		err := c.InjectFault(Fault{Service: tt.service, Action: tt.action, Code: "InternalError"})
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s:%s: %v", tt.service, tt.action, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s:%s: err = %v, want it to mention %q", tt.service, tt.action, err, tt.wantErr)
		}
	}
	// The refused faults were not added: with the accepted ones cleared, a
	// call goes through.
	c.ClearFaults()
	for _, f := range []Fault{{Service: "ec2", Action: "DescribeSecurityGroupz", Code: "InternalError"}} {
		if err := c.InjectFault(f); err == nil {
			t.Fatalf("%+v accepted", f)
		}
	}
	if _, err := ec2NoRetries(cfg).DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{}); err != nil {
		t.Fatalf("a refused fault fired: %v", err)
	}
}

// Actions comes from the tables the services dispatch on: every action it
// lists is one a fault may name, and a fault on it fires.
func TestActionsAreServed(t *testing.T) {
	c, cfg := startCloud(t)
	actions := c.Actions()
	if len(actions) != 16 {
		t.Fatalf("Actions() has %d services, want 16: %v", len(actions), actions)
	}
	for _, want := range []struct{ service, action string }{
		{"s3", "PutBucketPublicAccessBlock"}, {"ec2", "RevokeSecurityGroupIngress"}, {"sts", "AssumeRole"},
		{"iam", "DetachRolePolicy"}, {"kms", "EnableKeyRotation"}, {"sqs", "ReceiveMessage"},
		{"monitoring", "PutMetricAlarm"}, {"logs", "PutMetricFilter"},
	} {
		if !slices.Contains(actions[want.service], want.action) {
			t.Errorf("Actions()[%s] lacks %s: %v", want.service, want.action, actions[want.service])
		}
	}
	for _, action := range actions["sts"] {
		if err := c.InjectFault(Fault{Service: "sts", Action: action, Code: "InternalError", Count: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.Retryer = aws.NopRetryer{} }).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err == nil {
		t.Error("a fault on sts:GetCallerIdentity, an action Actions() lists, did not fire")
	}
}

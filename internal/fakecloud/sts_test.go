package fakecloud

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Two accounts: the caller's (DefaultAccount) and a target account whose
// role trusts users of the caller's account when they pass the external id.
const (
	stsTargetAccount = "222222222222"
	stsRoleARN       = "arn:aws:iam::222222222222:role/rectify-remediation"
	stsExternalID    = "rectify-ext-1"
)

func addTargetRole(c *Cloud) *Role {
	return c.AddRole(Role{
		Account:    stsTargetAccount,
		Name:       "rectify-remediation",
		Trust:      []string{"arn:aws:iam::" + DefaultAccount + ":user/*"},
		ExternalID: stsExternalID,
	})
}

func TestSTSGetCallerIdentity(t *testing.T) {
	_, cfg := startCloud(t)
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != DefaultAccount || aws.ToString(out.Arn) != "arn:aws:iam::123456789012:user/admin" || !strings.HasPrefix(aws.ToString(out.UserId), "AIDA") {
		t.Fatalf("caller identity = %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
}

func TestSTSAssumeRoleActsAsRole(t *testing.T) {
	c, cfg := startCloud(t)
	tap := tapEvents(c)
	role := addTargetRole(c)
	ctx := context.Background()

	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(stsRoleARN), RoleSessionName: aws.String("rectify"), ExternalId: aws.String(stsExternalID),
	})
	if err != nil {
		t.Fatal(err)
	}
	creds := out.Credentials
	if !strings.HasPrefix(aws.ToString(creds.AccessKeyId), "ASIA") || aws.ToString(creds.SecretAccessKey) == "" || aws.ToString(creds.SessionToken) == "" {
		t.Fatalf("credentials = %+v", creds)
	}
	if d := time.Until(aws.ToTime(creds.Expiration)); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("default session lasts %s, want 1h", d)
	}
	wantARN := "arn:aws:sts::222222222222:assumed-role/rectify-remediation/rectify"
	if aws.ToString(out.AssumedRoleUser.Arn) != wantARN || aws.ToString(out.AssumedRoleUser.AssumedRoleId) != role.RoleID+":rectify" {
		t.Fatalf("assumed role user = %+v", out.AssumedRoleUser)
	}

	// CloudTrail records the call, never the secret key.
	ev := tap.last(t, "AssumeRole")
	params, _ := ev["requestParameters"].(map[string]any)
	if params["roleArn"] != stsRoleARN || params["roleSessionName"] != "rectify" || params["externalId"] != stsExternalID {
		t.Fatalf("requestParameters = %v", params)
	}
	resp, _ := ev["responseElements"].(map[string]any)
	rc, _ := resp["credentials"].(map[string]any)
	if rc["accessKeyId"] != aws.ToString(creds.AccessKeyId) || rc["expiration"] == nil || rc["sessionToken"] == nil {
		t.Fatalf("responseElements = %v", resp)
	}
	raw, _ := json.Marshal(ev)
	if strings.Contains(string(raw), aws.ToString(creds.SecretAccessKey)) {
		t.Fatal("CloudTrail event contains the session's secret key")
	}

	// Calls with the session act as the role, in the role's account.
	session := sdkConfig(c.URL(), aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken))
	who, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Arn) != wantARN || aws.ToString(who.Account) != stsTargetAccount || aws.ToString(who.UserId) != role.RoleID+":rectify" {
		t.Fatalf("session identity = %s %s %s", aws.ToString(who.Arn), aws.ToString(who.Account), aws.ToString(who.UserId))
	}
	q, err := sqs.NewFromConfig(session).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("in-target")})
	if err != nil || !strings.HasSuffix(aws.ToString(q.QueueUrl), "/222222222222/in-target") {
		t.Fatalf("queue created by the session: %v, %v", q, err)
	}
	if _, err := securityhub.NewFromConfig(session).BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{
		Findings: shFindings(stsTargetAccount, DefaultRegion, 1),
	}); err != nil {
		t.Fatal(err)
	}
	if calls, n := c.ImportStats(stsTargetAccount, DefaultRegion); calls != 1 || n != 1 {
		t.Fatalf("import stats in the target account = %d calls, %d findings", calls, n)
	}

	// S3 acts in the target account too, and CloudTrail names the role
	// session, which is what the starter's loop filter matches.
	bucket := "rectify-sts-" + strings.ToLower(newID("", 8))
	s3Session := s3.NewFromConfig(session, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3Session.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	created := tap.last(t, "CreateBucket")
	identity, _ := created["userIdentity"].(map[string]any)
	sessionContext, _ := identity["sessionContext"].(map[string]any)
	issuer, _ := sessionContext["sessionIssuer"].(map[string]any)
	if created["recipientAccountId"] != stsTargetAccount || identity["arn"] != wantARN || issuer["arn"] != stsRoleARN {
		t.Fatalf("CreateBucket event: account %v, identity %v", created["recipientAccountId"], identity)
	}
}

// TestSTSSessionOnEC2 checks that a role session sees the role account's
// EC2 resources and not the caller's.
func TestSTSSessionOnEC2(t *testing.T) {
	c, cfg := startCloud(t)
	addTargetRole(c)
	ctx := context.Background()
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(stsRoleARN), RoleSessionName: aws.String("rectify"), ExternalId: aws.String(stsExternalID),
	})
	if err != nil {
		t.Fatal(err)
	}
	session := sdkConfig(c.URL(), aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	groupID, err := c.SeedSecurityGroup(stsTargetAccount, SecurityGroupSeed{Region: DefaultRegion, GroupName: "target-web", Description: "in the target account"})
	if err != nil {
		t.Fatal(err)
	}
	seen := func(cfg aws.Config) bool {
		out, err := ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
		if err != nil {
			t.Fatalf("EC2 DescribeSecurityGroups (the EC2 emulation) failed: %v", err)
		}
		for _, g := range out.SecurityGroups {
			if aws.ToString(g.GroupId) == groupID {
				return aws.ToString(g.OwnerId) == stsTargetAccount
			}
		}
		return false
	}
	if !seen(session) || seen(cfg) {
		t.Fatal("the target account's security group is not visible to the role session only")
	}
}

func TestSTSErrors(t *testing.T) {
	c, cfg, clock := startCloudWithClock(t)
	addTargetRole(c)
	c.AddRole(Role{Account: DefaultAccount, Name: "local"}) // trusts its own account
	c.AddUser(stsTargetAccount, "stranger", "AKIAFAKESTRANGER0001", "secret")
	c.AddUser(DefaultAccount, "no-sts", "AKIAFAKENOSTS0000001", "secret", "sts:AssumeRole")
	ctx := context.Background()
	admin := sts.NewFromConfig(cfg)

	// A chained session, and one that expires.
	local, err := admin.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/local"), RoleSessionName: aws.String("chain")})
	if err != nil {
		t.Fatal(err)
	}
	chained := sts.NewFromConfig(sdkConfig(c.URL(), aws.ToString(local.Credentials.AccessKeyId), aws.ToString(local.Credentials.SecretAccessKey), aws.ToString(local.Credentials.SessionToken)))
	short, err := admin.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(stsRoleARN), RoleSessionName: aws.String("short"), ExternalId: aws.String(stsExternalID), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToTime(short.Credentials.Expiration); !got.Equal(clock.Now().Add(15 * time.Minute)) {
		t.Fatalf("expiration %s, want now+15m", got)
	}
	expired := sdkConfig(c.URL(), aws.ToString(short.Credentials.AccessKeyId), aws.ToString(short.Credentials.SecretAccessKey), aws.ToString(short.Credentials.SessionToken))

	assume := func(client *sts.Client, in sts.AssumeRoleInput) func() error {
		return func() error {
			_, err := client.AssumeRole(ctx, &in)
			return err
		}
	}
	role, session := aws.String(stsRoleARN), aws.String("rectify")
	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"no external id", assume(admin, sts.AssumeRoleInput{RoleArn: role, RoleSessionName: session}), "AccessDenied", 403},
		{"wrong external id", assume(admin, sts.AssumeRoleInput{RoleArn: role, RoleSessionName: session, ExternalId: aws.String("guess")}), "AccessDenied", 403},
		{"untrusted principal", assume(sts.NewFromConfig(sdkConfig(c.URL(), "AKIAFAKESTRANGER0001", "secret", "")),
			sts.AssumeRoleInput{RoleArn: role, RoleSessionName: session, ExternalId: aws.String(stsExternalID)}), "AccessDenied", 403},
		{"unknown role", assume(admin, sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/missing"), RoleSessionName: session}), "AccessDenied", 403},
		{"principal denied sts:AssumeRole", assume(sts.NewFromConfig(sdkConfig(c.URL(), "AKIAFAKENOSTS0000001", "secret", "")),
			sts.AssumeRoleInput{RoleArn: role, RoleSessionName: session, ExternalId: aws.String(stsExternalID)}), "AccessDenied", 403},
		{"session too short", assume(admin, sts.AssumeRoleInput{RoleArn: role, RoleSessionName: session, ExternalId: aws.String(stsExternalID), DurationSeconds: aws.Int32(899)}), "ValidationError", 400},
		{"session too long", assume(admin, sts.AssumeRoleInput{RoleArn: role, RoleSessionName: session, ExternalId: aws.String(stsExternalID), DurationSeconds: aws.Int32(43201)}), "ValidationError", 400},
		{"chained session over an hour", assume(chained, sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/local"), RoleSessionName: session, DurationSeconds: aws.Int32(7200)}), "ValidationError", 400},
		{"invalid session name", assume(admin, sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("has space"), ExternalId: aws.String(stsExternalID)}), "ValidationError", 400},
		{"unknown access key", func() error {
			_, err := sts.NewFromConfig(sdkConfig(c.URL(), "AKIAFAKEUNKNOWN00001", "x", "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, "InvalidClientTokenId", 403},
		{"expired session", func() error {
			clock.Advance(15*time.Minute + time.Second)
			_, err := sts.NewFromConfig(expired).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, "ExpiredToken", 403},
		{"expired session on another service", func() error {
			_, err := sqs.NewFromConfig(expired).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("q")})
			return err
		}, "ExpiredToken", 403},
		{"expired session on Security Hub", func() error {
			_, err := securityhub.NewFromConfig(expired).GetFindings(ctx, &securityhub.GetFindingsInput{})
			return err
		}, "ExpiredTokenException", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			wantAPIError(t, err, tt.code)
			var status interface{ HTTPStatusCode() int }
			if !errors.As(err, &status) || status.HTTPStatusCode() != tt.status {
				t.Fatalf("HTTP status of %v, want %d", err, tt.status)
			}
		})
	}
}

func TestSTSChainedSessionWithinAnHour(t *testing.T) {
	c, cfg := startCloud(t)
	c.AddRole(Role{Account: DefaultAccount, Name: "hop1"})
	c.AddRole(Role{Account: DefaultAccount, Name: "hop2", Trust: []string{"arn:aws:iam::123456789012:role/hop1"}})
	ctx := context.Background()
	first, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/hop1"), RoleSessionName: aws.String("hop-a")})
	if err != nil {
		t.Fatal(err)
	}
	hop := sts.NewFromConfig(sdkConfig(c.URL(), aws.ToString(first.Credentials.AccessKeyId), aws.ToString(first.Credentials.SecretAccessKey), aws.ToString(first.Credentials.SessionToken)))
	second, err := hop.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/hop2"), RoleSessionName: aws.String("hop-b")})
	if err != nil {
		t.Fatalf("a hop1 session assuming hop2, which trusts hop1: %v", err)
	}
	if got := aws.ToString(second.AssumedRoleUser.Arn); got != "arn:aws:sts::123456789012:assumed-role/hop2/hop-b" {
		t.Fatalf("chained session = %s", got)
	}
}

// TestSTSAssumeRoleProvider runs the SDK's own credential provider, the
// way internal/awsclient reaches every target account.
func TestSTSAssumeRoleProvider(t *testing.T) {
	c, cfg := startCloud(t)
	addTargetRole(c)
	ctx := context.Background()
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), stsRoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "rectify"
		o.ExternalID = aws.String(stsExternalID)
	})
	target := cfg.Copy()
	target.Credentials = aws.NewCredentialsCache(provider)

	who, err := sts.NewFromConfig(target).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Arn) != "arn:aws:sts::222222222222:assumed-role/rectify-remediation/rectify" {
		t.Fatalf("identity through stscreds = %s", aws.ToString(who.Arn))
	}
	creds, err := target.Credentials.Retrieve(ctx)
	if err != nil || !creds.CanExpire || time.Until(creds.Expires) > 16*time.Minute {
		t.Fatalf("cached credentials = %+v, %v (stscreds asks for 15 minutes)", creds, err)
	}
	out, err := sqs.NewFromConfig(target).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("via-provider")})
	if err != nil || !strings.Contains(aws.ToString(out.QueueUrl), "/222222222222/") {
		t.Fatalf("queue via provider: %v, %v", out, err)
	}
}

func TestSTSBadInput(t *testing.T) {
	c, _ := startCloud(t)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	tests := []struct {
		body, code string
	}{
		{"Action=GetSessionToken&Version=2011-06-15", "InvalidAction"},
		{"Action=GetCallerIdentity&Version=2099-01-01", "InvalidAction"},
		{"Version=2011-06-15", "MissingAction"},
		{"Action=AssumeRole&Version=2011-06-15%zz", "MalformedQueryString"},
		{"Action=AssumeRole&Version=2011-06-15&RoleSessionName=s", "ValidationError"},
		{"Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::1:role/x&RoleSessionName=s", "ValidationError"},
		{"Action=AssumeRole&Version=2011-06-15&RoleArn=" + stsRoleARN + "&RoleSessionName=ss&DurationSeconds=soon", "ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			status, _, body := rawCall(t, c.URL(), "sts", http.MethodPost, "/", form, tt.body)
			if status != http.StatusBadRequest || !strings.Contains(string(body), "<Code>"+tt.code+"</Code>") || !strings.Contains(string(body), "<Type>Sender</Type>") {
				t.Fatalf("status %d, body %s; want 400 with code %s", status, body, tt.code)
			}
		})
	}
}

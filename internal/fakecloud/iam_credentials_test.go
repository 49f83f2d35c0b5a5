package fakecloud

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// A key's last use is what IAM recorded of the requests it authenticated:
// none for a new key (N/A, no date), the seeded time for a stale one, and
// the request's own time, service and region once it signs one.
func TestIAMAccessKeyLastUsed(t *testing.T) {
	c, cfg := startCloud(t)
	client := iam.NewFromConfig(cfg)
	ctx := context.Background()
	c.SeedAccessKey(DefaultAccount, "ci", "AKIACIKEY00000000001", "ci-secret", time.Now().Add(-200*24*time.Hour), true)

	out, err := client.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIACIKEY00000000001")})
	if err != nil {
		t.Fatal(err)
	}
	if u := out.AccessKeyLastUsed; aws.ToString(out.UserName) != "ci" || u.LastUsedDate != nil || aws.ToString(u.ServiceName) != "N/A" || aws.ToString(u.Region) != "N/A" {
		t.Fatalf("never used: user %s, %+v", aws.ToString(out.UserName), u)
	}
	stale := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	if !c.SeedAccessKeyLastUsed("AKIACIKEY00000000001", stale, "s3", "eu-west-1") {
		t.Fatal("seed: key not found")
	}
	out, err = client.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIACIKEY00000000001")})
	if err != nil {
		t.Fatal(err)
	}
	if u := out.AccessKeyLastUsed; !aws.ToTime(u.LastUsedDate).Equal(stale) || aws.ToString(u.ServiceName) != "s3" || aws.ToString(u.Region) != "eu-west-1" {
		t.Fatalf("stale: %+v", u)
	}

	before := time.Now().Add(-time.Second)
	ci := sts.NewFromConfig(sdkConfig(aws.ToString(cfg.BaseEndpoint), "AKIACIKEY00000000001", "ci-secret", ""))
	if _, err := ci.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	out, err = client.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIACIKEY00000000001")})
	if err != nil {
		t.Fatal(err)
	}
	if u := out.AccessKeyLastUsed; aws.ToTime(u.LastUsedDate).Before(before) || aws.ToString(u.ServiceName) != "sts" {
		t.Fatalf("after a call: %+v", u)
	}
	if _, err := client.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIANOSUCHKEY0000001")}); iamCode(err) != "NoSuchEntity" {
		t.Errorf("a key that does not exist: %v", err)
	}
}

// A console password is a login profile: created (through the account's
// password policy), read, reset and deleted through the SDK, each change
// with its CloudTrail event and never the password in it; the last
// sign-in is GetUser's PasswordLastUsed.
func TestIAMLoginProfile(t *testing.T) {
	c, cfg := startCloud(t)
	tap := tapEvents(c)
	client := iam.NewFromConfig(cfg)
	ctx := context.Background()
	if err := c.SeedIAM(DefaultAccount, "user", "alice", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")}); iamCode(err) != "NoSuchEntity" {
		t.Fatalf("no password yet: %v", err)
	}
	if _, err := client.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("short")}); iamCode(err) != "PasswordPolicyViolation" {
		t.Errorf("a 5-character password: %v, want PasswordPolicyViolation", err)
	}
	created, err := client.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("correct-horse-battery"), PasswordResetRequired: true})
	if err != nil {
		t.Fatal(err)
	}
	if lp := created.LoginProfile; aws.ToString(lp.UserName) != "alice" || !lp.PasswordResetRequired || lp.CreateDate == nil {
		t.Fatalf("created %+v", lp)
	}
	ev := tap.last(t, "CreateLoginProfile")
	req := ev["requestParameters"].(map[string]any)
	if req["userName"] != "alice" || req["password"] != "HIDDEN_DUE_TO_SECURITY_REASONS" || req["passwordResetRequired"] != true || ev["awsRegion"] != "us-east-1" {
		t.Fatalf("CreateLoginProfile event = %v", ev)
	}
	if _, err := client.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("another-password")}); iamCode(err) != "EntityAlreadyExists" {
		t.Errorf("a second password: %v", err)
	}

	old := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := c.SeedLoginProfile(DefaultAccount, "alice", "x", old); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("a-new-long-password")}); err != nil {
		t.Fatal(err)
	}
	if req := tap.last(t, "UpdateLoginProfile")["requestParameters"].(map[string]any); req["userName"] != "alice" || req["password"] != "HIDDEN_DUE_TO_SECURITY_REASONS" {
		t.Fatalf("UpdateLoginProfile event = %v", req)
	}
	got, err := client.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToTime(got.LoginProfile.CreateDate).Equal(old) {
		t.Errorf("a reset changed the create date to %v", got.LoginProfile.CreateDate)
	}

	user, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if user.User.PasswordLastUsed != nil {
		t.Errorf("never signed in, PasswordLastUsed = %v", user.User.PasswordLastUsed)
	}
	signedIn := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	if err := c.SeedPasswordLastUsed(DefaultAccount, "alice", signedIn); err != nil {
		t.Fatal(err)
	}
	if user, err = client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}); err != nil || !aws.ToTime(user.User.PasswordLastUsed).Equal(signedIn) {
		t.Fatalf("PasswordLastUsed = %v, %v; want %v", user.User.PasswordLastUsed, err, signedIn)
	}

	if _, err := client.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}); iamCode(err) != "DeleteConflict" {
		t.Errorf("delete a user with a password: %v, want DeleteConflict", err)
	}
	if _, err := client.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if req := tap.last(t, "DeleteLoginProfile")["requestParameters"].(map[string]any); req["userName"] != "alice" {
		t.Fatalf("DeleteLoginProfile event = %v", req)
	}
	if c.HasLoginProfile(DefaultAccount, "alice") {
		t.Error("the password is still there")
	}
	if _, err := client.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")}); iamCode(err) != "NoSuchEntity" {
		t.Errorf("delete twice: %v", err)
	}
	for _, name := range []string{"GetLoginProfile", "DeleteLoginProfile"} {
		var err error
		if name == "GetLoginProfile" {
			_, err = client.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("nobody")})
		} else {
			_, err = client.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("nobody")})
		}
		if iamCode(err) != "NoSuchEntity" {
			t.Errorf("%s of a user that does not exist: %v", name, err)
		}
	}
}

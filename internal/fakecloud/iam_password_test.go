package fakecloud

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestIAMPasswordPolicy(t *testing.T) {
	c, cfg := startCloud(t)
	tap := tapEvents(c)
	client := iam.NewFromConfig(cfg)
	ctx := context.Background()

	_, err := client.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if iamCode(err) != "NoSuchEntity" {
		t.Fatalf("GetAccountPasswordPolicy of a new account: %v, want NoSuchEntity", err)
	}
	if _, err := client.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{}); iamCode(err) != "NoSuchEntity" {
		t.Fatalf("DeleteAccountPasswordPolicy without one: %v, want NoSuchEntity", err)
	}
	if ev := tap.last(t, "DeleteAccountPasswordPolicy"); ev["errorCode"] != "NoSuchEntity" {
		t.Errorf("failed delete event errorCode = %v", ev["errorCode"])
	}

	// Update replaces the whole policy: what is left out takes IAM's default.
	if _, err := client.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true,
		MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24), HardExpiry: aws.Bool(false),
	}); err != nil {
		t.Fatal(err)
	}
	ev := tap.last(t, "UpdateAccountPasswordPolicy")
	req, _ := ev["requestParameters"].(map[string]any)
	if ev["awsRegion"] != "us-east-1" || ev["eventSource"] != "iam.amazonaws.com" || ev["readOnly"] != false ||
		req["minimumPasswordLength"] != 14.0 || req["requireSymbols"] != true || req["maxPasswordAge"] != 90.0 ||
		req["passwordReusePrevention"] != 24.0 || req["hardExpiry"] != false || len(req) != 6 {
		t.Fatalf("UpdateAccountPasswordPolicy event = %v", ev)
	}
	out, err := client.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	p := out.PasswordPolicy
	if aws.ToInt32(p.MinimumPasswordLength) != 14 || !p.RequireSymbols || !p.RequireNumbers || p.RequireUppercaseCharacters ||
		p.RequireLowercaseCharacters || p.AllowUsersToChangePassword || !p.ExpirePasswords || aws.ToInt32(p.MaxPasswordAge) != 90 ||
		aws.ToInt32(p.PasswordReusePrevention) != 24 || p.HardExpiry == nil || *p.HardExpiry {
		t.Fatalf("policy = %+v", p)
	}

	if _, err := client.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{RequireUppercaseCharacters: true}); err != nil {
		t.Fatal(err)
	}
	out, err = client.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	p = out.PasswordPolicy
	if aws.ToInt32(p.MinimumPasswordLength) != iamDefaultMinLength || p.RequireSymbols || !p.RequireUppercaseCharacters ||
		p.ExpirePasswords || p.MaxPasswordAge != nil || p.PasswordReusePrevention != nil {
		t.Fatalf("policy after a partial update = %+v, want every left-out setting back at its default", p)
	}

	for _, tc := range []struct {
		in   *iam.UpdateAccountPasswordPolicyInput
		want string
	}{
		{&iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)}, "minimumPasswordLength"},
		{&iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(129)}, "minimumPasswordLength"},
		{&iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(0)}, "maxPasswordAge"},
		{&iam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(25)}, "passwordReusePrevention"},
	} {
		_, err := client.UpdateAccountPasswordPolicy(ctx, tc.in)
		if iamCode(err) != "ValidationError" {
			t.Errorf("update %s out of range: %v, want ValidationError", tc.want, err)
		}
		if ev := tap.last(t, "UpdateAccountPasswordPolicy"); ev["errorCode"] != "ValidationError" || ev["requestParameters"].(map[string]any)[tc.want] == nil {
			t.Errorf("refused update event = %v", ev)
		}
	}
	if p := c.IAMPasswordPolicyOf(DefaultAccount); p == nil || !p.RequireUppercaseCharacters || p.MinimumPasswordLength != iamDefaultMinLength {
		t.Fatalf("a refused update changed the policy: %v", p)
	}

	if _, err := client.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	if ev := tap.last(t, "DeleteAccountPasswordPolicy"); ev["errorCode"] != nil || ev["requestParameters"] != nil {
		t.Errorf("delete event = %v", ev)
	}
	if p := c.IAMPasswordPolicyOf(DefaultAccount); p != nil {
		t.Fatalf("policy after delete = %v", p)
	}
}

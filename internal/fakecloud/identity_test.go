package fakecloud

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// A session's key is only valid with its own token, as in AWS.
func TestSessionTokenRequired(t *testing.T) {
	ctx := context.Background()
	c, cfg := startCloud(t)
	c.AddRole(Role{Account: DefaultAccount, Name: "r"})
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + DefaultAccount + ":role/r"), RoleSessionName: aws.String("sess"),
	})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	for _, tc := range []struct {
		name, token string
		ok          bool
	}{
		{"right token", aws.ToString(cr.SessionToken), true},
		{"wrong token", "forged", false},
		{"no token", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			session := sdkConfig(c.URL(), aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), tc.token)
			id, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if tc.ok {
				if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::"+DefaultAccount+":assumed-role/r/sess" {
					t.Fatalf("identity = %v, %v", id, err)
				}
				return
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidClientTokenId" {
				t.Fatalf("err = %v, want InvalidClientTokenId", err)
			}
		})
	}
}

// RevokeSessions forgets the sessions of one role, which are then refused
// like unknown keys until the role is assumed again; other roles' sessions
// and users' keys keep working.
func TestRevokeSessions(t *testing.T) {
	ctx := context.Background()
	c, cfg := startCloud(t)
	c.AddRole(Role{Account: DefaultAccount, Name: "a"})
	c.AddRole(Role{Account: DefaultAccount, Name: "b"})
	assume := func(role string) aws.Config {
		t.Helper()
		out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::" + DefaultAccount + ":role/" + role), RoleSessionName: aws.String("sess"),
		})
		if err != nil {
			t.Fatal(err)
		}
		cr := out.Credentials
		return sdkConfig(c.URL(), aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	}
	callerCode := func(cfg aws.Config) string {
		_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			return apiErr.ErrorCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return ""
	}
	a1, a2, b := assume("a"), assume("a"), assume("b")
	if n := c.RevokeSessions("arn:aws:iam::" + DefaultAccount + ":role/a"); n != 2 {
		t.Fatalf("revoked %d sessions of a, want 2", n)
	}
	for name, want := range map[string]struct {
		cfg  aws.Config
		code string
	}{"a1": {a1, "InvalidClientTokenId"}, "a2": {a2, "InvalidClientTokenId"}, "b": {b, ""}, "user": {cfg, ""}} {
		if got := callerCode(want.cfg); got != want.code {
			t.Errorf("%s: code %q, want %q", name, got, want.code)
		}
	}
	if got := callerCode(assume("a")); got != "" {
		t.Errorf("a assumed again: %q", got)
	}
	if n := c.RevokeSessions(""); n != 2 {
		t.Errorf("revoked %d sessions of every role, want 2 (b, and a's new one)", n)
	}
}

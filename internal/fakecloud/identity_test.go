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

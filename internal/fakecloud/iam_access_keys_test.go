package fakecloud

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestIAMAccessKeys(t *testing.T) {
	c, cfg := startCloud(t)
	tap := tapEvents(c)
	client := iam.NewFromConfig(cfg)
	ctx := context.Background()
	old := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	c.SeedAccessKey(DefaultAccount, "ci", "AKIAOLDCIKEY00000001", "old-secret", old, true)
	c.SeedAccessKey(DefaultAccount, "ci", "AKIAOLDCIKEY00000002", "older-secret", old, false)

	out, err := client.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("ci")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AccessKeyMetadata) != 2 || aws.ToString(out.AccessKeyMetadata[0].AccessKeyId) != "AKIAOLDCIKEY00000001" ||
		out.AccessKeyMetadata[0].Status != iamtypes.StatusTypeActive || out.AccessKeyMetadata[1].Status != iamtypes.StatusTypeInactive ||
		!aws.ToTime(out.AccessKeyMetadata[0].CreateDate).Equal(old) || aws.ToString(out.AccessKeyMetadata[0].UserName) != "ci" {
		t.Fatalf("keys = %+v", out.AccessKeyMetadata)
	}
	if _, err := client.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("nobody")}); iamCode(err) != "NoSuchEntity" {
		t.Errorf("keys of a user that does not exist: %v", err)
	}

	ci := sts.NewFromConfig(sdkConfig(aws.ToString(cfg.BaseEndpoint), "AKIAOLDCIKEY00000001", "old-secret", ""))
	if _, err := ci.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("the active key is refused: %v", err)
	}
	if _, err := client.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ci"), AccessKeyId: aws.String("AKIAOLDCIKEY00000001"), Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	ev := tap.last(t, "UpdateAccessKey")
	if req := ev["requestParameters"].(map[string]any); req["userName"] != "ci" || req["accessKeyId"] != "AKIAOLDCIKEY00000001" || req["status"] != "Inactive" || ev["awsRegion"] != "us-east-1" {
		t.Fatalf("UpdateAccessKey event = %v", ev)
	}
	if _, err := ci.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); iamCode(err) != "InvalidClientTokenId" {
		t.Errorf("the deactivated key: %v, want InvalidClientTokenId", err)
	}
	if active, ok := c.AccessKeyActive("AKIAOLDCIKEY00000001"); active || !ok {
		t.Errorf("AccessKeyActive = %v, %v", active, ok)
	}
	for _, in := range []*iam.UpdateAccessKeyInput{
		{UserName: aws.String("ci"), AccessKeyId: aws.String(DefaultAccessKeyID), Status: iamtypes.StatusTypeInactive},
		{UserName: aws.String("ci"), AccessKeyId: aws.String("AKIANOSUCHKEY0000001"), Status: iamtypes.StatusTypeActive},
	} {
		if _, err := client.UpdateAccessKey(ctx, in); iamCode(err) != "NoSuchEntity" {
			t.Errorf("update %s of ci: %v, want NoSuchEntity", aws.ToString(in.AccessKeyId), err)
		}
	}
	if _, err := client.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ci"), AccessKeyId: aws.String("AKIAOLDCIKEY00000001"), Status: "Off"}); iamCode(err) != "ValidationError" {
		t.Errorf("status Off: %v, want ValidationError", err)
	}
}

package fakecloud

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func newKMS(t *testing.T) (*Cloud, *kms.Client, *eventTap) {
	t.Helper()
	c, cfg := startCloud(t)
	return c, kms.NewFromConfig(cfg), tapEvents(c)
}

func TestKMSKeyLifecycle(t *testing.T) {
	_, client, tap := newKMS(t)
	ctx := t.Context()

	created := okEC2(client.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String("orders"),
		Tags:        []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String("pay")}},
	}))(t)
	md := created.KeyMetadata
	id := aws.ToString(md.KeyId)
	wantARN := "arn:aws:kms:" + DefaultRegion + ":" + DefaultAccount + ":key/" + id
	if aws.ToString(md.Arn) != wantARN || md.KeySpec != kmstypes.KeySpecSymmetricDefault ||
		md.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt || md.Origin != kmstypes.OriginTypeAwsKms ||
		md.KeyManager != kmstypes.KeyManagerTypeCustomer || md.KeyState != kmstypes.KeyStateEnabled || !md.Enabled ||
		aws.ToString(md.AWSAccountId) != DefaultAccount || md.CreationDate == nil {
		t.Fatalf("created key metadata: %+v", md)
	}
	ev := tap.last(t, "CreateKey")
	resp := ev["responseElements"].(map[string]any)["keyMetadata"].(map[string]any)
	if resp["keyId"] != id || resp["aWSAccountId"] != DefaultAccount || ev["eventSource"] != "kms.amazonaws.com" {
		t.Fatalf("CreateKey event: %v", ev)
	}
	if tags := ev["requestParameters"].(map[string]any)["tags"]; !reflect.DeepEqual(tags, []any{map[string]any{"tagKey": "team", "tagValue": "pay"}}) {
		t.Errorf("CreateKey requestParameters.tags = %v", tags)
	}

	// A new key does not rotate.
	st := okEC2(client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)}))(t)
	if st.KeyRotationEnabled {
		t.Fatal("a new key rotates")
	}
	// By ARN, twice: EnableKeyRotation is idempotent.
	for range 2 {
		okEC2(client.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(wantARN)}))(t)
	}
	st = okEC2(client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)}))(t)
	if !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 365 || st.NextRotationDate == nil {
		t.Fatalf("after enable: %+v", st)
	}
	if ev := tap.last(t, "EnableKeyRotation"); ev["requestParameters"].(map[string]any)["keyId"] != wantARN || ev["responseElements"] != nil {
		t.Errorf("EnableKeyRotation event: %v", ev)
	}
	okEC2(client.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(id)}))(t)
	if st := okEC2(client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)}))(t); st.KeyRotationEnabled {
		t.Fatal("rotation still on after DisableKeyRotation")
	}
	if ev := tap.last(t, "DisableKeyRotation"); ev["requestParameters"].(map[string]any)["keyId"] != id {
		t.Errorf("DisableKeyRotation event: %v", ev)
	}

	// Tags.
	okEC2(client.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: []kmstypes.Tag{{TagKey: aws.String("env"), TagValue: aws.String("prod")}}}))(t)
	okEC2(client.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(id), TagKeys: []string{"team"}}))(t)
	tags := okEC2(client.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)}))(t)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].TagKey) != "env" || aws.ToString(tags.Tags[0].TagValue) != "prod" || tags.Truncated {
		t.Fatalf("tags: %+v", tags)
	}
	if ev := tap.last(t, "UntagResource"); !reflect.DeepEqual(ev["requestParameters"], map[string]any{"keyId": id, "tagKeys": []any{"team"}}) {
		t.Errorf("UntagResource event: %v", ev["requestParameters"])
	}

	// Deletion.
	del := okEC2(client.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)}))(t)
	if del.KeyState != kmstypes.KeyStatePendingDeletion || aws.ToString(del.KeyId) != wantARN || aws.ToInt32(del.PendingWindowInDays) != 7 {
		t.Fatalf("schedule deletion: %+v", del)
	}
	d := okEC2(client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}))(t)
	if d.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion || d.KeyMetadata.Enabled || d.KeyMetadata.DeletionDate == nil {
		t.Fatalf("described after deletion: %+v", d.KeyMetadata)
	}
	_, err := client.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id)})
	wantEC2Error(t, err, "KMSInvalidStateException")
	if ev := tap.last(t, "EnableKeyRotation"); ev["errorCode"] != "KMSInvalidStateException" {
		t.Errorf("failed EnableKeyRotation was logged as %v", ev["errorCode"])
	}
}

func TestKMSRotationUnsupported(t *testing.T) {
	c, client, tap := newKMS(t)
	ctx := t.Context()
	tests := []struct {
		name string
		in   kms.CreateKeyInput
	}{
		{"asymmetric", kms.CreateKeyInput{KeySpec: kmstypes.KeySpecRsa2048, KeyUsage: kmstypes.KeyUsageTypeSignVerify}},
		{"hmac", kms.CreateKeyInput{KeySpec: kmstypes.KeySpecHmac256, KeyUsage: kmstypes.KeyUsageTypeGenerateVerifyMac}},
		{"imported", kms.CreateKeyInput{Origin: kmstypes.OriginTypeExternal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := okEC2(client.CreateKey(ctx, &tt.in))(t)
			id := out.KeyMetadata.KeyId
			_, err := client.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id})
			wantEC2Error(t, err, "UnsupportedOperationException")
			_, err = client.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: id})
			wantEC2Error(t, err, "UnsupportedOperationException")
			if ev := tap.last(t, "DisableKeyRotation"); ev["errorCode"] != "UnsupportedOperationException" {
				t.Errorf("event errorCode = %v", ev["errorCode"])
			}
			// Keys that cannot rotate report false, as KMS documents.
			if st := okEC2(client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id}))(t); st.KeyRotationEnabled {
				t.Error("rotation status true")
			}
		})
	}
	if out := okEC2(client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(mustSeedKey(t, c, KMSKeySeed{Origin: "EXTERNAL"}))}))(t); out.KeyMetadata.KeyState != kmstypes.KeyStatePendingImport {
		t.Errorf("imported key state = %s, want PendingImport", out.KeyMetadata.KeyState)
	}
	_, err := client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecHmac256})
	wantEC2Error(t, err, "ValidationException")
}

func mustSeedKey(t *testing.T, c *Cloud, k KMSKeySeed) string {
	t.Helper()
	id, err := c.SeedKMSKey(DefaultAccount, k)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestKMSErrors(t *testing.T) {
	c, client, tap := newKMS(t)
	ctx := t.Context()
	missing := "1234abcd-12ab-34cd-56ef-1234567890ab"
	_, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(missing)})
	wantEC2Error(t, err, "NotFoundException")
	_, err = client.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(missing)})
	wantEC2Error(t, err, "NotFoundException")
	if ev := tap.last(t, "EnableKeyRotation"); ev["errorCode"] != "NotFoundException" || ev["requestParameters"].(map[string]any)["keyId"] != missing {
		t.Errorf("failed call event: %v", ev)
	}
	// A key of another region is not found by its ARN here.
	other := mustSeedKey(t, c, KMSKeySeed{Region: "eu-west-1"})
	_, err = client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(kmsARN(DefaultAccount, "eu-west-1", other))})
	wantEC2Error(t, err, "NotFoundException")
	_, err = client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:nope")})
	wantEC2Error(t, err, "InvalidArnException")
	managed := mustSeedKey(t, c, KMSKeySeed{Manager: "AWS"})
	_, err = client.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(managed)})
	wantEC2Error(t, err, "UnsupportedOperationException")
	if st := okEC2(client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(managed)}))(t); !st.KeyRotationEnabled {
		t.Error("an AWS managed key must report rotation on")
	}
	_, err = client.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("garbage!")})
	wantEC2Error(t, err, "InvalidMarkerException")
	_, err = client.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(managed), Tags: []kmstypes.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("")}}})
	wantEC2Error(t, err, "TagException")
}

func TestKMSListKeysPages(t *testing.T) {
	c, client, _ := newKMS(t)
	want := map[string]bool{}
	for range 5 {
		want[mustSeedKey(t, c, KMSKeySeed{})] = true
	}
	mustSeedKey(t, c, KMSKeySeed{Region: "eu-west-1"}) // not listed in us-east-1
	got := map[string]bool{}
	pages := 0
	p := kms.NewListKeysPaginator(client, &kms.ListKeysInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page := okEC2(p.NextPage(t.Context()))(t)
		pages++
		for _, k := range page.Keys {
			if aws.ToString(k.KeyArn) != kmsARN(DefaultAccount, DefaultRegion, aws.ToString(k.KeyId)) {
				t.Errorf("key arn %s", aws.ToString(k.KeyArn))
			}
			got[aws.ToString(k.KeyId)] = true
		}
	}
	if pages != 3 || !reflect.DeepEqual(got, want) {
		t.Fatalf("%d pages, keys %v, want 3 pages of %v", pages, got, want)
	}
}

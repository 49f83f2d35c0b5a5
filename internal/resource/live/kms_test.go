package live

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/rectifyhq/rectify/internal/resource"
)

func TestKMSKey(t *testing.T) {
	const id = "0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
	arn := "arn:aws:kms:eu-west-1:123456789012:key/" + id
	tests := []struct {
		name      string
		state     KMSKeyState
		wantProps map[string]any
		wantTags  map[string]string
	}{{
		name: "customer symmetric key, rotation off",
		state: KMSKeyState{Metadata: kmstypes.KeyMetadata{
			KeyId: aws.String(id), Arn: aws.String(arn), AWSAccountId: aws.String("123456789012"), Enabled: true,
			KeyManager: kmstypes.KeyManagerTypeCustomer, KeySpec: kmstypes.KeySpecSymmetricDefault,
			KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt, Origin: kmstypes.OriginTypeAwsKms,
		}, Tags: map[string]string{"team": "pay"}},
		wantProps: map[string]any{
			"key_id": id, "key_manager": "CUSTOMER", "key_spec": "SYMMETRIC_DEFAULT", "key_usage": "ENCRYPT_DECRYPT",
			"origin": "AWS_KMS", "enabled": true, "key_rotation_enabled": false,
		},
		wantTags: map[string]string{"team": "pay"},
	}, {
		name: "only the deprecated spec, rotation on",
		state: KMSKeyState{RotationEnabled: true, Metadata: kmstypes.KeyMetadata{
			KeyId: aws.String(id), Arn: aws.String(arn), KeyManager: kmstypes.KeyManagerTypeAws,
			CustomerMasterKeySpec: kmstypes.CustomerMasterKeySpecSymmetricDefault, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt,
			Origin: kmstypes.OriginTypeAwsKms, Enabled: true,
		}},
		wantProps: map[string]any{
			"key_id": id, "key_manager": "AWS", "key_spec": "SYMMETRIC_DEFAULT", "key_usage": "ENCRYPT_DECRYPT",
			"origin": "AWS_KMS", "enabled": true, "key_rotation_enabled": true,
		},
		wantTags: map[string]string{},
	}, {
		name:  "enums the SDK left empty are unknown, not empty strings",
		state: KMSKeyState{Metadata: kmstypes.KeyMetadata{KeyId: aws.String(id), Arn: aws.String(arn)}},
		wantProps: map[string]any{
			"key_id": id, "enabled": false, "key_rotation_enabled": false,
		},
		wantTags: map[string]string{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KMSKey("123456789012", "eu-west-1", tt.state)
			if got.Type != resource.TypeKMSKey || got.ARN != arn || got.ID != id || got.Name != id ||
				got.Account != "123456789012" || got.Region != "eu-west-1" || got.Plane != resource.PlaneLive || got.Address != nil {
				t.Errorf("identity = %+v", got)
			}
			if !reflect.DeepEqual(got.Properties, tt.wantProps) {
				t.Errorf("properties = %#v, want %#v", got.Properties, tt.wantProps)
			}
			if !reflect.DeepEqual(got.Tags, tt.wantTags) {
				t.Errorf("tags = %v, want %v", got.Tags, tt.wantTags)
			}
		})
	}
}

func TestKMSKeySkipped(t *testing.T) {
	for state, want := range map[kmstypes.KeyState]bool{
		kmstypes.KeyStateEnabled: false, kmstypes.KeyStateDisabled: false,
		kmstypes.KeyStatePendingDeletion: true, kmstypes.KeyStatePendingImport: true,
	} {
		if got := KMSKeySkipped(kmstypes.KeyMetadata{KeyState: state}); got != want {
			t.Errorf("%s: skipped = %v, want %v", state, got, want)
		}
	}
}

package live

import (
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/rectifyhq/rectify/internal/resource"
)

// KMSKeyState is what the live plane read about one KMS key: DescribeKey's
// metadata, GetKeyRotationStatus and ListResourceTags.
type KMSKeyState struct {
	Metadata kmstypes.KeyMetadata
	// RotationEnabled is GetKeyRotationStatus.KeyRotationEnabled; false for
	// keys that cannot rotate (asymmetric, HMAC, imported, custom key
	// store), as KMS reports and Terraform's enable_key_rotation says.
	RotationEnabled bool
	Tags            map[string]string
}

// KMSKey normalizes a KMS key read live.
//
// properties:
//
//	{"key_id", "key_manager", "key_spec", "key_usage", "origin",
//	 "enabled": bool, "key_rotation_enabled": bool}
//
// An enum the SDK left empty is absent (unknown), so a policy cannot deny
// on it. The region is the key's, from its ARN when the metadata has one.
func KMSKey(account, region string, k KMSKeyState) resource.Resource {
	md := k.Metadata
	id := aws.ToString(md.KeyId)
	if a := aws.ToString(md.AWSAccountId); a != "" {
		account = a
	}
	props := map[string]any{
		"key_id":               id,
		"enabled":              md.Enabled,
		"key_rotation_enabled": k.RotationEnabled,
	}
	putEnum := func(key, v string) {
		if v != "" {
			props[key] = v
		}
	}
	putEnum("key_manager", string(md.KeyManager))
	spec := string(md.KeySpec)
	if spec == "" {
		spec = string(md.CustomerMasterKeySpec) //nolint:staticcheck // older keys report only the deprecated field
	}
	putEnum("key_spec", spec)
	putEnum("key_usage", string(md.KeyUsage))
	putEnum("origin", string(md.Origin))
	tags := maps.Clone(k.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	arn := aws.ToString(md.Arn)
	if arn == "" {
		arn = resource.KMSKeyARN(account, region, id)
	}
	return resource.Resource{
		Type:       resource.TypeKMSKey,
		ARN:        arn,
		ID:         id,
		Name:       id,
		Account:    account,
		Region:     region,
		Tags:       tags,
		Plane:      resource.PlaneLive,
		Properties: props,
	}
}

// KMSKeySkipped says whether the live plane leaves a key out: keys pending
// deletion or import are no longer (or not yet) managed, and their rotation
// cannot change.
func KMSKeySkipped(md kmstypes.KeyMetadata) bool {
	return md.KeyState == kmstypes.KeyStatePendingDeletion || md.KeyState == kmstypes.KeyStatePendingImport
}

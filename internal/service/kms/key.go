// Package kms holds rectify's knowledge of AWS KMS: the customer managed
// key, read and listed live, named by its CloudTrail calls and its
// Terraform resource, and the rotation it needs.
package kms

import (
	"context"
	"encoding/json"
	"maps"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TypeKey is the Terraform type of a KMS key.
const TypeKey = "aws_kms_key"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Key}

// Key is a KMS key. Live skips keys pending deletion or import: Terraform
// no longer manages them and their rotation cannot change.
//
// properties:
//
//	{"key_id": "…", "key_manager": "CUSTOMER" | "AWS",
//	 "key_spec": "SYMMETRIC_DEFAULT" | …, "key_usage": "ENCRYPT_DECRYPT" | …,
//	 "origin": "AWS_KMS" | "EXTERNAL" | "AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE",
//	 "enabled": bool,
//	 "key_rotation_enabled": bool}   // GetKeyRotationStatus; false for keys
//	                                 // that cannot rotate (asymmetric, HMAC,
//	                                 // imported, custom key store), as
//	                                 // Terraform's enable_key_rotation says
var Key = &kind.Kind{
	Type:          TypeKey,
	Noun:          "KMS key",
	ConfigType:    "AWS::KMS::Key",
	ASFFType:      "AwsKmsKey",
	ASFFDetailsID: "KeyId",
	ARN:           KeyARN,
	ParseARN:      func(a kind.ARN) (string, bool) { return a.Of("kms", "key/") },
	IsID:          isKeyID,
	ConfigIDs:     []string{kind.ConfigResourceID},
	Fetch:         fetchKey,
	List:          listKeys,
	Tag:           tagKey,
	Normalize:     normalizeKey,
	Calls: []kind.Call{
		// The new key's id exists only in the response.
		{Source: source, Names: []string{"CreateKey"}, IDs: []string{"responseElements.keyMetadata.arn", "responseElements.keyMetadata.keyId"}},
		// keyId is whatever the caller passed: a key id, a key ARN, an
		// alias name or an alias ARN. An alias says nothing about the key
		// without an API call, so the record's own resources list
		// (CloudTrail writes the key ARN there) names it too.
		{Source: source, Names: []string{"EnableKeyRotation", "DisableKeyRotation", "CancelKeyDeletion", "TagResource", "UntagResource"},
			IDs: []string{"requestParameters.keyId", "resources.*.ARN"}},
		// A key pending deletion is out of the live plane, as if deleted.
		{Source: source, Names: []string{"ScheduleKeyDeletion"}, IDs: []string{"requestParameters.keyId", "resources.*.ARN"}, Deletes: true},
	},
	Plan:    keyPlan,
	Actions: []*kind.Action{EnableRotation},
	Permissions: kind.Permissions{
		Read: []string{"kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:ListResourceTags"},
		List: []string{"kms:ListKeys"},
		Tag:  []string{"kms:TagResource"},
	},
}

const source = "kms.amazonaws.com"

// KeyARN builds the ARN of a KMS key from its key id.
func KeyARN(account, region, keyID string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + keyID
}

// keyIDPattern is a key id: a UUID, or mrk- and 32 hex digits for a
// multi-Region key. Aliases (alias/...) are not key ids.
var keyIDPattern = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)

func isKeyID(s string) bool { return keyIDPattern.MatchString(s) }

// KeyState is what the live plane reads about one KMS key: DescribeKey's
// metadata, GetKeyRotationStatus and ListResourceTags.
type KeyState struct {
	Metadata kmstypes.KeyMetadata
	// RotationEnabled is GetKeyRotationStatus.KeyRotationEnabled; false for
	// keys that cannot rotate, as KMS reports and Terraform's
	// enable_key_rotation says.
	RotationEnabled bool
	Tags            map[string]string
}

// fetchKey reads a key's metadata, rotation status and tags. A key pending
// deletion or import counts as gone: the live plane skips it.
func fetchKey(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.KMS(ref.Account, ref.Region)
	out, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref.ID)})
	if awserr.Code(err) == "NotFoundException" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awserr.Wrap(ctx, "describe kms key "+ref.ID, err)
	}
	if out.KeyMetadata == nil || skipped(*out.KeyMetadata) {
		return resource.Resource{}, false, nil
	}
	rotation, err := rotationEnabled(ctx, client, ref.ID)
	if awserr.Code(err) == "NotFoundException" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, err
	}
	tags, err := keyTags(ctx, client, ref.ID)
	if awserr.Code(err) == "NotFoundException" {
		return resource.Resource{}, false, nil
	}
	// A tag read AWS refuses leaves the key judged without its tags: its
	// exemption is then uncertain, and the violation waits for a human.
	res := KeyResource(ref.Account, ref.Region, KeyState{Metadata: *out.KeyMetadata, RotationEnabled: rotation, Tags: tags})
	if err != nil {
		if !kind.TagReadRefused(err) {
			return resource.Resource{}, false, err
		}
		res = kind.WithoutTags(res, err)
	}
	return res, true, nil
}

// rotationEnabled is GetKeyRotationStatus. A key that cannot rotate may
// answer UnsupportedOperationException instead of false; both mean "not
// rotating".
func rotationEnabled(ctx context.Context, client *kms.Client, keyID string) (bool, error) {
	out, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(keyID)})
	switch {
	case awserr.Code(err) == "UnsupportedOperationException":
		return false, nil
	case err != nil:
		return false, awserr.Wrap(ctx, "get rotation status of kms key "+keyID, err)
	}
	return out.KeyRotationEnabled, nil
}

// keyTags lists every tag of a key, all pages.
func keyTags(ctx context.Context, client *kms.Client, keyID string) (map[string]string, error) {
	tags := map[string]string{}
	pages := kms.NewListResourceTagsPaginator(client, &kms.ListResourceTagsInput{KeyId: aws.String(keyID)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awserr.Wrap(ctx, "list tags of kms key "+keyID, err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.TagKey)] = aws.ToString(t.TagValue)
		}
	}
	return tags, nil
}

// listKeys lists one page of the keys of an account and region. Keys that
// the live plane skips (pending deletion) are still listed: fetch decides,
// one key at a time.
func listKeys(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &kms.ListKeysInput{}
	if p.Token != "" {
		req.Marker = aws.String(p.Token)
	}
	if p.Limit > 0 {
		req.Limit = aws.Int32(min(p.Limit, 1000))
	}
	out, err := env.AWS.KMS(p.Account, p.Region).ListKeys(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list kms keys in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, k := range out.Keys {
		page.Refs = append(page.Refs, p.Ref(aws.ToString(k.KeyId)))
	}
	if out.Truncated {
		page.Token = aws.ToString(out.NextMarker)
	}
	return page, nil
}

// tagKey writes tags on a key. TagResource adds or overwrites only the
// tags it names, so the others need no care.
func tagKey(ctx context.Context, env kind.Env, ref resource.Ref, set map[string]string) error {
	tags := make([]kmstypes.Tag, 0, len(set))
	for _, k := range kind.SortedKeys(set) {
		tags = append(tags, kmstypes.Tag{TagKey: aws.String(k), TagValue: aws.String(set[k])})
	}
	if _, err := env.AWS.KMS(ref.Account, ref.Region).TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(ref.ID), Tags: tags}); err != nil {
		return awserr.Wrap(ctx, "tag kms key "+ref.ID, err)
	}
	return nil
}

func normalizeKey(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s KeyState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return KeyResource(account, region, s), nil
}

// KeyResource normalizes a KMS key read live. An enum the SDK left empty is
// absent (unknown), so a policy cannot deny on it. The region is the
// key's, from its ARN when the metadata has one.
func KeyResource(account, region string, k KeyState) resource.Resource {
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
		arn = KeyARN(account, region, id)
	}
	return resource.Resource{
		Type: TypeKey, ARN: arn, ID: id, Name: id, Account: account, Region: region,
		Tags: tags, Plane: resource.PlaneLive, Properties: props,
	}
}

// skipped says whether the live plane leaves a key out: keys pending
// deletion or import are no longer (or not yet) managed, and their
// rotation cannot change.
func skipped(md kmstypes.KeyMetadata) bool {
	return md.KeyState == kmstypes.KeyStatePendingDeletion || md.KeyState == kmstypes.KeyStatePendingImport
}

package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/live"
)

// fetchKMSKey reads a key's metadata, rotation status and tags. A key
// pending deletion or import counts as gone: the live plane skips it.
func (a *Activities) fetchKMSKey(ctx context.Context, ref resource.Ref) (resource.Resource, bool, error) {
	client := a.AWS.KMS(ref.Account, ref.Region)
	out, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref.ID)})
	if errorCode(err) == "NotFoundException" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awsError(ctx, "describe kms key "+ref.ID, err)
	}
	if out.KeyMetadata == nil || live.KMSKeySkipped(*out.KeyMetadata) {
		return resource.Resource{}, false, nil
	}
	rotation, err := kmsRotation(ctx, client, ref.ID)
	if errorCode(err) == "NotFoundException" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, err
	}
	var tagsErr error
	tags, err := kmsTags(ctx, client, ref.ID)
	if errorCode(err) == "NotFoundException" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		if !tagReadRefused(err) {
			return resource.Resource{}, false, err
		}
		tagsErr = err
	}
	return withoutTags(live.KMSKey(ref.Account, ref.Region, live.KMSKeyState{
		Metadata: *out.KeyMetadata, RotationEnabled: rotation, Tags: tags,
	}), tagsErr), true, nil
}

// kmsRotation is GetKeyRotationStatus. A key that cannot rotate may answer
// UnsupportedOperationException instead of false; both mean "not rotating".
// Errors keep their AWS code (errorCode), for the caller to judge.
func kmsRotation(ctx context.Context, client *kms.Client, keyID string) (bool, error) {
	out, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(keyID)})
	switch {
	case errorCode(err) == "UnsupportedOperationException":
		return false, nil
	case err != nil:
		return false, awsError(ctx, "get rotation status of kms key "+keyID, err)
	}
	return out.KeyRotationEnabled, nil
}

// kmsTags lists every tag of a key, all pages.
func kmsTags(ctx context.Context, client *kms.Client, keyID string) (map[string]string, error) {
	tags := map[string]string{}
	pages := kms.NewListResourceTagsPaginator(client, &kms.ListResourceTagsInput{KeyId: aws.String(keyID)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awsError(ctx, "list tags of kms key "+keyID, err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.TagKey)] = aws.ToString(t.TagValue)
		}
	}
	return tags, nil
}

// listKMSKeys lists one page of the keys of an account and region. Keys
// that the live plane skips (AWS managed rotate on their own; pending
// deletion) are still listed: fetch decides, one key at a time.
func (a *Activities) listKMSKeys(ctx context.Context, in ListInput) (ListOutput, error) {
	req := &kms.ListKeysInput{}
	if in.Token != "" {
		req.Marker = aws.String(in.Token)
	}
	if in.Limit > 0 {
		req.Limit = aws.Int32(min(in.Limit, 1000))
	}
	out, err := a.AWS.KMS(in.Account, in.Region).ListKeys(ctx, req)
	if err != nil {
		return ListOutput{}, awsError(ctx, "list kms keys in "+in.Account+"/"+in.Region, err)
	}
	var page ListOutput
	for _, k := range out.Keys {
		id := aws.ToString(k.KeyId)
		arn := aws.ToString(k.KeyArn)
		if arn == "" {
			arn = resource.KMSKeyARN(in.Account, in.Region, id)
		}
		page.Refs = append(page.Refs, resource.Ref{Type: resource.TypeKMSKey, ID: id, ARN: arn, Account: in.Account, Region: in.Region})
	}
	if out.Truncated {
		page.Token = aws.ToString(out.NextMarker)
	}
	return page, nil
}

// tagKMSKeyExempt writes the exemption tags on a key. TagResource adds or
// overwrites only the tags it names, so the others need no care.
func (a *Activities) tagKMSKeyExempt(ctx context.Context, in TagExemptInput) error {
	client := a.AWS.KMS(in.Ref.Account, in.Ref.Region)
	current, err := kmsTags(ctx, client, in.Ref.ID)
	if err != nil {
		return err
	}
	var tags []kmstypes.Tag
	for k, v := range exemptTags(current, in.PolicyID, in.Until) {
		if k == TagExempt || k == TagExemptUntil {
			tags = append(tags, kmstypes.Tag{TagKey: aws.String(k), TagValue: aws.String(v)})
		}
	}
	if _, err := client.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(in.Ref.ID), Tags: tags}); err != nil {
		return awsError(ctx, "tag kms key "+in.Ref.ID+" exempt", err)
	}
	return nil
}

// kmsEnableRotation turns on automatic rotation of a key's material.
// Rotation keeps the old material for decryption, so nothing breaks.
type kmsEnableRotation struct{}

// rotationSnapshot is the rotation setting before the change.
type rotationSnapshot struct {
	KeyID   string `json:"key_id"`
	Enabled bool   `json:"enabled"`
}

// kmsKeyID is the key a policy named, defaulting to the resource's own id.
func kmsKeyID(ref resource.Ref, params map[string]any) (string, error) {
	raw, ok := params["key_id"]
	if !ok || raw == nil {
		return ref.ID, nil
	}
	id, ok := raw.(string)
	if !ok || id == "" {
		return "", permanent(ErrInvalidParams, "params.key_id: want a key id, got %v", raw)
	}
	if id != ref.ID {
		return "", permanent(ErrInvalidParams, "params.key_id %s is not the resource's key %s", id, ref.ID)
	}
	return id, nil
}

func (kmsEnableRotation) describe(params map[string]any) string {
	id, _ := params["key_id"].(string)
	return "enable automatic yearly rotation of KMS key " + id
}

func (kmsEnableRotation) snapshot(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (any, error) {
	id, err := kmsKeyID(ref, params)
	if err != nil {
		return nil, err
	}
	on, err := kmsRotation(ctx, a.AWS.KMS(ref.Account, ref.Region), id)
	if err != nil {
		return nil, err
	}
	return rotationSnapshot{KeyID: id, Enabled: on}, nil
}

func (kmsEnableRotation) apply(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (ApplyOutput, error) {
	id, err := kmsKeyID(ref, params)
	if err != nil {
		return ApplyOutput{}, err
	}
	client := a.AWS.KMS(ref.Account, ref.Region)
	on, err := kmsRotation(ctx, client, id)
	if err != nil {
		return ApplyOutput{}, err
	}
	if on {
		return ApplyOutput{Summary: "rotation of KMS key " + id + " is already on"}, nil
	}
	if _, err := client.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id)}); err != nil {
		return ApplyOutput{}, awsError(ctx, "enable rotation of kms key "+id, err)
	}
	return ApplyOutput{Changed: true, Summary: "enabled yearly rotation of KMS key " + id}, nil
}

func (kmsEnableRotation) undo(ctx context.Context, a *Activities, ref resource.Ref, data json.RawMessage) error {
	var snap rotationSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.KeyID == "" {
		return permanent(ErrInvalidParams, "undo kms_enable_rotation on %s: snapshot: %v", ref.ID, err)
	}
	if snap.Enabled {
		return nil // rotation was on before: nothing of ours to take back
	}
	if _, err := a.AWS.KMS(ref.Account, ref.Region).DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(snap.KeyID)}); err != nil {
		return awsError(ctx, fmt.Sprintf("disable rotation of kms key %s (undo)", snap.KeyID), err)
	}
	return nil
}

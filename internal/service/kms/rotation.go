package kms

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// EnableRotation turns on automatic rotation of a key's material. Rotation
// keeps the old material for decryption, so nothing breaks.
var EnableRotation = &kind.Action{
	Name:        "kms_enable_rotation",
	Permissions: []string{"kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation"},
	Describe: func(params map[string]any) string {
		id, _ := params["key_id"].(string)
		return "enable automatic yearly rotation of KMS key " + id
	},
	Snapshot: snapshotRotation,
	Apply:    enableRotation,
	Undo:     undoRotation,
}

// rotationSnapshot is the rotation setting before the change.
type rotationSnapshot struct {
	KeyID   string `json:"key_id"`
	Enabled bool   `json:"enabled"`
}

// paramKeyID is the key a policy named, defaulting to the resource's own id.
func paramKeyID(ref resource.Ref, params map[string]any) (string, error) {
	raw, ok := params["key_id"]
	if !ok || raw == nil {
		return ref.ID, nil
	}
	id, ok := raw.(string)
	if !ok || id == "" {
		return "", awserr.Permanent(awserr.InvalidParams, "params.key_id: want a key id, got %v", raw)
	}
	if id != ref.ID {
		return "", awserr.Permanent(awserr.InvalidParams, "params.key_id %s is not the resource's key %s", id, ref.ID)
	}
	return id, nil
}

func snapshotRotation(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	id, err := paramKeyID(ref, params)
	if err != nil {
		return nil, err
	}
	on, err := rotationEnabled(ctx, env.AWS.KMS(ref.Account, ref.Region), id)
	if err != nil {
		return nil, err
	}
	return rotationSnapshot{KeyID: id, Enabled: on}, nil
}

func enableRotation(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	id, err := paramKeyID(ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.KMS(ref.Account, ref.Region)
	on, err := rotationEnabled(ctx, client, id)
	if err != nil {
		return kind.Applied{}, err
	}
	if on {
		return kind.Applied{Summary: "rotation of KMS key " + id + " is already on"}, nil
	}
	if _, err := client.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id)}); err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, "enable rotation of kms key "+id, err)
	}
	return kind.Applied{Changed: true, Summary: "enabled yearly rotation of KMS key " + id}, nil
}

func undoRotation(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap rotationSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.KeyID == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo kms_enable_rotation on %s: snapshot: %v", ref.ID, err)
	}
	if snap.Enabled {
		return nil // rotation was on before: nothing of ours to take back
	}
	if _, err := env.AWS.KMS(ref.Account, ref.Region).DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(snap.KeyID)}); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("disable rotation of kms key %s (undo)", snap.KeyID), err)
	}
	return nil
}

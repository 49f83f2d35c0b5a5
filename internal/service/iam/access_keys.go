package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// DeactivateAccessKeys turns off the access keys a policy names
// (params.access_key_ids) of an IAM user (FSBP IAM.3: active keys older
// than 90 days). Deactivating, not deleting: whatever still signs with the
// key fails until its owner rotates it, and undo turns the key back on
// with nothing lost.
var DeactivateAccessKeys = &kind.Action{
	Name:        "iam_deactivate_access_keys",
	Permissions: []string{"iam:ListAccessKeys", "iam:UpdateAccessKey"},
	Describe: func(params map[string]any) string {
		ids, _ := keyIDs(params)
		user, _ := params["user"].(string)
		if user == "" {
			user = "the user"
		}
		return fmt.Sprintf("deactivate access key(s) %s of IAM user %s", strings.Join(ids, ", "), user)
	},
	Snapshot: snapshotAccessKeys,
	Apply:    deactivateAccessKeys,
	Undo:     undoAccessKeys,
}

// keyIDs reads params.access_key_ids.
func keyIDs(params map[string]any) ([]string, error) {
	raw, ok := params["access_key_ids"].([]any)
	if !ok || len(raw) == 0 {
		return nil, fmt.Errorf("params.access_key_ids: want a non-empty list, got %v", params["access_key_ids"])
	}
	ids := make([]string, 0, len(raw))
	for _, v := range raw {
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("params.access_key_ids: want key ids, got %v", v)
		}
		ids = append(ids, s)
	}
	return ids, nil
}

// keyTargets checks the params against the user the ref names, and lists
// the user's keys the policy named.
func keyTargets(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (*iam.Client, []iamtypes.AccessKeyMetadata, error) {
	if ref.Type != TypeUser {
		return nil, nil, awserr.Permanent(awserr.InvalidParams, "iam_deactivate_access_keys on %s: only IAM users have access keys", ref.ARN)
	}
	ids, err := keyIDs(params)
	if err != nil {
		return nil, nil, awserr.Permanent(awserr.InvalidParams, "iam_deactivate_access_keys on %s: %v", ref.ARN, err)
	}
	if u, ok := params["user"].(string); ok && u != ref.ID {
		return nil, nil, awserr.Permanent(awserr.InvalidParams, "iam_deactivate_access_keys on %s: params.user %s is not the resource's user %s", ref.ARN, u, ref.ID)
	}
	client := env.AWS.IAM(ref.Account, ref.Region)
	keys, err := userAccessKeys(ctx, client, ref.ID)
	if err != nil {
		return nil, nil, awserr.Wrap(ctx, "list access keys of IAM user "+ref.ID, err)
	}
	var named []iamtypes.AccessKeyMetadata
	for _, k := range keys {
		if slices.Contains(ids, aws.ToString(k.AccessKeyId)) {
			named = append(named, k)
		}
	}
	return client, named, nil
}

// accessKeysSnapshot is the status of each named key before the change; a
// key deleted since the verdict is not in it.
type accessKeysSnapshot struct {
	User   string            `json:"user"`
	Status map[string]string `json:"status"` // key id → Active or Inactive
}

func snapshotAccessKeys(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	_, keys, err := keyTargets(ctx, env, ref, params)
	if err != nil {
		return nil, err
	}
	snap := accessKeysSnapshot{User: ref.ID, Status: map[string]string{}}
	for _, k := range keys {
		snap.Status[aws.ToString(k.AccessKeyId)] = string(k.Status)
	}
	return snap, nil
}

func deactivateAccessKeys(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	client, keys, err := keyTargets(ctx, env, ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	var done []string
	for _, k := range keys {
		if k.Status == iamtypes.StatusTypeInactive {
			continue
		}
		id := aws.ToString(k.AccessKeyId)
		_, err := client.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(ref.ID), AccessKeyId: aws.String(id), Status: iamtypes.StatusTypeInactive})
		if awserr.Code(err) == "NoSuchEntity" {
			continue // deleted since the list: nothing left to turn off
		}
		if err != nil {
			return kind.Applied{}, awserr.Wrap(ctx, fmt.Sprintf("deactivate access key %s of IAM user %s", id, ref.ID), err)
		}
		done = append(done, id)
	}
	if len(done) == 0 {
		return kind.Applied{Summary: "the named access keys of " + ref.ID + " are already inactive or gone"}, nil
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("deactivated access key(s) %s of IAM user %s", strings.Join(done, ", "), ref.ID)}, nil
}

// undoAccessKeys turns back on the keys that were active; a key deleted
// since cannot come back, and is skipped.
func undoAccessKeys(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap accessKeysSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return awserr.Permanent(awserr.InvalidParams, "undo iam_deactivate_access_keys on %s: snapshot: %v", ref.ARN, err)
	}
	client := env.AWS.IAM(ref.Account, ref.Region)
	ids := make([]string, 0, len(snap.Status))
	for id := range snap.Status {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if snap.Status[id] != string(iamtypes.StatusTypeActive) {
			continue
		}
		_, err := client.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(snap.User), AccessKeyId: aws.String(id), Status: iamtypes.StatusTypeActive})
		if err != nil && awserr.Code(err) != "NoSuchEntity" {
			return awserr.Wrap(ctx, fmt.Sprintf("reactivate access key %s of IAM user %s", id, snap.User), err)
		}
	}
	return nil
}

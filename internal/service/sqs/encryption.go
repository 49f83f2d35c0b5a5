package sqs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// KeyOption is the remediation option that names how queues are encrypted:
// SQSManaged (the default) for SSE-SQS, or a KMS key for SSE-KMS.
const KeyOption = "sqs.kms_master_key_id"

// SQSManaged is KeyOption's default: SQS-managed keys (SSE-SQS), which need
// no key policy and so cannot lock producers or consumers out.
const SQSManaged = "SSE-SQS"

// EnableEncryption turns on encryption at rest for a queue (FSBP SQS.1):
// SSE-SQS by default, or SSE-KMS with the key in remediation.
// sqs.kms_master_key_id. Messages already in the queue stay as they were;
// new ones are encrypted. A KMS key is the operator's choice, because its
// key policy must let every producer (and services such as SNS or
// EventBridge that send to the queue) use it, and rectify never edits key
// policies.
var EnableEncryption = &kind.Action{
	Name:        "sqs_enable_encryption",
	Permissions: []string{"sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes"},
	Describe: func(params map[string]any) string {
		name, _ := params["queue_name"].(string)
		if name == "" {
			name = "the queue"
		}
		return "encrypt SQS queue " + name + " at rest: SSE-SQS, or SSE-KMS with the key in remediation." + KeyOption
	},
	Snapshot: snapshotEncryption,
	Apply:    applyEncryption,
	Undo:     undoEncryption,
	Options: []kind.Option{{
		Key: KeyOption,
		Help: SQSManaged + " (the default) encrypts with SQS-managed keys; a KMS key id, key ARN, alias/name or alias ARN encrypts with " +
			"that key instead. Its key policy must let every producer and every service that sends to the queue (SNS, EventBridge, S3) " +
			"use kms:GenerateDataKey and kms:Decrypt; rectify never edits key policies.",
		Default: SQSManaged,
	}},
}

// encryptionSnapshot is the encryption of the queue before the change.
type encryptionSnapshot struct {
	Name       string `json:"name"`
	SQSManaged bool   `json:"sqs_managed_sse_enabled"`
	KMSKey     string `json:"kms_master_key_id,omitempty"`
}

func (s encryptionSnapshot) encrypted() bool { return s.SQSManaged || s.KMSKey != "" }

// paramName is the queue a policy named, defaulting to the resource's own.
func paramName(ref resource.Ref, params map[string]any) (string, error) {
	raw, ok := params["queue_name"]
	if !ok || raw == nil {
		return ref.ID, nil
	}
	name, ok := raw.(string)
	if !ok || name != ref.ID {
		return "", awserr.Permanent(awserr.InvalidParams, "sqs_enable_encryption: params.queue_name %v is not the resource's queue %s", raw, ref.ID)
	}
	return name, nil
}

// current reads the queue's URL and encryption; false when it is gone.
func current(ctx context.Context, client *sqs.Client, ref resource.Ref) (string, encryptionSnapshot, bool, error) {
	u, ok, err := queueURL(ctx, client, ref)
	if err != nil || !ok {
		return "", encryptionSnapshot{}, false, err
	}
	attrs, err := encryption(ctx, client, ref.ID, u)
	if gone(err) {
		return "", encryptionSnapshot{}, false, nil
	}
	if err != nil {
		return "", encryptionSnapshot{}, false, err
	}
	return u, encryptionSnapshot{
		Name:       ref.ID,
		SQSManaged: attrs[string(sqstypes.QueueAttributeNameSqsManagedSseEnabled)] == "true",
		KMSKey:     attrs[string(sqstypes.QueueAttributeNameKmsMasterKeyId)],
	}, true, nil
}

func snapshotEncryption(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	if _, err := paramName(ref, params); err != nil {
		return nil, err
	}
	_, snap, ok, err := current(ctx, env.AWS.SQSIn(ref.Account, ref.Region), ref)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.Permanent("AWS.SimpleQueueService.NonExistentQueue", "snapshot sqs queue %s: it no longer exists", ref.ID)
	}
	return snap, nil
}

func applyEncryption(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	if _, err := paramName(ref, params); err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.SQSIn(ref.Account, ref.Region)
	u, snap, ok, err := current(ctx, client, ref)
	switch {
	case err != nil:
		return kind.Applied{}, err
	case !ok:
		return kind.Applied{Summary: "SQS queue " + ref.ID + " no longer exists"}, nil
	case snap.encrypted():
		// Either kind of server-side encryption satisfies SQS.1: a queue on
		// SSE-SQS is not moved to the configured key.
		return kind.Applied{Summary: "SQS queue " + ref.ID + " is already encrypted at rest"}, nil
	}
	key := env.Options[KeyOption] // the declared default, read here without a cycle through EnableEncryption
	if key == "" {
		key = SQSManaged
	}
	attrs := map[string]string{string(sqstypes.QueueAttributeNameSqsManagedSseEnabled): "true"}
	what := "SQS-managed keys (SSE-SQS)"
	if key != SQSManaged {
		attrs = map[string]string{string(sqstypes.QueueAttributeNameKmsMasterKeyId): key}
		what = "KMS key " + key
	}
	if err := setAttributes(ctx, client, ref.ID, u, attrs); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: "encrypted SQS queue " + ref.ID + " at rest with " + what}, nil
}

func undoEncryption(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap encryptionSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.Name == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo sqs_enable_encryption on %s: snapshot: %v", ref.ID, err)
	}
	if snap.encrypted() {
		return nil // it was encrypted already: apply changed nothing
	}
	client := env.AWS.SQSIn(ref.Account, ref.Region)
	u, ok, err := queueURL(ctx, client, ref)
	if err != nil {
		return err
	}
	if !ok {
		return awserr.Permanent("AWS.SimpleQueueService.NonExistentQueue", "undo sqs_enable_encryption: queue %s no longer exists", ref.ID)
	}
	// Unencrypted means neither: no KMS key (an empty KmsMasterKeyId
	// removes one) and SSE-SQS off.
	return setAttributes(ctx, client, ref.ID, u, map[string]string{
		string(sqstypes.QueueAttributeNameKmsMasterKeyId):       "",
		string(sqstypes.QueueAttributeNameSqsManagedSseEnabled): "false",
	})
}

func setAttributes(ctx context.Context, client *sqs.Client, name, u string, attrs map[string]string) error {
	if _, err := client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: attrs}); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("set %v on sqs queue %s", kind.SortedKeys(attrs), name), err)
	}
	return nil
}

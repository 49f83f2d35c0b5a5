package sns

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

func snsTag(k, v string) snstypes.Tag { return snstypes.Tag{Key: aws.String(k), Value: aws.String(v)} }

// KeyOption is the remediation option that names the KMS key topics are
// encrypted with.
const KeyOption = "sns.kms_master_key_id"

// DefaultKey is KeyOption's default: the AWS managed key for SNS, which
// exists in every account and region and needs no key policy of the
// operator's. Services that publish to a topic (CloudWatch alarms,
// EventBridge, S3 notifications) cannot use it: their topics need a
// customer managed key whose policy lets them, which the operator names.
const DefaultKey = "alias/aws/sns"

// EnableEncryption encrypts a topic at rest with a KMS key (SNS.1).
var EnableEncryption = &kind.Action{
	Name:        "sns_enable_kms_encryption",
	Permissions: []string{"sns:GetTopicAttributes", "sns:SetTopicAttributes"},
	Describe: func(params map[string]any) string {
		name, _ := params["topic_name"].(string)
		if name == "" {
			name = "the topic"
		}
		return "encrypt SNS topic " + name + " at rest with the KMS key in remediation." + KeyOption + " (default " + DefaultKey + ")"
	},
	Snapshot: snapshotEncryption,
	Apply:    applyEncryption,
	Undo:     undoEncryption,
	Options: []kind.Option{{
		Key: KeyOption,
		Help: "KMS key SNS topics are encrypted with: key id, key ARN, alias/name or alias ARN. The default, " + DefaultKey +
			", needs no key policy but cannot be used by AWS services that publish to a topic (CloudWatch alarms, EventBridge, S3 " +
			"events): for those, name a customer managed key whose policy grants them kms:GenerateDataKey* and kms:Decrypt; " +
			"rectify never edits key policies.",
		Default: DefaultKey,
	}},
}

// encryptionSnapshot is the topic's key before the change; "" for none.
type encryptionSnapshot struct {
	Name   string `json:"name"`
	KMSKey string `json:"kms_master_key_id"`
}

func paramName(ref resource.Ref, params map[string]any) error {
	raw, ok := params["topic_name"]
	if !ok || raw == nil {
		return nil
	}
	if name, ok := raw.(string); !ok || name != ref.ID {
		return awserr.Permanent(awserr.InvalidParams, "sns_enable_kms_encryption: params.topic_name %v is not the resource's topic %s", raw, ref.ID)
	}
	return nil
}

func snapshotEncryption(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	if err := paramName(ref, params); err != nil {
		return nil, err
	}
	attrs, ok, err := attributes(ctx, env.AWS.SNS(ref.Account, ref.Region), ref)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.Permanent("NotFound", "snapshot sns topic %s: it no longer exists", ref.ID)
	}
	return encryptionSnapshot{Name: ref.ID, KMSKey: attrs["KmsMasterKeyId"]}, nil
}

func applyEncryption(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	if err := paramName(ref, params); err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.SNS(ref.Account, ref.Region)
	attrs, ok, err := attributes(ctx, client, ref)
	switch {
	case err != nil:
		return kind.Applied{}, err
	case !ok:
		return kind.Applied{Summary: "SNS topic " + ref.ID + " no longer exists"}, nil
	case attrs["KmsMasterKeyId"] != "":
		// Any key satisfies SNS.1: a topic on another key is not moved.
		return kind.Applied{Summary: "SNS topic " + ref.ID + " is already encrypted with " + attrs["KmsMasterKeyId"]}, nil
	}
	key := env.Options[KeyOption] // the declared default, read here without a cycle through EnableEncryption
	if key == "" {
		key = DefaultKey
	}
	if err := setKey(ctx, client, ref, key); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: "encrypted SNS topic " + ref.ID + " at rest with KMS key " + key}, nil
}

func undoEncryption(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap encryptionSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.Name == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo sns_enable_kms_encryption on %s: snapshot: %v", ref.ID, err)
	}
	if snap.KMSKey != "" {
		return nil // it was encrypted already: apply changed nothing
	}
	// An empty KmsMasterKeyId turns encryption off.
	return setKey(ctx, env.AWS.SNS(ref.Account, ref.Region), ref, "")
}

func setKey(ctx context.Context, client *sns.Client, ref resource.Ref, key string) error {
	if _, err := client.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
		TopicArn: aws.String(ref.ARN), AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String(key),
	}); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("set KmsMasterKeyId=%q on sns topic %s", key, ref.ID), err)
	}
	return nil
}

package cloudtrail

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// EnableLogFileValidation turns on log file integrity validation (FSBP
// CloudTrail.4): CloudTrail then delivers a signed digest file every hour,
// so a log file changed or deleted after delivery can be told. It changes
// nothing else about the trail.
var EnableLogFileValidation = &kind.Action{
	Name:        "cloudtrail_enable_log_file_validation",
	Permissions: []string{"cloudtrail:DescribeTrails", "cloudtrail:UpdateTrail"},
	Describe: func(params map[string]any) string {
		name, _ := params["name"].(string)
		return "turn on log file validation for CloudTrail trail " + name + " (EnableLogFileValidation=true)"
	},
	Snapshot: func(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
		t, err := trailToChange(ctx, env, ref, params)
		if err != nil {
			return nil, err
		}
		return validationSnapshot{TrailARN: ref.ARN, Enabled: aws.ToBool(t.LogFileValidationEnabled)}, nil
	},
	Apply: enableLogFileValidation,
	Undo:  undoLogFileValidation,
}

// validationSnapshot is the validation switch before the change.
type validationSnapshot struct {
	TrailARN string `json:"trail_arn"`
	Enabled  bool   `json:"enabled"`
}

// trailToChange checks params.name and reads the trail in its home region.
func trailToChange(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (cttypes.Trail, error) {
	if err := paramTrail(ref, params); err != nil {
		return cttypes.Trail{}, err
	}
	t, ok, err := describeTrail(ctx, env.AWS.CloudTrail(ref.Account, ref.Region), ref.ID)
	if err != nil {
		return cttypes.Trail{}, err
	}
	if !ok {
		return cttypes.Trail{}, awserr.Permanent("TrailNotFoundException", "trail %s no longer exists", ref.ID)
	}
	return t, nil
}

func enableLogFileValidation(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	t, err := trailToChange(ctx, env, ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	if aws.ToBool(t.LogFileValidationEnabled) {
		return kind.Applied{Summary: "log file validation is already on for trail " + ref.ID}, nil
	}
	if err := updateTrail(ctx, env, ref, &cloudtrail.UpdateTrailInput{EnableLogFileValidation: aws.Bool(true)}); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: "turned on log file validation for trail " + ref.ID}, nil
}

func undoLogFileValidation(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap validationSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.TrailARN == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo cloudtrail_enable_log_file_validation on %s: snapshot: %v", ref.ID, err)
	}
	if snap.Enabled {
		return nil
	}
	return updateTrail(ctx, env, ref, &cloudtrail.UpdateTrailInput{EnableLogFileValidation: aws.Bool(false)})
}

// KMSKeyOption is the remediation option that names the KMS key trails are
// encrypted with.
const KMSKeyOption = "cloudtrail.kms_key_id"

// SetKMSKey encrypts a trail's log files with the operator's KMS key
// (SSE-KMS, FSBP CloudTrail.2). Which key is the operator's choice only:
// until remediation.cloudtrail.kms_key_id is set, the control notifies.
// CloudTrail refuses a key whose policy does not let it encrypt
// (InsufficientEncryptionPolicyException); this action never changes a key
// policy, so the operator must grant CloudTrail first.
var SetKMSKey = &kind.Action{
	Name:        "cloudtrail_set_kms_key",
	Permissions: []string{"cloudtrail:DescribeTrails", "cloudtrail:UpdateTrail"},
	Describe: func(params map[string]any) string {
		name, _ := params["name"].(string)
		return "encrypt the log files of CloudTrail trail " + name + " with the KMS key in remediation." + KMSKeyOption
	},
	Snapshot: func(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
		t, err := trailToChange(ctx, env, ref, params)
		if err != nil {
			return nil, err
		}
		return kmsSnapshot{TrailARN: ref.ARN, KMSKeyID: aws.ToString(t.KmsKeyId)}, nil
	},
	Apply: setKMSKey,
	Undo:  undoKMSKey,
	Options: []kind.Option{{
		Key: KMSKeyOption,
		Help: "KMS key CloudTrail encrypts trail log files with: key ARN, alias ARN or alias/name, resolved in each trail's home region. " +
			"Its key policy must allow cloudtrail.amazonaws.com kms:GenerateDataKey* (and kms:DescribeKey) for the trails' accounts, " +
			"and readers of the logs need kms:Decrypt; rectify never edits key policies, and CloudTrail refuses a key that lacks them.",
	}},
}

// kmsSnapshot is the trail's key before the change; "" for none (SSE-S3).
type kmsSnapshot struct {
	TrailARN string `json:"trail_arn"`
	KMSKeyID string `json:"kms_key_id"`
}

func setKMSKey(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	t, err := trailToChange(ctx, env, ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	if k := aws.ToString(t.KmsKeyId); k != "" {
		return kind.Applied{Summary: "trail " + ref.ID + " is already encrypted with KMS key " + k}, nil
	}
	key := env.Options[KMSKeyOption] // required: it has no default
	if key == "" {
		return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "cloudtrail_set_kms_key on %s: remediation.%s is not set", ref.ID, KMSKeyOption)
	}
	if err := updateTrail(ctx, env, ref, &cloudtrail.UpdateTrailInput{KmsKeyId: aws.String(key)}); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: "trail " + ref.ID + " now encrypts its log files with KMS key " + key}, nil
}

func undoKMSKey(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap kmsSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.TrailARN == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo cloudtrail_set_kms_key on %s: snapshot: %v", ref.ID, err)
	}
	// An empty KmsKeyId takes SSE-KMS off again, as the provider's update
	// does when kms_key_id is removed.
	return updateTrail(ctx, env, ref, &cloudtrail.UpdateTrailInput{KmsKeyId: aws.String(snap.KMSKeyID)})
}

// keyRefused are CloudTrail's answers to a key it cannot use: no retry
// helps until the operator fixes the key or its policy.
var keyRefused = map[string]bool{
	"InsufficientEncryptionPolicyException": true, "KmsKeyNotFoundException": true, "KmsKeyDisabledException": true,
	"InvalidKmsKeyIdException": true, "KmsException": true,
}

// updateTrail changes the trail named by ref's ARN (UpdateTrail must be
// called in its home region, which is ref's).
func updateTrail(ctx context.Context, env kind.Env, ref resource.Ref, in *cloudtrail.UpdateTrailInput) error {
	in.Name = aws.String(ref.ARN)
	_, err := env.AWS.CloudTrail(ref.Account, ref.Region).UpdateTrail(ctx, in)
	if code := awserr.Code(err); keyRefused[code] {
		return awserr.Permanent(code, "update trail %s: CloudTrail refused KMS key %s: %v (check the key and that its policy lets cloudtrail.amazonaws.com use it)",
			ref.ID, aws.ToString(in.KmsKeyId), err)
	}
	if err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("update trail %s", ref.ID), err)
	}
	return nil
}

package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
)

// action is one remediation in the allow-list. Nothing outside this list
// can ever be executed, whatever a policy's params say.
type action interface {
	// describe says in plain words what apply will do with params.
	describe(params map[string]any) string
	// snapshot reads the prior state apply will change.
	snapshot(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (any, error)
	// apply makes the change. A resource already fixed is success with
	// Changed false, so retries and replays are harmless.
	apply(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (ApplyOutput, error)
	// undo restores a snapshot taken by snapshot.
	undo(ctx context.Context, a *Activities, ref resource.Ref, snapshot json.RawMessage) error
}

// actions is the allow-list, keyed by the name policies use in METADATA
// custom.remediation.
var actions = map[string]action{
	"ec2_revoke_ingress":     ec2RevokeIngress{},
	"s3_block_public_access": s3BlockPublicAccess{},
	// rds.go, ebs.go
	"rds_disable_public_access":         rdsDisablePublicAccess{},
	"ec2_enable_ebs_default_encryption": ec2EnableEBSDefaultEncryption{},
	// KMS and CloudTrail: kms.go, cloudtrail.go.
	"kms_enable_rotation":      kmsEnableRotation{},
	"cloudtrail_start_logging": cloudtrailStartLogging{},
	// S3 bucket policy and encryption: s3_policy.go, s3_encryption.go.
	"s3_delete_public_statements": s3DeletePublicStatements{},
	"s3_add_tls_deny":             s3AddTLSDeny{},
	"s3_enable_kms_encryption":    s3EnableKMSEncryption{},
	// IAM: iam.go.
	"iam_detach_policy": iamDetachPolicy{},
}

// Actions lists the names of the remediation actions.
func Actions() []string {
	names := make([]string, 0, len(actions))
	for n := range actions {
		names = append(names, n)
	}
	return names
}

// Describe says in plain words what an action will do with params. It is
// pure, so workflows may call it.
func Describe(name string, params map[string]any) string {
	act, ok := actions[name]
	if !ok {
		return "run unknown action " + name
	}
	return act.describe(params)
}

func lookupAction(name string) (action, error) {
	act, ok := actions[name]
	if !ok {
		return nil, permanent(ErrUnknownAction, "remediation action %q is not in the allow-list", name)
	}
	return act, nil
}

// Snapshot reads the prior state that Apply will change.
func (a *Activities) Snapshot(ctx context.Context, in ActionInput) (contract.Snapshot, error) {
	act, err := lookupAction(in.Action)
	if err != nil {
		return contract.Snapshot{}, err
	}
	data, err := act.snapshot(ctx, a, in.Ref, in.Params)
	if err != nil {
		return contract.Snapshot{}, err
	}
	b, err := json.Marshal(data)
	if err != nil {
		return contract.Snapshot{}, fmt.Errorf("encode snapshot of %s: %w", in.Ref.ARN, err)
	}
	return contract.Snapshot{Action: in.Action, Data: b}, nil
}

// Apply runs a remediation action.
func (a *Activities) Apply(ctx context.Context, in ActionInput) (ApplyOutput, error) {
	act, err := lookupAction(in.Action)
	if err != nil {
		return ApplyOutput{}, err
	}
	out, err := act.apply(ctx, a, in.Ref, in.Params)
	switch {
	case err != nil:
		a.Metrics.Remediated(in.Action, "failed")
	case out.Changed:
		a.Metrics.Remediated(in.Action, "changed")
	default:
		a.Metrics.Remediated(in.Action, "unchanged")
	}
	if err == nil {
		a.logger().Info("remediation applied", "action", in.Action, "resource", in.Ref.ARN, "account", in.Ref.Account, "changed", out.Changed, "summary", out.Summary)
	}
	return out, err
}

// Undo restores a snapshot.
func (a *Activities) Undo(ctx context.Context, in UndoInput) error {
	act, err := lookupAction(in.Snapshot.Action)
	if err != nil {
		return err
	}
	if err := act.undo(ctx, a, in.Ref, in.Snapshot.Data); err != nil {
		return err
	}
	a.logger().Info("remediation undone", "action", in.Snapshot.Action, "resource", in.Ref.ARN, "account", in.Ref.Account)
	return nil
}

// stringList reads a list of strings from policy params, which arrive as
// []any after a JSON round trip.
func stringList(params map[string]any, key string) ([]string, error) {
	raw, ok := params[key]
	if !ok || raw == nil {
		return nil, nil
	}
	switch v := raw.(type) {
	case []string:
		return v, nil
	case []any:
		out := make([]string, 0, len(v))
		for i, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, permanent(ErrInvalidParams, "params.%s[%d]: want a string, got %T", key, i, x)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, permanent(ErrInvalidParams, "params.%s: want a list of strings, got %T", key, raw)
}

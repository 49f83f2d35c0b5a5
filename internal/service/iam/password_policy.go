package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// TypePasswordPolicy is the account's IAM password policy.
const TypePasswordPolicy = "aws_iam_account_password_policy"

// PasswordPolicy is the one IAM password policy of an account (a global
// setting: IAM has no regions). AWS gives it no ARN, no tags and nothing to
// list: a sweep yields it without a call and exemptions for it are config
// entries only. Its ARN is rectify's own (PasswordPolicyARN); ID and Name
// are the account.
//
// properties (the Terraform attribute names):
//
//	{"exists": bool,                              // false: the account has none (NoSuchEntity)
//	 "minimum_password_length": n,
//	 "require_uppercase_characters": bool, "require_lowercase_characters": bool,
//	 "require_symbols": bool, "require_numbers": bool,
//	 "password_reuse_prevention": n,              // 0: reuse is not limited
//	 "max_password_age": n}                       // days; 0: passwords never expire
//
// Without a policy only "exists" is set: what IAM enforces then (length 8,
// three character classes) is no setting anyone can read or judge.
var PasswordPolicy = &kind.Kind{
	Type:     TypePasswordPolicy,
	Noun:     "IAM account password policy",
	ASFFType: "Other",
	Scope:    kind.ScopeAccount,
	Global:   true,
	ARN:      func(account, _, _ string) string { return PasswordPolicyARN(account) },
	ParseARN: func(a kind.ARN) (string, bool) {
		return a.Account, a.Service == "iam" && a.Resource == passwordPolicyResource && a.Account != ""
	},
	Fetch:     fetchPasswordPolicy,
	Normalize: normalizePasswordPolicy,
	Calls: []kind.Call{
		// A delete leaves the account's setting in place (no policy is a
		// state to judge), so it is no Deletes call.
		{Source: source, Names: []string{"UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy"}},
	},
	Plan: plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){
		TypePasswordPolicy: planPasswordPolicy,
	}},
	Actions:     []*kind.Action{StrengthenPasswordPolicy},
	Permissions: kind.Permissions{Read: []string{"iam:GetAccountPasswordPolicy"}},
}

const passwordPolicyResource = "account-password-policy"

// PasswordPolicyARN names an account's IAM password policy. AWS gives the
// policy no ARN; rectify needs one because resource identity, workflow IDs
// and finding IDs are all keyed by ARN.
func PasswordPolicyARN(account string) string {
	return "arn:aws:iam::" + account + ":" + passwordPolicyResource
}

// getPasswordPolicy reads the account's policy; nil when it has none.
func getPasswordPolicy(ctx context.Context, client *iam.Client, account string) (*iamtypes.PasswordPolicy, error) {
	out, err := client.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if awserr.Code(err) == "NoSuchEntity" {
		return nil, nil
	}
	if err != nil {
		return nil, awserr.Wrap(ctx, "get the IAM password policy of "+account, err)
	}
	return out.PasswordPolicy, nil
}

// fetchPasswordPolicy reads the account's setting. It always exists: an
// account without a policy is a state the control judges.
func fetchPasswordPolicy(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	p, err := getPasswordPolicy(ctx, env.AWS.IAM(ref.Account, ref.Region), ref.Account)
	if err != nil {
		return resource.Resource{}, false, err
	}
	return PasswordPolicyResource(ref.Account, ref.Region, p), true, nil
}

// normalizePasswordPolicy reads GetAccountPasswordPolicyOutput; a null
// PasswordPolicy is an account without one.
func normalizePasswordPolicy(account, region string, state json.RawMessage) (resource.Resource, error) {
	var out iam.GetAccountPasswordPolicyOutput
	if err := json.Unmarshal(state, &out); err != nil {
		return resource.Resource{}, err
	}
	return PasswordPolicyResource(account, region, out.PasswordPolicy), nil
}

// PasswordPolicyResource normalizes an account's password policy (nil:
// none). Age and reuse limits IAM leaves out are 0, as IAM means them: not
// limited.
func PasswordPolicyResource(account, region string, p *iamtypes.PasswordPolicy) resource.Resource {
	if region == "" {
		region = kind.GlobalRegion
	}
	props := map[string]any{"exists": p != nil}
	if p != nil {
		props["require_uppercase_characters"] = p.RequireUppercaseCharacters
		props["require_lowercase_characters"] = p.RequireLowercaseCharacters
		props["require_symbols"] = p.RequireSymbols
		props["require_numbers"] = p.RequireNumbers
		props["password_reuse_prevention"] = int(aws.ToInt32(p.PasswordReusePrevention))
		props["max_password_age"] = int(aws.ToInt32(p.MaxPasswordAge))
		if p.MinimumPasswordLength != nil {
			props["minimum_password_length"] = int(*p.MinimumPasswordLength)
		}
	}
	return resource.Resource{
		Type: TypePasswordPolicy, ARN: PasswordPolicyARN(account), ID: account, Name: account,
		Account: account, Region: region, Tags: map[string]string{}, Plane: resource.PlaneLive, Properties: props,
	}
}

// planPasswordPolicy is the policy a plan sets. The account is unknown at
// plan time, so the document has no id; the numbers Terraform computes
// when they are not configured (age, reuse) are absent until apply.
func planPasswordPolicy(in *plan.Instance) (resource.Resource, error) {
	r := plan.Identity(in, TypePasswordPolicy, "")
	r.ID, r.ARN, r.Account = "", "", ""
	r.Properties = map[string]any{"exists": true}
	for _, attr := range []string{"require_uppercase_characters", "require_lowercase_characters", "require_symbols", "require_numbers"} {
		if v, ok := plan.Bool(in.After(), attr); ok {
			r.Properties[attr] = v
		}
	}
	for _, attr := range []string{"minimum_password_length", "password_reuse_prevention", "max_password_age"} {
		if v, ok := plan.Int(in.After(), attr); ok {
			r.Properties[attr] = v
		}
	}
	return r, nil
}

// The remediation options of StrengthenPasswordPolicy: what the fix sets,
// at least as strict as the control's own floor (the policy's params),
// which a weaker option cannot lower.
const (
	PasswordMinLengthOption = "iam_password_policy.minimum_length"
	PasswordReuseOption     = "iam_password_policy.reuse_prevention"
	PasswordMaxAgeOption    = "iam_password_policy.max_age_days"
)

// StrengthenPasswordPolicy raises the account's password policy to the
// control's requirements (FSBP IAM.7, IAM.11-17; CIS 1.8, 1.9): every
// character class, a minimum length, a reuse limit and a maximum age, each
// kept where the account is already stricter. UpdateAccountPasswordPolicy
// replaces the whole policy, so the settings the control does not judge
// (users may change their password, hard expiry) are written back as they
// were.
var StrengthenPasswordPolicy = &kind.Action{
	Name:        "iam_strengthen_password_policy",
	Permissions: []string{"iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy"},
	Describe:    describePasswordPolicy,
	Snapshot:    snapshotPasswordPolicy,
	Apply:       applyPasswordPolicy,
	Undo:        undoPasswordPolicy,
	Options:     passwordPolicyOptions,
}

var passwordPolicyOptions = []kind.Option{
	{Key: PasswordMinLengthOption, Help: "minimum password length the fix sets (6 to 128); never below the control's 14", Default: "14"},
	{Key: PasswordReuseOption, Help: "how many previous passwords users may not reuse (1 to 24); never below the control's 24", Default: "24"},
	{Key: PasswordMaxAgeOption, Help: "days a password is valid (1 to 1095); never above the control's 90", Default: "90"},
}

// passwordTarget is what the fix asks for.
type passwordTarget struct {
	minLength, reuse, maxAge int
}

// paramInt reads a whole number the policy gave; absent is 0.
func paramInt(ref resource.Ref, params map[string]any, key string) (int, error) {
	raw, ok := params[key]
	if !ok || raw == nil {
		return 0, nil
	}
	n, ok := plan.ToInt(raw)
	if !ok {
		return 0, awserr.Permanent(awserr.InvalidParams, "iam_strengthen_password_policy on %s: params.%s: want a whole number, got %v", ref.ARN, key, raw)
	}
	return n, nil
}

// optionInt reads an option as a whole number in [lo, hi].
func optionInt(ref resource.Ref, env kind.Env, key string, lo, hi int) (int, error) {
	// The action's options are read through their declaration, not the
	// action, which refers to this function.
	s := env.Option(&kind.Action{Options: passwordPolicyOptions}, key)
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < lo || n > hi {
		return 0, awserr.Permanent(awserr.InvalidParams, "iam_strengthen_password_policy on %s: remediation.%s is %q: want a whole number from %d to %d", ref.ARN, key, s, lo, hi)
	}
	return n, nil
}

// target combines the operator's options with the control's floor
// (params): an option weaker than the floor is refused, since the fixed
// policy would still fail the control and the fix would never verify.
func target(env kind.Env, ref resource.Ref, params map[string]any) (passwordTarget, error) {
	var t passwordTarget
	var err error
	if t.minLength, err = optionInt(ref, env, PasswordMinLengthOption, 6, 128); err != nil {
		return t, err
	}
	if t.reuse, err = optionInt(ref, env, PasswordReuseOption, 1, 24); err != nil {
		return t, err
	}
	if t.maxAge, err = optionInt(ref, env, PasswordMaxAgeOption, 1, 1095); err != nil {
		return t, err
	}
	floors := []struct {
		param, option string
		value         *int
		atMost        bool // the option may not exceed the floor (an age)
	}{
		{"minimum_password_length", PasswordMinLengthOption, &t.minLength, false},
		{"password_reuse_prevention", PasswordReuseOption, &t.reuse, false},
		{"max_password_age", PasswordMaxAgeOption, &t.maxAge, true},
	}
	for _, f := range floors {
		floor, err := paramInt(ref, params, f.param)
		if err != nil {
			return t, err
		}
		switch {
		case floor == 0:
		case !f.atMost && *f.value < floor:
			return t, awserr.Permanent(awserr.InvalidParams, "iam_strengthen_password_policy on %s: remediation.%s is %d, below the control's %d: the fixed policy would still fail; raise it or leave it unset",
				ref.ARN, f.option, *f.value, floor)
		case f.atMost && *f.value > floor:
			return t, awserr.Permanent(awserr.InvalidParams, "iam_strengthen_password_policy on %s: remediation.%s is %d, above the control's %d days: the fixed policy would still fail; lower it or leave it unset",
				ref.ARN, f.option, *f.value, floor)
		}
	}
	return t, nil
}

func describePasswordPolicy(params map[string]any) string {
	var parts []string
	if n, ok := plan.ToInt(params["minimum_password_length"]); ok {
		parts = append(parts, fmt.Sprintf("at least %d characters", n))
	}
	parts = append(parts, "upper and lower case letters, a number and a symbol")
	if n, ok := plan.ToInt(params["password_reuse_prevention"]); ok {
		parts = append(parts, fmt.Sprintf("none of the last %d passwords", n))
	}
	if n, ok := plan.ToInt(params["max_password_age"]); ok {
		parts = append(parts, fmt.Sprintf("expiry after at most %d days", n))
	}
	return "require " + strings.Join(parts, ", ") + " in the account's IAM password policy (stricter settings are kept)"
}

// passwordPolicySnapshot is the policy before the change; None when the
// account had none, so undo deletes the one the fix created.
type passwordPolicySnapshot struct {
	Account string                   `json:"account"`
	None    bool                     `json:"none,omitempty"`
	Policy  *iamtypes.PasswordPolicy `json:"policy,omitempty"`
}

func snapshotPasswordPolicy(ctx context.Context, env kind.Env, ref resource.Ref, _ map[string]any) (any, error) {
	p, err := getPasswordPolicy(ctx, env.AWS.IAM(ref.Account, ref.Region), ref.Account)
	if err != nil {
		return nil, err
	}
	return passwordPolicySnapshot{Account: ref.Account, None: p == nil, Policy: p}, nil
}

// strengthened is the policy the fix writes over p (nil: none): every
// setting at least as strict as t and as p, the others as p had them.
func strengthened(p *iamtypes.PasswordPolicy, t passwordTarget) *iam.UpdateAccountPasswordPolicyInput {
	in := &iam.UpdateAccountPasswordPolicyInput{
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, RequireSymbols: true, RequireNumbers: true,
	}
	length, reuse, age := t.minLength, t.reuse, t.maxAge
	if p != nil {
		in.AllowUsersToChangePassword, in.HardExpiry = p.AllowUsersToChangePassword, p.HardExpiry
		length = max(length, int(aws.ToInt32(p.MinimumPasswordLength)))
		reuse = max(reuse, int(aws.ToInt32(p.PasswordReusePrevention)))
		if a := int(aws.ToInt32(p.MaxPasswordAge)); a > 0 {
			age = min(age, a)
		}
	}
	in.MinimumPasswordLength, in.PasswordReusePrevention, in.MaxPasswordAge = aws.Int32(int32(length)), aws.Int32(int32(reuse)), aws.Int32(int32(age))
	return in
}

// sameAsUpdate reports whether p already is what in would write.
func sameAsUpdate(p *iamtypes.PasswordPolicy, in *iam.UpdateAccountPasswordPolicyInput) bool {
	return p != nil && p.RequireUppercaseCharacters && p.RequireLowercaseCharacters && p.RequireSymbols && p.RequireNumbers &&
		aws.ToInt32(p.MinimumPasswordLength) == aws.ToInt32(in.MinimumPasswordLength) &&
		aws.ToInt32(p.PasswordReusePrevention) == aws.ToInt32(in.PasswordReusePrevention) &&
		aws.ToInt32(p.MaxPasswordAge) == aws.ToInt32(in.MaxPasswordAge)
}

func applyPasswordPolicy(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	t, err := target(env, ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.IAM(ref.Account, ref.Region)
	p, err := getPasswordPolicy(ctx, client, ref.Account)
	if err != nil {
		return kind.Applied{}, err
	}
	in := strengthened(p, t)
	if sameAsUpdate(p, in) {
		return kind.Applied{Summary: "the IAM password policy of " + ref.Account + " already meets the control"}, nil
	}
	if _, err := client.UpdateAccountPasswordPolicy(ctx, in); err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, "update the IAM password policy of "+ref.Account, err)
	}
	verb := "strengthened"
	if p == nil {
		verb = "created"
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("%s the IAM password policy of %s: at least %d characters of every class, %d passwords remembered, expiry after %d days",
		verb, ref.Account, aws.ToInt32(in.MinimumPasswordLength), aws.ToInt32(in.PasswordReusePrevention), aws.ToInt32(in.MaxPasswordAge))}, nil
}

// undoPasswordPolicy writes the snapshot's policy back whole, or deletes
// the policy when the account had none.
func undoPasswordPolicy(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap passwordPolicySnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return awserr.Permanent(awserr.InvalidParams, "undo iam_strengthen_password_policy on %s: snapshot: %v", ref.ARN, err)
	}
	client := env.AWS.IAM(ref.Account, ref.Region)
	if snap.None || snap.Policy == nil {
		_, err := client.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
		if err != nil && awserr.Code(err) != "NoSuchEntity" { // already gone: undone
			return awserr.Wrap(ctx, "delete the IAM password policy of "+ref.Account, err)
		}
		return nil
	}
	p := snap.Policy
	in := &iam.UpdateAccountPasswordPolicyInput{
		AllowUsersToChangePassword: p.AllowUsersToChangePassword, HardExpiry: p.HardExpiry,
		MinimumPasswordLength:      p.MinimumPasswordLength,
		RequireUppercaseCharacters: p.RequireUppercaseCharacters, RequireLowercaseCharacters: p.RequireLowercaseCharacters,
		RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers,
	}
	// IAM leaves an unlimited age or reuse out, and refuses 0 for either:
	// leaving them out again restores "not limited".
	if aws.ToInt32(p.MaxPasswordAge) > 0 {
		in.MaxPasswordAge = p.MaxPasswordAge
	}
	if aws.ToInt32(p.PasswordReusePrevention) > 0 {
		in.PasswordReusePrevention = p.PasswordReusePrevention
	}
	if _, err := client.UpdateAccountPasswordPolicy(ctx, in); err != nil {
		return awserr.Wrap(ctx, "restore the IAM password policy of "+ref.Account, err)
	}
	return nil
}

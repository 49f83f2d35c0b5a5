package activities

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svciam "github.com/rectifyhq/rectify/internal/service/iam"
)

const policyPasswordPolicy = "aws.iam.password_policy"

func passwordPolicyRef() resource.Ref {
	return svciam.PasswordPolicy.Setting(fakecloud.DefaultAccount, "us-east-1")
}

// TestPasswordPolicyStrengthened runs iam_strengthen_password_policy the
// way the workflow does, through the SDK against the fake IAM: without a
// policy (undo deletes the one the fix created), with a weak one (undo
// writes it back whole), and with one stricter than the control in parts
// (the fix keeps what is stricter and what the control does not judge).
func TestPasswordPolicyStrengthened(t *testing.T) {
	yes := true
	tests := []struct {
		name    string
		before  *fakecloud.IAMPasswordPolicy
		options map[string]string
		want    fakecloud.IAMPasswordPolicy
	}{
		{"none", nil, nil, fakecloud.IAMPasswordPolicy{
			MinimumPasswordLength: 14, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
			RequireSymbols: true, RequireNumbers: true, MaxPasswordAge: 90, PasswordReusePrevention: 24,
		}},
		{"weak", &fakecloud.IAMPasswordPolicy{
			MinimumPasswordLength: 8, RequireUppercaseCharacters: true, AllowUsersToChangePassword: true, HardExpiry: &yes,
		}, map[string]string{svciam.PasswordMinLengthOption: "16", svciam.PasswordMaxAgeOption: "60"}, fakecloud.IAMPasswordPolicy{
			MinimumPasswordLength: 16, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
			RequireSymbols: true, RequireNumbers: true, AllowUsersToChangePassword: true, HardExpiry: &yes,
			MaxPasswordAge: 60, PasswordReusePrevention: 24,
		}},
		{"stricter in parts", &fakecloud.IAMPasswordPolicy{
			MinimumPasswordLength: 32, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
			RequireSymbols: true, RequireNumbers: false, MaxPasswordAge: 30, PasswordReusePrevention: 24,
		}, nil, fakecloud.IAMPasswordPolicy{
			MinimumPasswordLength: 32, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
			RequireSymbols: true, RequireNumbers: true, MaxPasswordAge: 30, PasswordReusePrevention: 24,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			cloud, a := newFakeActivities(t)
			a.Options = tt.options
			cloud.SetIAMPasswordPolicy(fakecloud.DefaultAccount, tt.before)
			r := passwordPolicyRef()
			params := violationParams(t, a, r, policyPasswordPolicy)
			if params == nil {
				t.Fatalf("%s does not deny the policy %v", policyPasswordPolicy, tt.before)
			}
			in := ActionInput{Action: "iam_strengthen_password_policy", Ref: r, Params: params}
			snap, err := a.Snapshot(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for i, wantChanged := range []bool{true, false} {
				out, err := a.Apply(ctx, in)
				if err != nil || out.Changed != wantChanged {
					t.Fatalf("apply %d: %+v, %v; want changed %v", i+1, out, err, wantChanged)
				}
			}
			if got := cloud.IAMPasswordPolicyOf(fakecloud.DefaultAccount); got.String() != tt.want.String() {
				t.Fatalf("policy after apply:\n got %v\nwant %v", got, &tt.want)
			}
			if p := violationParams(t, a, r, policyPasswordPolicy); p != nil {
				t.Fatalf("still violating after apply: %v", p)
			}
			for range 2 { // a retried undo leaves it as the first did
				if err := a.Undo(ctx, UndoInput{Ref: r, Snapshot: snap}); err != nil {
					t.Fatal(err)
				}
				if got := cloud.IAMPasswordPolicyOf(fakecloud.DefaultAccount); got.String() != tt.before.String() {
					t.Fatalf("policy after undo:\n got %v\nwant %v", got, tt.before)
				}
			}
		})
	}
}

// TestPasswordPolicyOptionsRefused: an option that would leave the policy
// failing the control, or that IAM would refuse, is a final error naming
// the option, and nothing is changed.
func TestPasswordPolicyOptionsRefused(t *testing.T) {
	for _, options := range []map[string]string{
		{svciam.PasswordMinLengthOption: "10"},
		{svciam.PasswordReuseOption: "12"},
		{svciam.PasswordMaxAgeOption: "365"},
		{svciam.PasswordMaxAgeOption: "ninety"},
		{svciam.PasswordMinLengthOption: "200"},
	} {
		cloud, a := newFakeActivities(t)
		a.Options = options
		r := passwordPolicyRef()
		_, err := a.Apply(context.Background(), ActionInput{Action: "iam_strengthen_password_policy", Ref: r, Params: violationParams(t, a, r, policyPasswordPolicy)})
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != "InvalidParams" {
			t.Errorf("options %v: err = %v, want a final InvalidParams", options, err)
			continue
		}
		for key := range options {
			if want := "remediation." + key; !strings.Contains(app.Error(), want) {
				t.Errorf("options %v: error %q does not name %s", options, app.Error(), want)
			}
		}
		if p := cloud.IAMPasswordPolicyOf(fakecloud.DefaultAccount); p != nil {
			t.Errorf("options %v: the policy was changed to %v", options, p)
		}
	}
}

package devstack

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	svciam "github.com/rectifyhq/rectify/internal/service/iam"
)

const policyIAMPasswordPolicy = "aws.iam.password_policy"

// TestIAMPasswordPolicyStrengthened: the human weakens the account's
// password policy (length 8, no symbol, no expiry, reuse of all but the
// last 5) through the SDK; the UpdateAccountPasswordPolicy event drives
// rectify to raise it (enforce, the default) to the operator's length of
// 16 (remediation.iam_password_policy.minimum_length) and the CIS values
// for the rest, keeping the human's "users may change their password",
// verified and recorded. Undo writes the weak policy back word for word;
// the policy has no tags, so the workflow ends Undone pointing at a config
// exemption. Then the human deletes the policy: the
// DeleteAccountPasswordPolicy event opens the violation again, rectify
// creates the policy anew, and its undo deletes it again.
func TestIAMPasswordPolicyStrengthened(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) {
		c.Remediation = map[string]any{"iam_password_policy": map[string]any{"minimum_length": 16}}
	})
	ref := svciam.PasswordPolicy.Setting(Account, "us-east-1")
	cl := iam.NewFromConfig(s.human())
	weak := &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(8), RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		RequireNumbers: true, AllowUsersToChangePassword: true, PasswordReusePrevention: aws.Int32(5),
	}
	if _, err := cl.UpdateAccountPasswordPolicy(ctx, weak); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyIAMPasswordPolicy, ref.ARN)
	st := s.waitState(wid, contract.StateResolved)
	if st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	strict := fakecloud.IAMPasswordPolicy{
		MinimumPasswordLength: 16, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		RequireSymbols: true, RequireNumbers: true, AllowUsersToChangePassword: true,
		MaxPasswordAge: 90, PasswordReusePrevention: 24,
	}
	if got := s.cloud.IAMPasswordPolicyOf(Account); got.String() != strict.String() {
		t.Fatalf("password policy after the remediation:\n got %v\nwant %v", got, &strict)
	}
	if n := s.events.count("UpdateAccountPasswordPolicy", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role updated the password policy %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyIAMPasswordPolicy, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "SSO migration: console passwords go away next week"}); err != nil {
		t.Fatal(err)
	}
	st = s.waitState(wid, contract.StateUndone)
	before := fakecloud.IAMPasswordPolicy{
		MinimumPasswordLength: 8, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		RequireNumbers: true, AllowUsersToChangePassword: true, PasswordReusePrevention: 5,
	}
	if got := s.cloud.IAMPasswordPolicyOf(Account); got.String() != before.String() {
		t.Errorf("password policy after undo:\n got %v\nwant %v", got, &before)
	}
	if !strings.Contains(st.Reason, "NOT exempt") || !strings.Contains(st.Reason, "exemptions: [{arn:") {
		t.Errorf("reason after undo = %q, want it to point the human at a config exemption", st.Reason)
	}

	if _, err := cl.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the deleted policy to be created anew", func() bool { return s.cloud.IAMPasswordPolicyOf(Account) != nil })
	st = s.waitState(wid, contract.StateResolved)
	created := strict
	created.AllowUsersToChangePassword = false // nothing to keep: there was no policy
	if got := s.cloud.IAMPasswordPolicyOf(Account); got.String() != created.String() {
		t.Fatalf("password policy after the second remediation:\n got %v\nwant %v", got, &created)
	}
	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "SSO migration, still"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if got := s.cloud.IAMPasswordPolicyOf(Account); got != nil {
		t.Errorf("password policy after the second undo = %v, want none again", got)
	}
	if n := s.events.count("DeleteAccountPasswordPolicy", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role deleted the password policy %d times, want 1", n)
	}
}

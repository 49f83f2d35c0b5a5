package devstack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rectifyhq/rectify/internal/contract"
	svciam "github.com/rectifyhq/rectify/internal/service/iam"
)

const (
	policyIAMUnusedAccessKeys = "aws.iam.unused_access_keys"
	policyIAMUnusedPassword   = "aws.iam.unused_password"
)

// TestIAMUnusedAccessKeyDeactivated: a reporting job's access key, made 60
// days ago (young enough for IAM.3) and last used 50 days ago, was turned
// off; the human turns it back on through the SDK. The UpdateAccessKey
// event drives rectify to ask (approve, the default) and, once approved,
// to turn it off again, leaving the key used yesterday alone; the finding
// is recorded. Undo turns the stale key back on and tags the user exempt.
func TestIAMUnusedAccessKeyDeactivated(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	user := "reports" + s.suffix
	const staleKey, usedKey = "AKIASTALEREPORTS0001", "AKIAUSEDREPORTS00001"
	if err := s.cloud.SeedIAM(Account, "user", user, nil, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.cloud.SeedAccessKey(Account, user, staleKey, "stale-secret", now.Add(-60*24*time.Hour), false)
	s.cloud.SeedAccessKeyLastUsed(staleKey, now.Add(-50*24*time.Hour), "s3", "us-east-1")
	s.cloud.SeedAccessKey(Account, user, usedKey, "used-secret", now.Add(-60*24*time.Hour), true)
	s.cloud.SeedAccessKeyLastUsed(usedKey, now.Add(-24*time.Hour), "s3", "us-east-1")
	active := func(key string) bool {
		on, ok := s.cloud.AccessKeyActive(key)
		return on && ok
	}
	ref := svciam.User.Ref(Account, "", user)
	cl := iam.NewFromConfig(s.human())

	if _, err := cl.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(user), AccessKeyId: aws.String(staleKey), Status: iamtypes.StatusTypeActive}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyIAMUnusedAccessKeys, ref.ARN)
	s.waitState(wid, contract.StateAwaitingApproval)
	if !active(staleKey) {
		t.Fatal("the stale key was turned off before anyone approved")
	}
	if _, err := contract.Decide(ctx, temporalServer.Client, wid, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	st := s.waitState(wid, contract.StateResolved)
	if st.Remediations != 1 || st.DecidedBy != HumanUser {
		t.Errorf("remediations = %d, decided by %q; want 1 by %s", st.Remediations, st.DecidedBy, HumanUser)
	}
	if active(staleKey) {
		t.Fatal("the stale key is still on after the remediation")
	}
	if !active(usedKey) {
		t.Error("the key used yesterday was turned off too")
	}
	if n := s.events.count("UpdateAccessKey", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called UpdateAccessKey %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyIAMUnusedAccessKeys, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "the quarterly report runs next week"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if !active(staleKey) {
		t.Error("undo did not turn the stale key back on")
	}
	tags, err := cl.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range tags.Tags {
		got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	wantExempt(t, got, policyIAMUnusedAccessKeys)
}

// TestIAMUnusedPasswordDeleted: a contractor's console password, set 200
// days ago and last used to sign in 100 days ago, is reset by the human
// through the SDK (UpdateLoginProfile keeps the profile's creation date,
// as IAM does). The event drives rectify to ask and, once approved, to
// delete the password: the user has none left, and the finding is
// recorded. There is no undo: IAM never reveals a password, so an undo
// request is refused with the action's note and the violation stays
// resolved.
func TestIAMUnusedPasswordDeleted(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	user := "contractor" + s.suffix
	if err := s.cloud.SeedIAM(Account, "user", user, nil, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := s.cloud.SeedLoginProfile(Account, user, "first-long-password", now.Add(-200*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.cloud.SeedPasswordLastUsed(Account, user, now.Add(-100*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	ref := svciam.User.Ref(Account, "", user)
	cl := iam.NewFromConfig(s.human())

	if _, err := cl.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String(user), Password: aws.String("N3w-Long-Passw0rd!"), PasswordResetRequired: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyIAMUnusedPassword, ref.ARN)
	s.waitState(wid, contract.StateAwaitingApproval)
	if !s.cloud.HasLoginProfile(Account, user) {
		t.Fatal("the password was deleted before anyone approved")
	}
	if _, err := contract.Decide(ctx, temporalServer.Client, wid, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	st := s.waitState(wid, contract.StateResolved)
	if st.Remediations != 1 || st.DecidedBy != HumanUser {
		t.Errorf("remediations = %d, decided by %q; want 1 by %s", st.Remediations, st.DecidedBy, HumanUser)
	}
	if _, err := cl.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(user)}); err == nil {
		t.Fatal("the user still has a console password after the remediation")
	}
	if n := s.events.count("DeleteLoginProfile", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called DeleteLoginProfile %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyIAMUnusedPassword, ref)

	_, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "she still needs the console"})
	if err == nil || !strings.Contains(err.Error(), "cannot be restored") {
		t.Fatalf("undo of a deleted password: %v, want it refused with the UndoNote", err)
	}
	if st := s.waitState(wid, contract.StateResolved); st.State != contract.StateResolved {
		t.Errorf("state after the refused undo = %s", st.State)
	}
	if s.cloud.HasLoginProfile(Account, user) {
		t.Error("a refused undo gave the password back")
	}
}

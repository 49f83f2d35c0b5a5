package devstack

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rectifyhq/rectify/internal/contract"
	svciam "github.com/rectifyhq/rectify/internal/service/iam"
)

const policyIAMAccessKeyRotation = "aws.iam.access_key_rotation"

// TestIAMOldAccessKeyDeactivated: a CI user's access key, created 200
// days ago and turned off since, is turned back on by the human through
// the SDK; the UpdateAccessKey event drives rectify to ask (approve, the
// default) and, once approved, to turn it off again: the key is refused
// from then on, the young key beside it still works, and the finding is
// recorded. Undo turns the old key back on and tags the user exempt.
func TestIAMOldAccessKeyDeactivated(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	user := "ci" + s.suffix
	const oldKey, youngKey = "AKIAOLDCIKEY00000001", "AKIAYOUNGCIKEY000001"
	if err := s.cloud.SeedIAM(Account, "user", user, nil, nil); err != nil {
		t.Fatal(err)
	}
	s.cloud.SeedAccessKey(Account, user, oldKey, "old-secret", time.Now().Add(-200*24*time.Hour), false)
	s.cloud.SeedAccessKey(Account, user, youngKey, "young-secret", time.Now().Add(-10*24*time.Hour), true)
	signsIn := func(key, secret string) bool {
		cfg := s.human()
		cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, "")
		_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err == nil
	}
	ref := svciam.User.Ref(Account, "", user)
	cl := iam.NewFromConfig(s.human())

	if _, err := cl.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(user), AccessKeyId: aws.String(oldKey), Status: iamtypes.StatusTypeActive}); err != nil {
		t.Fatal(err)
	}
	wid := contract.RemediationID(policyIAMAccessKeyRotation, ref.ARN)
	s.waitState(wid, contract.StateAwaitingApproval)
	if !signsIn(oldKey, "old-secret") {
		t.Fatal("the old key was turned off before anyone approved")
	}
	if _, err := contract.Decide(ctx, temporalServer.Client, wid, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	st := s.waitState(wid, contract.StateResolved)
	if st.Remediations != 1 || st.DecidedBy != HumanUser {
		t.Errorf("remediations = %d, decided by %q; want 1 by %s", st.Remediations, st.DecidedBy, HumanUser)
	}
	if signsIn(oldKey, "old-secret") {
		t.Fatal("the old key still works after the remediation")
	}
	if !signsIn(youngKey, "young-secret") {
		t.Error("the young key was turned off too")
	}
	if n := s.events.count("UpdateAccessKey", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called UpdateAccessKey %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyIAMAccessKeyRotation, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "the release pipeline still signs with it; rotating Friday"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if !signsIn(oldKey, "old-secret") {
		t.Error("undo did not turn the old key back on")
	}
	tags, err := cl.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range tags.Tags {
		got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	wantExempt(t, got, policyIAMAccessKeyRotation)
}

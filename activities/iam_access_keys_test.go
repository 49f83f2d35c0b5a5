package activities

import (
	"context"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	svciam "github.com/rectifyhq/rectify/internal/service/iam"
)

// TestAccessKeysDeactivated runs iam_deactivate_access_keys the way the
// workflow does, through the SDK against the fake IAM: of a user's three
// keys, the old active one is turned off (and refused from then on), the
// young one and the old inactive one are left alone; undo turns the old
// key back on, and only it.
func TestAccessKeysDeactivated(t *testing.T) {
	ctx := context.Background()
	cloud, a := newFakeActivities(t)
	const acct, user = fakecloud.DefaultAccount, "ci"
	if err := cloud.SeedIAM(acct, "user", user, nil, nil); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-200 * 24 * time.Hour)
	cloud.SeedAccessKey(acct, user, "AKIAOLDACTIVE0000001", "s1", old, true)
	cloud.SeedAccessKey(acct, user, "AKIAOLDINACTIVE00001", "s2", old, false)
	cloud.SeedAccessKey(acct, user, "AKIAYOUNG00000000001", "s3", time.Now().Add(-10*24*time.Hour), true)
	r := svciam.User.Ref(acct, "", user)
	params := violationParams(t, a, r, "aws.iam.access_key_rotation")
	if ids, _ := params["access_key_ids"].([]any); len(ids) != 1 || ids[0] != "AKIAOLDACTIVE0000001" || params["user"] != user {
		t.Fatalf("params = %v, want the one old active key", params)
	}
	in := ActionInput{Action: "iam_deactivate_access_keys", Ref: r, Params: params}
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
	status := func() [3]bool {
		var out [3]bool
		for i, id := range []string{"AKIAOLDACTIVE0000001", "AKIAOLDINACTIVE00001", "AKIAYOUNG00000000001"} {
			out[i], _ = cloud.AccessKeyActive(id)
		}
		return out
	}
	if got := status(); got != [3]bool{false, false, true} {
		t.Fatalf("active after apply (old, old inactive, young) = %v", got)
	}
	if p := violationParams(t, a, r, "aws.iam.access_key_rotation"); p != nil {
		t.Fatalf("still violating after apply: %v", p)
	}
	for range 2 { // a retried undo leaves it as the first did
		if err := a.Undo(ctx, UndoInput{Ref: r, Snapshot: snap}); err != nil {
			t.Fatal(err)
		}
		if got := status(); got != [3]bool{true, false, true} {
			t.Fatalf("active after undo (old, old inactive, young) = %v", got)
		}
	}
}

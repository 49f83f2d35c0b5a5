package activities

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	svciam "github.com/rectifyhq/rectify/internal/service/iam"
)

const day = 24 * time.Hour

// TestUnusedAccessKeysDeactivated: of a user's keys, the one last used 100
// days ago and the one never used in 60 days are turned off by
// iam_deactivate_access_keys (the action IAM.3 uses too); the one used
// yesterday and the one made last week are left alone. Undo turns the two
// back on.
func TestUnusedAccessKeysDeactivated(t *testing.T) {
	ctx := context.Background()
	cloud, a := newFakeActivities(t)
	const acct, user = fakecloud.DefaultAccount, "reports"
	if err := cloud.SeedIAM(acct, "user", user, nil, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	keys := []string{"AKIASTALEKEY00000001", "AKIANEVERUSED0000001", "AKIAUSEDKEY000000001", "AKIANEWKEY0000000001"}
	cloud.SeedAccessKey(acct, user, keys[0], "s0", now.Add(-300*day), true)
	cloud.SeedAccessKeyLastUsed(keys[0], now.Add(-100*day), "s3", "us-east-1")
	cloud.SeedAccessKey(acct, user, keys[1], "s1", now.Add(-60*day), true)
	cloud.SeedAccessKey(acct, user, keys[2], "s2", now.Add(-300*day), true)
	cloud.SeedAccessKeyLastUsed(keys[2], now.Add(-1*day), "sts", "us-east-1")
	cloud.SeedAccessKey(acct, user, keys[3], "s3", now.Add(-7*day), true)

	r := svciam.User.Ref(acct, "", user)
	params := violationParams(t, a, r, "aws.iam.unused_access_keys")
	ids, _ := params["access_key_ids"].([]any)
	if len(ids) != 2 || ids[0] != keys[1] || ids[1] != keys[0] || params["user"] != user {
		t.Fatalf("params = %v, want the never-used and the stale key", params)
	}
	in := ActionInput{Action: "iam_deactivate_access_keys", Ref: r, Params: params}
	snap, err := a.Snapshot(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for i, wantChanged := range []bool{true, false} {
		if out, err := a.Apply(ctx, in); err != nil || out.Changed != wantChanged {
			t.Fatalf("apply %d: %+v, %v; want changed %v", i+1, out, err, wantChanged)
		}
	}
	active := func() [4]bool {
		var out [4]bool
		for i, id := range keys {
			out[i], _ = cloud.AccessKeyActive(id)
		}
		return out
	}
	if got := active(); got != [4]bool{false, false, true, true} {
		t.Fatalf("active after apply (stale, never used, used, new) = %v", got)
	}
	if p := violationParams(t, a, r, "aws.iam.unused_access_keys"); p != nil {
		t.Fatalf("still violating after apply: %v", p)
	}
	if err := a.Undo(ctx, UndoInput{Ref: r, Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	if got := active(); got != [4]bool{true, true, true, true} {
		t.Fatalf("active after undo = %v", got)
	}
}

// TestUnusedPasswordDeleted: a console password set 200 days ago and last
// used 90 days ago is deleted by iam_delete_login_profile; a second apply
// changes nothing, the snapshot says what was deleted, and the action has
// no undo, only its note. A user who signed in last week keeps hers.
func TestUnusedPasswordDeleted(t *testing.T) {
	ctx := context.Background()
	cloud, a := newFakeActivities(t)
	const acct = fakecloud.DefaultAccount
	now := time.Now()
	for _, u := range []struct {
		name     string
		lastUsed time.Duration
	}{{"bob", 90 * day}, {"carol", 7 * day}} {
		if err := cloud.SeedIAM(acct, "user", u.name, nil, nil); err != nil {
			t.Fatal(err)
		}
		if err := cloud.SeedLoginProfile(acct, u.name, "a-long-password", now.Add(-200*day)); err != nil {
			t.Fatal(err)
		}
		if err := cloud.SeedPasswordLastUsed(acct, u.name, now.Add(-u.lastUsed)); err != nil {
			t.Fatal(err)
		}
	}
	if p := violationParams(t, a, svciam.User.Ref(acct, "", "carol"), "aws.iam.unused_password"); p != nil {
		t.Fatalf("carol signed in last week, and violates: %v", p)
	}
	r := svciam.User.Ref(acct, "", "bob")
	params := violationParams(t, a, r, "aws.iam.unused_password")
	if params["user"] != "bob" {
		t.Fatalf("params = %v", params)
	}
	in := ActionInput{Action: "iam_delete_login_profile", Ref: r, Params: params}
	snap, err := a.Snapshot(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	var recorded struct {
		User   string    `json:"user"`
		Exists bool      `json:"exists"`
		Create time.Time `json:"create_date"`
	}
	if err := json.Unmarshal(snap.Data, &recorded); err != nil || recorded.User != "bob" || !recorded.Exists || recorded.Create.IsZero() {
		t.Fatalf("snapshot %s, %v", snap.Data, err)
	}
	for i, wantChanged := range []bool{true, false} {
		if out, err := a.Apply(ctx, in); err != nil || out.Changed != wantChanged {
			t.Fatalf("apply %d: %+v, %v; want changed %v", i+1, out, err, wantChanged)
		}
	}
	if cloud.HasLoginProfile(acct, "bob") || !cloud.HasLoginProfile(acct, "carol") {
		t.Fatal("want bob's password gone and carol's kept")
	}
	if p := violationParams(t, a, r, "aws.iam.unused_password"); p != nil {
		t.Fatalf("still violating after apply: %v", p)
	}
	if svciam.DeleteLoginProfile.Undo != nil || svciam.DeleteLoginProfile.UndoNote == "" {
		t.Error("a deleted password cannot come back: want no Undo and an UndoNote")
	}
}

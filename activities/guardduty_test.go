package activities

import (
	"context"
	"testing"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svcgd "github.com/rectifyhq/rectify/internal/service/guardduty"
)

// TestGuardDutyEnableDetector: guardduty_enable_detector through deny,
// snapshot, apply (twice, the second a no-op), pass and undo (twice), in a
// region without a detector (apply creates one, undo deletes it) and in
// one whose detector is disabled (apply enables it, undo disables it and
// keeps it). The setting carries no tags: its exemptions are config
// entries, so there is no exemption tag to check.
func TestGuardDutyEnableDetector(t *testing.T) {
	const acct, region = fakecloud.DefaultAccount, "us-east-1"
	ref := resource.Ref{Type: svcgd.TypeDetector, ID: region, ARN: svcgd.DetectorSettingARN(acct, region), Account: acct, Region: region}
	for _, tc := range []struct {
		name     string
		detector bool // a disabled detector before
	}{{"no detector", false}, {"disabled detector", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			cloud, a := newFakeActivities(t)
			var before string
			if tc.detector {
				id, err := cloud.SeedDetector(acct, fakecloud.DetectorSeed{Region: region})
				if err != nil {
					t.Fatal(err)
				}
				before = id
			}
			params := violationParams(t, a, ref, "aws.guardduty.enabled")
			if params == nil {
				t.Fatal("aws.guardduty.enabled does not deny the region")
			}
			if params["region"] != region {
				t.Errorf("params = %v, want the region", params)
			}
			in := ActionInput{Action: "guardduty_enable_detector", Ref: ref, Params: params}
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
			id, on := cloud.GuardDutyDetector(acct, region)
			if !on || (tc.detector && id != before) {
				t.Fatalf("after apply: detector %q enabled %v (before %q)", id, on, before)
			}
			if p := violationParams(t, a, ref, "aws.guardduty.enabled"); p != nil {
				t.Fatalf("still violating after apply: %v", p)
			}
			for i := range 2 { // a retried undo leaves it as the first did
				if err := a.Undo(ctx, UndoInput{Ref: ref, Snapshot: snap}); err != nil {
					t.Fatalf("undo %d: %v", i+1, err)
				}
				id, on := cloud.GuardDutyDetector(acct, region)
				if on || id != before {
					t.Fatalf("after undo %d: detector %q enabled %v, want %q disabled (or none)", i+1, id, on, before)
				}
			}
			if p := violationParams(t, a, ref, "aws.guardduty.enabled"); p == nil {
				t.Fatal("undo did not restore the violation")
			}
		})
	}
}

// TestGuardDutyEnableDetectorRefusesAnotherRegion: params naming another
// region than the resource's are the operator's mistake, a final error.
func TestGuardDutyEnableDetectorRefusesAnotherRegion(t *testing.T) {
	_, a := newFakeActivities(t)
	const acct = fakecloud.DefaultAccount
	ref := resource.Ref{Type: svcgd.TypeDetector, ID: "us-east-1", ARN: svcgd.DetectorSettingARN(acct, "us-east-1"), Account: acct, Region: "us-east-1"}
	if _, err := a.Apply(context.Background(), ActionInput{Action: "guardduty_enable_detector", Ref: ref, Params: map[string]any{"region": "eu-west-1"}}); err == nil {
		t.Fatal("apply in another region than the resource's succeeded")
	}
}

package activities

import (
	"context"
	"testing"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svccfg "github.com/rectifyhq/rectify/internal/service/configservice"
)

// TestConfigStartRecorder: config_start_recorder through deny, snapshot,
// apply (twice, the second a no-op), pass and undo (twice), in a region
// without a recorder (apply creates recorder and channel, undo deletes
// both), one whose recorder has no channel (apply adds the channel and
// starts it; undo stops it and deletes the channel, keeping the recorder)
// and one whose recorder is merely stopped (apply starts it, undo stops
// it).
func TestConfigStartRecorder(t *testing.T) {
	const acct, region = fakecloud.DefaultAccount, "us-east-1"
	ref := resource.Ref{Type: svccfg.TypeRecorder, ID: region, ARN: svccfg.RecorderSettingARN(acct, region), Account: acct, Region: region}
	for _, tc := range []struct {
		name     string
		seed     *fakecloud.RecorderSeed
		wantName string
	}{
		{"no recorder", nil, svccfg.DefaultRecorderName},
		{"recorder without channel", &fakecloud.RecorderSeed{Region: region, Name: "main"}, "main"},
		{"stopped recorder", &fakecloud.RecorderSeed{Region: region, Name: "main", Bucket: "their-config"}, "main"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			cloud, a := newFakeActivities(t)
			a.Options = map[string]string{svccfg.RoleOption: "arn:aws:iam::{account}:role/config", svccfg.BucketOption: "config-{account}-{region}"}
			beforeName, beforeBucket := "", ""
			if tc.seed != nil {
				if err := cloud.SeedRecorder(acct, *tc.seed); err != nil {
					t.Fatal(err)
				}
				beforeName, beforeBucket = tc.seed.Name, tc.seed.Bucket
			}
			params := violationParams(t, a, ref, "aws.config.recording")
			if params == nil || params["region"] != region {
				t.Fatalf("aws.config.recording params = %v, want a deny naming the region", params)
			}
			in := ActionInput{Action: "config_start_recorder", Ref: ref, Params: params}
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
			name, on, bucket := cloud.ConfigRecorder(acct, region)
			wantBucket := beforeBucket
			if wantBucket == "" {
				wantBucket = "config-" + acct + "-" + region
			}
			if name != tc.wantName || !on || bucket != wantBucket {
				t.Fatalf("after apply: recorder %q recording %v into %q; want %q recording into %q", name, on, bucket, tc.wantName, wantBucket)
			}
			if p := violationParams(t, a, ref, "aws.config.recording"); p != nil {
				t.Fatalf("still violating after apply: %v", p)
			}
			for i := range 2 { // a retried undo leaves it as the first did
				if err := a.Undo(ctx, UndoInput{Ref: ref, Snapshot: snap}); err != nil {
					t.Fatalf("undo %d: %v", i+1, err)
				}
				name, on, bucket := cloud.ConfigRecorder(acct, region)
				if on || name != beforeName || bucket != beforeBucket {
					t.Fatalf("after undo %d: recorder %q recording %v into %q, want %q stopped into %q", i+1, name, on, bucket, beforeName, beforeBucket)
				}
			}
			if p := violationParams(t, a, ref, "aws.config.recording"); p == nil {
				t.Fatal("undo did not restore the violation")
			}
		})
	}
}

// TestConfigStartRecorderNeedsItsOptions: creating a recorder without the
// operator's role, or a channel without the bucket, is a final error that
// names the option (the control notifies until both are set, so this is a
// misconfiguration, not a retry).
func TestConfigStartRecorderNeedsItsOptions(t *testing.T) {
	const acct, region = fakecloud.DefaultAccount, "us-east-1"
	ref := resource.Ref{Type: svccfg.TypeRecorder, ID: region, ARN: svccfg.RecorderSettingARN(acct, region), Account: acct, Region: region}
	cloud, a := newFakeActivities(t)
	in := ActionInput{Action: "config_start_recorder", Ref: ref, Params: map[string]any{"region": region}}
	if _, err := a.Apply(context.Background(), in); err == nil {
		t.Fatal("apply without remediation.config.role_arn created a recorder")
	}
	a.Options = map[string]string{svccfg.RoleOption: "arn:aws:iam::{account}:role/config"}
	if _, err := a.Apply(context.Background(), in); err == nil {
		t.Fatal("apply without remediation.config.bucket started a recorder without a channel")
	}
	if name, on, _ := cloud.ConfigRecorder(acct, region); on {
		t.Errorf("recorder %q records without a delivery channel", name)
	}
	if _, err := a.Apply(context.Background(), ActionInput{Action: "config_start_recorder", Ref: ref, Params: map[string]any{"region": "eu-west-1"}}); err == nil {
		t.Fatal("apply in another region than the resource's succeeded")
	}
}

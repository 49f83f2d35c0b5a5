package activities

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/service/cloudtrail"
	"github.com/rectifyhq/rectify/internal/service/kms"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
)

// newFakeActivities is a fake cloud and Activities that reach it through
// the real SDK, as the worker does.
func newFakeActivities(t *testing.T) (*fakecloud.Cloud, *Activities) {
	t.Helper()
	cloud := fakecloud.New(fakecloud.Options{})
	endpoint, err := cloud.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cloud.Close() })
	factory, err := awsclient.New(context.Background(), awsclient.Options{
		Region: "us-east-1", Endpoint: endpoint,
		Credentials: credentials.NewStaticCredentialsProvider(fakecloud.DefaultAccessKeyID, fakecloud.DefaultSecretAccessKey, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return cloud, &Activities{AWS: factory, Policies: mustPolicies(t), Rules: &config.Config{}}
}

func kmsRef(id string) resource.Ref {
	return resource.Ref{Type: kms.TypeKey, ID: id, ARN: kms.KeyARN(fakecloud.DefaultAccount, "us-east-1", id),
		Account: fakecloud.DefaultAccount, Region: "us-east-1"}
}

func trailRef(name string) resource.Ref {
	return resource.Ref{Type: cloudtrail.TypeTrail, ID: name, ARN: cloudtrail.TrailARN(fakecloud.DefaultAccount, "us-east-1", name),
		Account: fakecloud.DefaultAccount, Region: "us-east-1"}
}

// violationParams evaluates ref and returns policyID's params after the JSON
// round trip they take through Temporal; nil when the policy passes.
func violationParams(t *testing.T, a *Activities, ref resource.Ref, policyID string) map[string]any {
	t.Helper()
	out, err := a.EvaluateResource(context.Background(), EvaluateResourceInput{Ref: ref})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out.Violations {
		if v.PolicyID == policyID {
			b, _ := json.Marshal(v.Params)
			var params map[string]any
			if err := json.Unmarshal(b, &params); err != nil {
				t.Fatal(err)
			}
			return params
		}
	}
	return nil
}

func TestFetchKMSKey(t *testing.T) {
	cloud, a := newFakeActivities(t)
	seed := func(k fakecloud.KMSKeySeed) string {
		id, err := cloud.SeedKMSKey(fakecloud.DefaultAccount, k)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	rotating := seed(fakecloud.KMSKeySeed{RotationEnabled: true, Tags: map[string]string{"team": "pay"}})
	signing := seed(fakecloud.KMSKeySeed{KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY"})
	imported := seed(fakecloud.KMSKeySeed{Origin: "EXTERNAL"})
	tests := []struct {
		name       string
		id         string
		wantExists bool
		wantProps  map[string]any
		wantTags   map[string]string
	}{
		{"rotating symmetric key", rotating, true, map[string]any{
			"key_id": rotating, "key_manager": "CUSTOMER", "key_spec": "SYMMETRIC_DEFAULT", "key_usage": "ENCRYPT_DECRYPT",
			"origin": "AWS_KMS", "enabled": true, "key_rotation_enabled": true,
		}, map[string]string{"team": "pay"}},
		{"asymmetric key cannot rotate", signing, true, map[string]any{
			"key_id": signing, "key_manager": "CUSTOMER", "key_spec": "ECC_NIST_P256", "key_usage": "SIGN_VERIFY",
			"origin": "AWS_KMS", "enabled": true, "key_rotation_enabled": false,
		}, map[string]string{}},
		{"pending import is skipped", imported, false, nil, nil},
		{"missing key", "1234abcd-12ab-34cd-56ef-1234567890ab", false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, exists, err := a.fetch(context.Background(), kmsRef(tt.id))
			if err != nil {
				t.Fatal(err)
			}
			if exists != tt.wantExists {
				t.Fatalf("exists = %v, want %v", exists, tt.wantExists)
			}
			if !exists {
				return
			}
			if r.ARN != kmsRef(tt.id).ARN || r.Type != kms.TypeKey || !reflect.DeepEqual(r.Properties, tt.wantProps) || !reflect.DeepEqual(r.Tags, tt.wantTags) {
				t.Errorf("fetched %+v\nwant properties %v tags %v", r, tt.wantProps, tt.wantTags)
			}
		})
	}
}

func TestKMSEnableRotationAction(t *testing.T) {
	cloud, a := newFakeActivities(t)
	ctx := context.Background()
	id, err := cloud.SeedKMSKey(fakecloud.DefaultAccount, fakecloud.KMSKeySeed{})
	if err != nil {
		t.Fatal(err)
	}
	ref := kmsRef(id)
	params := violationParams(t, a, ref, "aws.kms.key_rotation")
	if params["key_id"] != id {
		t.Fatalf("violation params = %v, want key_id %s", params, id)
	}
	in := ActionInput{Action: "kms_enable_rotation", Ref: ref, Params: params}
	snap, err := a.Snapshot(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for i, wantChanged := range []bool{true, false} { // the second run finds it fixed
		out, err := a.Apply(ctx, in)
		if err != nil || out.Changed != wantChanged {
			t.Fatalf("apply %d: %+v, %v; want changed %v", i+1, out, err, wantChanged)
		}
	}
	if p := violationParams(t, a, ref, "aws.kms.key_rotation"); p != nil {
		t.Fatalf("still violating after apply: %v", p)
	}
	if err := a.Undo(ctx, UndoInput{Ref: ref, Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	if p := violationParams(t, a, ref, "aws.kms.key_rotation"); p == nil {
		t.Fatal("undo did not turn rotation off again")
	}
	// A key_id that is not the resource's is refused, whatever the policy says.
	if _, err := a.Apply(ctx, ActionInput{Action: "kms_enable_rotation", Ref: ref, Params: map[string]any{"key_id": "other"}}); err == nil {
		t.Error("apply accepted another key's id")
	}

	if err := a.TagExempt(ctx, TagExemptInput{Ref: ref, PolicyID: "aws.kms.key_rotation", Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	r, _, err := a.fetch(ctx, ref)
	if err != nil || r.Tags[TagExempt] != "aws.kms.key_rotation" || r.Tags[TagExemptUntil] == "" {
		t.Errorf("tags after TagExempt = %v, %v", r.Tags, err)
	}
}

func TestTrailFetchAndStartLogging(t *testing.T) {
	cloud, a := newFakeActivities(t)
	ctx := context.Background()
	for _, ts := range []fakecloud.TrailSeed{
		{Name: "main", Bucket: "logs", MultiRegion: true, Logging: false},
		{Name: "west", Region: "eu-west-1", Bucket: "logs", Logging: true},
	} {
		if err := cloud.SeedTrail(fakecloud.DefaultAccount, ts); err != nil {
			t.Fatal(err)
		}
	}
	ref := trailRef("main")
	r, exists, err := a.fetch(ctx, ref)
	if err != nil || !exists {
		t.Fatalf("fetch: exists %v, %v", exists, err)
	}
	if want := map[string]any{"name": "main", "logging": false, "is_multi_region_trail": true, "log_file_validation_enabled": false, "kms_key_id": nil}; !reflect.DeepEqual(r.Properties, want) || r.ARN != ref.ARN || r.Region != "us-east-1" {
		t.Fatalf("fetched %+v, want properties %v", r, want)
	}
	if _, exists, err := a.fetch(ctx, trailRef("ghost")); err != nil || exists {
		t.Fatalf("missing trail: exists %v, %v", exists, err)
	}

	params := violationParams(t, a, ref, "aws.cloudtrail.logging")
	if params["name"] != "main" {
		t.Fatalf("violation params = %v", params)
	}
	in := ActionInput{Action: "cloudtrail_start_logging", Ref: ref, Params: params}
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
	if p := violationParams(t, a, ref, "aws.cloudtrail.logging"); p != nil {
		t.Fatalf("still violating after apply: %v", p)
	}
	if err := a.Undo(ctx, UndoInput{Ref: ref, Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	if p := violationParams(t, a, ref, "aws.cloudtrail.logging"); p == nil {
		t.Fatal("undo did not stop the trail again")
	}

	// A sweep of us-east-1 lists the trail whose home it is, not the
	// eu-west-1 one; the multi-region trail is not listed in eu-west-1.
	for region, want := range map[string][]string{"us-east-1": {"main"}, "eu-west-1": {"west"}} {
		page, err := a.ListResources(ctx, ListInput{Account: fakecloud.DefaultAccount, Region: region, Type: cloudtrail.TypeTrail})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range page.Refs {
			got = append(got, r.ID)
		}
		if !reflect.DeepEqual(got, want) || page.Token != "" {
			t.Errorf("%s: listed %v (token %q), want %v", region, got, page.Token, want)
		}
	}

	if err := a.TagExempt(ctx, TagExemptInput{Ref: ref, PolicyID: "aws.cloudtrail.logging", Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if r, _, err := a.fetch(ctx, ref); err != nil || r.Tags[TagExempt] != "aws.cloudtrail.logging" {
		t.Errorf("tags after TagExempt = %v, %v", r.Tags, err)
	}
}

func TestListKMSKeysPages(t *testing.T) {
	cloud, a := newFakeActivities(t)
	want := map[string]bool{}
	for range 3 {
		id, err := cloud.SeedKMSKey(fakecloud.DefaultAccount, fakecloud.KMSKeySeed{})
		if err != nil {
			t.Fatal(err)
		}
		want[id] = true
	}
	got := map[string]bool{}
	in := ListInput{Account: fakecloud.DefaultAccount, Region: "us-east-1", Type: kms.TypeKey, Limit: 2}
	for pages := 1; ; pages++ {
		page, err := a.ListResources(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Refs {
			if r.ARN != kmsRef(r.ID).ARN {
				t.Errorf("ref %+v", r)
			}
			got[r.ID] = true
		}
		if page.Token == "" {
			if pages != 2 {
				t.Errorf("%d pages, want 2", pages)
			}
			break
		}
		in.Token = page.Token
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
}

package activities

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	sdkiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/service/iam"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
)

const (
	iamAdmin    = "arn:aws:iam::aws:policy/AdministratorAccess"
	iamReadOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	iamStarDoc  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*:*","Resource":"*"}]}`
	iamNarrow   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
)

func iamRef(typ, arnKind, name string) resource.Ref {
	return resource.Ref{Type: typ, ID: name, ARN: iam.PrincipalARN(fakecloud.DefaultAccount, arnKind, name), Account: fakecloud.DefaultAccount, Region: kind.GlobalRegion}
}

// The full action cycle on each kind of principal: the params the policy
// emits drive snapshot, apply (twice: the second finds it fixed), verify
// and undo, against the fake IAM through the real SDK.
func TestIAMDetachPolicy(t *testing.T) {
	tests := []struct {
		name, typ, kind string
		managed         []string
		inline          map[string]string
		// narrow rewrites the inline policy between evaluation and apply.
		narrow      bool
		wantManaged []string
		wantInline  []string
		wantChanged bool
	}{
		{name: "role with AdministratorAccess", typ: iam.TypeRole, kind: "role",
			managed: []string{iamReadOnly, iamAdmin}, wantManaged: []string{iamReadOnly}, wantInline: []string{}, wantChanged: true},
		{name: "user with both", typ: iam.TypeUser, kind: "user",
			managed: []string{iamAdmin}, inline: map[string]string{"star": iamStarDoc, "read": iamNarrow},
			wantManaged: []string{}, wantInline: []string{"read"}, wantChanged: true},
		{name: "group inline only", typ: iam.TypeGroup, kind: "group",
			inline: map[string]string{"star": iamStarDoc}, wantManaged: []string{}, wantInline: []string{}, wantChanged: true},
		{name: "inline narrowed since the evaluation is left alone", typ: iam.TypeGroup, kind: "group",
			inline: map[string]string{"star": iamStarDoc}, narrow: true, wantManaged: []string{}, wantInline: []string{"star"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cloud, a := newFakeActivities(t)
			ctx := context.Background()
			if err := cloud.SeedIAM(fakecloud.DefaultAccount, tc.kind, "p", tc.managed, tc.inline); err != nil {
				t.Fatal(err)
			}
			ref := iamRef(tc.typ, tc.kind, "p")
			params := violationParams(t, a, ref, "aws.iam.admin_access")
			if params == nil {
				t.Fatal("aws.iam.admin_access passes on the seeded principal")
			}
			if d := Describe("iam_detach_policy", params); !strings.Contains(d, "IAM "+tc.kind+" p") {
				t.Errorf("describe = %q", d)
			}
			in := ActionInput{Action: "iam_detach_policy", Ref: ref, Params: params}
			snap, err := a.Snapshot(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if tc.narrow {
				iamSetInline(t, a, ref, "star", iamNarrow)
			}
			out, err := a.Apply(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if out.Changed != tc.wantChanged {
				t.Errorf("apply changed = %v (%s), want %v", out.Changed, out.Summary, tc.wantChanged)
			}
			managed, inline, _ := cloud.IAMPolicies(fakecloud.DefaultAccount, tc.kind, "p")
			if !slices.Equal(iamNonNil(managed), tc.wantManaged) || !slices.Equal(iamKeys(inline), tc.wantInline) {
				t.Errorf("after apply: managed %v, inline %v; want %v, %v", managed, iamKeys(inline), tc.wantManaged, tc.wantInline)
			}
			again, err := a.Apply(ctx, in)
			if err != nil || again.Changed {
				t.Errorf("second apply = %+v, %v; want unchanged", again, err)
			}
			if !tc.narrow {
				v, err := a.VerifyPolicy(ctx, VerifyInput{Ref: ref, PolicyID: "aws.iam.admin_access"})
				if err != nil || !v.Exists || v.Violating {
					t.Errorf("verify = %+v, %v; want passing", v, err)
				}
			}
			if tc.narrow {
				return
			}
			if err := a.Undo(ctx, UndoInput{Ref: ref, Snapshot: snap}); err != nil {
				t.Fatal(err)
			}
			managed, inline, _ = cloud.IAMPolicies(fakecloud.DefaultAccount, tc.kind, "p")
			if !iamSameSet(managed, tc.managed) || !iamMapsEqual(inline, tc.inline) {
				t.Errorf("after undo: managed %v, inline %v; want %v, %v", managed, inline, tc.managed, tc.inline)
			}
		})
	}
}

// iamSetInline rewrites an inline policy as a human would, through the
// action's own IAM calls.
func iamSetInline(t *testing.T, a *Activities, ref resource.Ref, name, doc string) {
	t.Helper()
	ctx, c := context.Background(), a.AWS.IAM(ref.Account, ref.Region)
	var err error
	switch ref.Type {
	case iam.TypeUser:
		_, err = c.PutUserPolicy(ctx, &sdkiam.PutUserPolicyInput{UserName: &ref.ID, PolicyName: &name, PolicyDocument: &doc})
	case iam.TypeRole:
		_, err = c.PutRolePolicy(ctx, &sdkiam.PutRolePolicyInput{RoleName: &ref.ID, PolicyName: &name, PolicyDocument: &doc})
	case iam.TypeGroup:
		_, err = c.PutGroupPolicy(ctx, &sdkiam.PutGroupPolicyInput{GroupName: &ref.ID, PolicyName: &name, PolicyDocument: &doc})
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestIAMDetachPolicyRejectsParamsForAnotherPrincipal(t *testing.T) {
	_, a := newFakeActivities(t)
	ref := iamRef(iam.TypeRole, "role", "app")
	for _, params := range []map[string]any{
		{"principal_type": "role", "name": "other", "policy_arns": []any{iamAdmin}},
		{"principal_type": "user", "name": "app", "policy_arns": []any{iamAdmin}},
		{"principal_type": "role", "name": "app", "policy_arns": []any{}, "inline_policy_names": []any{}},
	} {
		_, err := a.Apply(context.Background(), ActionInput{Action: "iam_detach_policy", Ref: ref, Params: params})
		if err == nil || !strings.Contains(err.Error(), "iam_detach_policy on") {
			t.Errorf("params %v: err = %v, want an invalid params error", params, err)
		}
	}
}

func TestFetchIAMPrincipal(t *testing.T) {
	cloud, a := newFakeActivities(t)
	ctx := context.Background()
	if err := cloud.SeedIAM(fakecloud.DefaultAccount, "user", "alice", []string{iamReadOnly}, map[string]string{"read": iamNarrow}); err != nil {
		t.Fatal(err)
	}
	res, exists, err := a.fetch(ctx, iamRef(iam.TypeUser, "user", "alice"))
	if err != nil || !exists {
		t.Fatalf("fetch alice = %v, %v", exists, err)
	}
	b, _ := json.Marshal(res.Properties)
	want := `{"access_keys":[],"attached_policy_arns":["arn:aws:iam::aws:policy/ReadOnlyAccess"],"inline_policies":[{"document":{"Statement":[{"Action":["s3:GetObject"],"Effect":"Allow","Resource":["*"]}],"Version":"2012-10-17"},"name":"read"}],"login_profile":null,"name":"alice","path":"/"}`
	if string(b) != want {
		t.Errorf("properties = %s\nwant %s", b, want)
	}
	for _, ref := range []resource.Ref{iamRef(iam.TypeUser, "user", "bob"), iamRef(iam.TypeRole, "role", "alice")} {
		if _, exists, err := a.fetch(ctx, ref); err != nil || exists {
			t.Errorf("fetch %s = exists %v, %v; want not found", ref.ARN, exists, err)
		}
	}
}

func TestTagIAMExempt(t *testing.T) {
	cloud, a := newFakeActivities(t)
	ctx := context.Background()
	for _, kind := range []string{"role", "group"} {
		if err := cloud.SeedIAM(fakecloud.DefaultAccount, kind, "x", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	until := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	role := iamRef(iam.TypeRole, "role", "x")
	if err := a.TagExempt(ctx, TagExemptInput{Ref: role, PolicyID: "aws.iam.admin_access", Until: until}); err != nil {
		t.Fatal(err)
	}
	res, _, err := a.fetch(ctx, role)
	if err != nil || res.Tags[TagExempt] != "aws.iam.admin_access" || res.Tags[TagExemptUntil] != "2026-12-31T00:00:00Z" {
		t.Errorf("role tags = %v, %v", res.Tags, err)
	}
	err = a.TagExempt(ctx, TagExemptInput{Ref: iamRef(iam.TypeGroup, "group", "x"), PolicyID: "aws.iam.admin_access", Until: until})
	if err == nil || !strings.Contains(err.Error(), "IAM group cannot carry tags") {
		t.Errorf("tag group: %v, want the cannot-be-tagged error", err)
	}
}

func iamNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func iamKeys(m map[string]string) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func iamSameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

func iamMapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

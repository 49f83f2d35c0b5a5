package service_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/service"
)

// The registry refuses incomplete declarations when it is built (see
// kind.New); what is left to check is the shape of what it derives.
func TestRegistryDerivedTables(t *testing.T) {
	reg := service.Registry
	if len(reg.Kinds()) == 0 || len(reg.LiveTypes()) == 0 || len(reg.ActionNames()) == 0 {
		t.Fatal("empty registry")
	}
	for _, a := range reg.RequiredActions() {
		if svc, op, ok := strings.Cut(a, ":"); !ok || svc == "" || op == "" || strings.Contains(a, "*") {
			t.Errorf("IAM action %q is not service:Operation", a)
		}
	}
	if !slices.IsSorted(reg.RequiredActions()) {
		t.Error("RequiredActions is not sorted")
	}
	for _, k := range reg.Kinds() {
		for _, use := range []struct {
			name  string
			need  bool
			perms []string
		}{
			{"read", k.Fetch != nil, k.Permissions.Read},
			{"list", k.List != nil, k.Permissions.List},
			{"tag", k.Tag != nil, k.Permissions.Tag},
		} {
			if use.need && len(use.perms) == 0 {
				t.Errorf("%s: %s declares no IAM actions", k.Type, use.name)
			}
		}
		if k.Fetch != nil && k.Normalize == nil {
			t.Errorf("%s: a live kind without Normalize cannot cross the plan/live fixture pairs", k.Type)
		}
		if k.ARN == nil {
			t.Errorf("%s: no ARN builder", k.Type)
		}
	}
	// Every CloudTrail call a kind reads is one EventBridge must forward.
	names := reg.CloudTrailEventNames()
	for _, k := range reg.Kinds() {
		for _, c := range k.Calls {
			for _, n := range c.Names {
				if !slices.Contains(names[c.Source], n) {
					t.Errorf("%s: %s/%s missing from CloudTrailEventNames", k.Type, c.Source, n)
				}
			}
		}
	}
}

// Each kind's ARN parser is the inverse of its builder, and refuses the
// ARNs of every other kind, so an ARN names one kind only.
func TestARNRoundTrip(t *testing.T) {
	const account, region = "123456789012", "eu-west-1"
	for _, k := range service.Registry.Kinds() {
		id := "sample-1"
		switch {
		case k.Scope != kind.ScopeResource:
			id = k.SettingID(account, region)
		case k.IsID != nil && !k.IsID(id):
			id = map[string]string{
				"aws_security_group": "sg-0123456789abcdef0",
				"aws_kms_key":        "0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
				"aws_ebs_snapshot":   "snap-0123456789abcdef0",
				"aws_subnet":         "subnet-0123456789abcdef0",
				"aws_instance":       "i-0123456789abcdef0",
				"aws_vpc":            "vpc-0123456789abcdef0",
			}[k.Type]
		}
		ref := k.Ref(account, region, id)
		// An ARN without account or region (S3, IAM) keeps the ones given.
		back, ok := k.Resolve(ref.ARN, "999999999999", "us-west-2")
		if !ok || back.Type != ref.Type || back.ID != ref.ID || back.ARN != ref.ARN {
			t.Errorf("%s: Resolve(%s) = %+v, %v; want %+v", k.Type, ref.ARN, back, ok, ref)
		}
		for _, other := range service.Registry.Kinds() {
			if other == k || other.ParseARN == nil {
				continue
			}
			if _, ok := other.Resolve(ref.ARN, account, region); ok {
				t.Errorf("%s's ARN %s also resolves as %s", k.Type, ref.ARN, other.Type)
			}
		}
	}
}

package activities

import (
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/policies"
)

func TestExemptTags(t *testing.T) {
	until := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		tags      map[string]string
		wantList  string
		wantUntil string
	}{
		{"none", map[string]string{"team": "web"}, "p1", "2026-11-29T00:00:00Z"},
		{"adds to list", map[string]string{TagExempt: "p0"}, "p0,p1", "2026-11-29T00:00:00Z"},
		{"no duplicate", map[string]string{TagExempt: "p1, p0"}, "p1,p0", "2026-11-29T00:00:00Z"},
		{"all stays all", map[string]string{TagExempt: "all"}, "all", "2026-11-29T00:00:00Z"},
		{"later expiry kept", map[string]string{TagExempt: "p1", TagExemptUntil: "2027-01-01"}, "p1", "2027-01-01"},
		{"earlier expiry extended", map[string]string{TagExempt: "p1", TagExemptUntil: "2026-11-23"}, "p1", "2026-11-29T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exemptTags(tt.tags, "p1", until)
			if got[TagExempt] != tt.wantList || got[TagExemptUntil] != tt.wantUntil {
				t.Errorf("exemptTags = %v, want %s until %s", got, tt.wantList, tt.wantUntil)
			}
			for k, v := range tt.tags {
				if k != TagExempt && k != TagExemptUntil && got[k] != v {
					t.Errorf("tag %s lost", k)
				}
			}
			if ex := exempt.FromTags(got, "p1", until.Add(-time.Hour)); !ex.Exempt {
				t.Errorf("the written tags do not exempt p1: %+v", ex)
			}
		})
	}
}

func TestViolationWithUnknownActionIsNotifyOnly(t *testing.T) {
	a := &Activities{Rules: &config.Config{}, Policies: mustPolicies(t)}
	tests := []struct {
		action, want string
	}{
		{"ec2_revoke_ingress", "ec2_revoke_ingress"},
		{"none", "none"},
		{"s3_teleport_bucket", ""},
	}
	for _, tt := range tests {
		got := a.violation(policies.Violation{PolicyID: "aws.ec2.sg_public_admin_ports", Remediation: tt.action, Message: "m"}, resource.Resource{}, "", nil)
		if got.Remediation != tt.want {
			t.Errorf("action %q → %q, want %q", tt.action, got.Remediation, tt.want)
		}
		if tt.want == "" && !strings.Contains(got.Message, "not available") {
			t.Errorf("message %q does not say the action is missing", got.Message)
		}
	}
}

func mustPolicies(t *testing.T) *policies.Set {
	t.Helper()
	set, err := policies.Load()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

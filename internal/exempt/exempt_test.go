package exempt

import (
	"strings"
	"testing"
	"time"
)

func TestFromTags(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const policy = "aws.s3.public_access_block"
	tests := []struct {
		name        string
		tags        map[string]string
		wantExempt  bool
		wantExpired bool
		wantReason  string
	}{
		{"no tags", nil, false, false, ""},
		{"all", map[string]string{TagExempt: "all"}, true, false, "tag rectify:exempt=all"},
		{"listed", map[string]string{TagExempt: "aws.ec2.x, " + policy}, true, false, policy},
		{"other policy", map[string]string{TagExempt: "aws.ec2.x"}, false, false, ""},
		{"until future date", map[string]string{TagExempt: "all", TagExemptUntil: "2026-12-01"}, true, false, "until 2026-12-01"},
		{"until future time", map[string]string{TagExempt: "all", TagExemptUntil: "2026-11-22T13:00:00Z"}, true, false, "until"},
		{"expired", map[string]string{TagExempt: "all", TagExemptUntil: "2026-11-01"}, false, true, "expired on 2026-11-01"},
		{"expires now", map[string]string{TagExempt: "all", TagExemptUntil: "2026-11-22T12:00:00Z"}, false, true, "expired"},
		{"bad date fails closed", map[string]string{TagExempt: "all", TagExemptUntil: "next week"}, false, false, "not an RFC 3339 date"},
		{"until without exempt", map[string]string{TagExemptUntil: "2030-01-01"}, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromTags(tt.tags, policy, now)
			if got.Exempt != tt.wantExempt || got.Expired != tt.wantExpired || !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("FromTags(%v) = %+v, want exempt=%v expired=%v reason containing %q", tt.tags, got, tt.wantExempt, tt.wantExpired, tt.wantReason)
			}
		})
	}
}

func TestFor(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const (
		policy = "aws.ec2.ebs_default_encryption"
		arn    = "arn:aws:ec2:us-east-1:111111111111:ebs-encryption-by-default"
	)
	rule := func(arn, expires string, policies ...string) Rule {
		return Rule{ARN: arn, Policies: policies, Reason: "legacy AMIs", Owner: "platform", Expires: expires}
	}
	tests := []struct {
		name        string
		tags        map[string]string
		rules       []Rule
		wantExempt  bool
		wantExpired bool
		wantReason  string
	}{
		{"no rule", nil, nil, false, false, ""},
		{"exact ARN", nil, []Rule{rule(arn, "2027-01-01", policy)}, true, false, "owner platform: legacy AMIs"},
		{"glob across regions", nil, []Rule{rule("arn:aws:ec2:*:111111111111:ebs-*", "2027-01-01", "all")}, true, false, "until 2027-01-01"},
		{"other account", nil, []Rule{rule("arn:aws:ec2:*:222222222222:*", "2027-01-01", "all")}, false, false, ""},
		{"other policy", nil, []Rule{rule(arn, "2027-01-01", "aws.s3.public_access_block")}, false, false, ""},
		{"expired", nil, []Rule{rule(arn, "2026-11-01", policy)}, false, true, "expired on 2026-11-01"},
		{"an expired rule does not hide a live one", nil, []Rule{rule(arn, "2026-11-01", policy), rule("arn:aws:ec2:*", "2027-01-01", "all")}, true, false, "until 2027-01-01"},
		{"unreadable date fails closed", nil, []Rule{rule(arn, "soon", policy)}, false, false, ""},
		{"tag wins over an expired rule", map[string]string{TagExempt: "all"}, []Rule{rule(arn, "2026-11-01", policy)}, true, false, "tag rectify:exempt=all"},
		{"expired tag, live rule", map[string]string{TagExempt: "all", TagExemptUntil: "2026-01-01"}, []Rule{rule(arn, "2027-01-01", policy)}, true, false, "config exemption"},
		{"expired tag, no rule", map[string]string{TagExempt: "all", TagExemptUntil: "2026-01-01"}, nil, false, true, "expired on 2026-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := For(tt.tags, tt.rules, arn, policy, now)
			if got.Exempt != tt.wantExempt || got.Expired != tt.wantExpired || !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("For = %+v, want exempt %v, expired %v, reason containing %q", got, tt.wantExempt, tt.wantExpired, tt.wantReason)
			}
		})
	}
}

func TestRuleValidate(t *testing.T) {
	ok := Rule{ARN: "arn:aws:s3:::site-*", Policies: []string{"all"}, Reason: "public website", Owner: "web", Expires: "2027-01-01"}
	tests := []struct {
		name string
		edit func(*Rule)
		want string // "" = valid
	}{
		{"valid", func(*Rule) {}, ""},
		{"date-time", func(r *Rule) { r.Expires = "2027-01-01T10:00:00Z" }, ""},
		{"no arn", func(r *Rule) { r.ARN = "" }, "arn: required"},
		{"no policies", func(r *Rule) { r.Policies = nil }, "policies: required"},
		{"no reason", func(r *Rule) { r.Reason = "" }, "reason: required"},
		{"no owner", func(r *Rule) { r.Owner = "" }, "owner: required"},
		{"no expiry", func(r *Rule) { r.Expires = "" }, "expires: required"},
		{"bad expiry", func(r *Rule) { r.Expires = "31/01/2027" }, `expires: "31/01/2027" is not`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			err := r.Validate()
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

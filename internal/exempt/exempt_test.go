package exempt

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFromTags(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const policy = "aws.s3.public_access_block"
	const (
		exempt = iota + 1
		expired
		uncertain
	)
	tests := []struct {
		name       string
		tags       map[string]string
		want       int // 0: none of exempt, expired, uncertain
		wantReason string
	}{
		{"no tags", nil, 0, ""},
		{"all", map[string]string{TagExempt: "all"}, exempt, "tag rectify:exempt=all"},
		{"listed", map[string]string{TagExempt: "aws.ec2.x, " + policy}, exempt, policy},
		{"other policy", map[string]string{TagExempt: "aws.ec2.x"}, 0, ""},
		{"until future date", map[string]string{TagExempt: "all", TagExemptUntil: "2026-12-01"}, exempt, "until 2026-12-01"},
		{"until future time", map[string]string{TagExempt: "all", TagExemptUntil: "2026-11-22T13:00:00Z"}, exempt, "until"},
		{"expired", map[string]string{TagExempt: "all", TagExemptUntil: "2026-11-01"}, expired, "expired on 2026-11-01"},
		{"expires now", map[string]string{TagExempt: "all", TagExemptUntil: "2026-11-22T12:00:00Z"}, expired, "expired"},
		// Neither exempt nor enforced: a human decides.
		{"bad date is uncertain", map[string]string{TagExempt: "all", TagExemptUntil: "next week"}, uncertain, `rectify:exempt-until="next week" is not an RFC 3339 date`},
		{"bad date names the exemption", map[string]string{TagExempt: policy, TagExemptUntil: "31/12/2026"}, uncertain, "whether rectify:exempt=" + policy + " still applies"},
		{"bad date of an exemption of another policy", map[string]string{TagExempt: "aws.ec2.x", TagExemptUntil: "next week"}, 0, ""},
		{"empty date is uncertain", map[string]string{TagExempt: "all", TagExemptUntil: ""}, uncertain, "not an RFC 3339 date"},
		{"until without exempt", map[string]string{TagExemptUntil: "2030-01-01"}, 0, ""},
		{"bad date without exempt", map[string]string{TagExemptUntil: "soon"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromTags(tt.tags, policy, now)
			if got.Exempt != (tt.want == exempt) || got.Expired != (tt.want == expired) || got.Uncertain != (tt.want == uncertain) || !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("FromTags(%v) = %+v, want kind %d, reason containing %q", tt.tags, got, tt.want, tt.wantReason)
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
	unreadable := errors.New("get tagging of bucket b: AccessDenied: denied")
	tests := []struct {
		name          string
		tags          map[string]string
		tagsErr       error
		rules         []Rule
		wantExempt    bool
		wantExpired   bool
		wantUncertain bool
		wantReason    string
	}{
		{"no rule", nil, nil, nil, false, false, false, ""},
		{"exact ARN", nil, nil, []Rule{rule(arn, "2027-01-01", policy)}, true, false, false, "owner platform: legacy AMIs"},
		{"glob across regions", nil, nil, []Rule{rule("arn:aws:ec2:*:111111111111:ebs-*", "2027-01-01", "all")}, true, false, false, "until 2027-01-01"},
		{"other account", nil, nil, []Rule{rule("arn:aws:ec2:*:222222222222:*", "2027-01-01", "all")}, false, false, false, ""},
		{"other policy", nil, nil, []Rule{rule(arn, "2027-01-01", "aws.s3.public_access_block")}, false, false, false, ""},
		{"expired", nil, nil, []Rule{rule(arn, "2026-11-01", policy)}, false, true, false, "expired on 2026-11-01"},
		{"an expired rule does not hide a live one", nil, nil, []Rule{rule(arn, "2026-11-01", policy), rule("arn:aws:ec2:*", "2027-01-01", "all")}, true, false, false, "until 2027-01-01"},
		{"unreadable rule date is uncertain", nil, nil, []Rule{rule(arn, "soon", policy)}, false, false, true, `expires "soon", not an RFC 3339 date`},
		{"tag wins over an expired rule", map[string]string{TagExempt: "all"}, nil, []Rule{rule(arn, "2026-11-01", policy)}, true, false, false, "tag rectify:exempt=all"},
		{"expired tag, live rule", map[string]string{TagExempt: "all", TagExemptUntil: "2026-01-01"}, nil, []Rule{rule(arn, "2027-01-01", policy)}, true, false, false, "config exemption"},
		{"expired tag, no rule", map[string]string{TagExempt: "all", TagExemptUntil: "2026-01-01"}, nil, nil, false, true, false, "expired on 2026-01-01"},
		{"unreadable tags are uncertain", nil, unreadable, nil, false, false, true, "tags could not be read (get tagging of bucket b: AccessDenied: denied)"},
		{"unreadable tags, live rule exempts", nil, unreadable, []Rule{rule(arn, "2027-01-01", policy)}, true, false, false, "config exemption"},
		{"unreadable tags win over an expired rule", nil, unreadable, []Rule{rule(arn, "2026-11-01", policy)}, false, false, true, "tags could not be read"},
		{"unreadable tags ignore what was read", map[string]string{TagExempt: "all"}, unreadable, nil, false, false, true, "tags could not be read"},
		{"bad tag date, live rule exempts", map[string]string{TagExempt: "all", TagExemptUntil: "soon"}, nil, []Rule{rule(arn, "2027-01-01", policy)}, true, false, false, "config exemption"},
		{"bad tag date wins over an expired rule", map[string]string{TagExempt: "all", TagExemptUntil: "soon"}, nil, []Rule{rule(arn, "2026-11-01", policy)}, false, false, true, "not an RFC 3339 date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := For(tt.tags, tt.tagsErr, tt.rules, arn, policy, now)
			if got.Exempt != tt.wantExempt || got.Expired != tt.wantExpired || got.Uncertain != tt.wantUncertain || !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("For = %+v, want exempt %v, expired %v, uncertain %v, reason containing %q", got, tt.wantExempt, tt.wantExpired, tt.wantUncertain, tt.wantReason)
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

// An exemption names its owner and end when it has them, for the audit
// trail and `rectify report`.
func TestExemptionOwnerAndUntil(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const policy, arn = "aws.s3.public_access_block", "arn:aws:s3:::b"
	for _, tc := range []struct {
		name         string
		tags         map[string]string
		rules        []Rule
		owner, until string
	}{
		{"tag without date", map[string]string{TagExempt: "all"}, nil, "", ""},
		{"tag with date", map[string]string{TagExempt: "all", TagExemptUntil: "2026-12-01"}, nil, "", "2026-12-01"},
		{"config rule", nil, []Rule{{ARN: arn, Policies: []string{policy}, Reason: "r", Owner: "data-team", Expires: "2027-01-31"}}, "data-team", "2027-01-31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := For(tc.tags, nil, tc.rules, arn, policy, now)
			if !got.Exempt || got.Owner != tc.owner || got.Until != tc.until {
				t.Errorf("For = %+v, want exempt with owner %q until %q", got, tc.owner, tc.until)
			}
		})
	}
}

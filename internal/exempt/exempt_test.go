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

package activities

import (
	"testing"
	"time"
)

func TestExemption(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const policy = "aws.s3.public_access_block"
	tests := []struct {
		name        string
		tags        map[string]string
		wantExempt  bool
		wantExpired bool
	}{
		{"no tags", nil, false, false},
		{"all", map[string]string{TagExempt: "all"}, true, false},
		{"listed", map[string]string{TagExempt: "aws.ec2.x, " + policy}, true, false},
		{"other policy", map[string]string{TagExempt: "aws.ec2.x"}, false, false},
		{"until future date", map[string]string{TagExempt: "all", TagExemptUntil: "2026-12-01"}, true, false},
		{"until future time", map[string]string{TagExempt: "all", TagExemptUntil: "2026-11-22T13:00:00Z"}, true, false},
		{"expired", map[string]string{TagExempt: "all", TagExemptUntil: "2026-11-01"}, false, true},
		{"bad date fails closed", map[string]string{TagExempt: "all", TagExemptUntil: "next week"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exemption(tt.tags, policy, now)
			if got.Exempt != tt.wantExempt || got.Expired != tt.wantExpired {
				t.Errorf("exemption(%v) = %+v, want exempt=%v expired=%v", tt.tags, got, tt.wantExempt, tt.wantExpired)
			}
			if (got.Exempt || got.Expired) && got.Reason == "" {
				t.Errorf("exemption without a reason: %+v", got)
			}
		})
	}
}

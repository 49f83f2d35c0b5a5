package resource

import "testing"

func TestMatchARN(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "arn:aws:iam::1:role/x", true},
		{"a*c", "abc", true},
		{"a*c", "abcd", false},
		{"a*c*e", "abxcyyce", true},
		{"**", "x", true},
		{"arn:aws:iam::*:role/r", "arn:aws:iam::123456789012:role/r", true},
		{"arn:aws:iam::*:role/r", "arn:aws:iam::123456789012:role/r2", false},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::1:role/a/b", true},
		{"x", "X", false},
		{"a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tt := range tests {
		if got := MatchARN(tt.pattern, tt.s); got != tt.want {
			t.Errorf("MatchARN(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}

package resource

import (
	"strings"
	"testing"
)

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

func TestCheckARNPattern(t *testing.T) {
	tests := []struct {
		pattern string
		wantErr string // "" when the pattern is fine
	}{
		{"arn:aws:iam::*:role/rectify-remediation", ""},
		{"arn:aws:ec2:*:111111111111:ebs-encryption-by-default", ""},
		{"arn:aws:s3:::public-site-*", ""},
		{"arn:*", ""},
		{"arn:aws:iam::aws:policy/AdministratorAccess", ""},
		{"arn:aws-us-gov:iam::123456789012:role/a/b", ""},
		{"arn:aws:ec2:us-east-1:123456789012:security-group/sg-1", ""},
		{"garbage", "is not an ARN pattern"},
		{"*", "is not an ARN pattern"},
		{"ARN:aws:s3:::b", "is not an ARN pattern"},
		{"arn:aws:s3::b", "has 5 of its 6"},
		{"arn:aws:s3:::", "the resource part is empty"},
		{"arn::s3:::b", "the partition part is empty"},
		{"arn:aws::::b", "the service part is empty"},
		{"arn:amazon:s3:::b", `partition "amazon"`},
		{"arn:aws:iam::12:role/x", `account "12" is not a 12-digit account id`},
		{"arn:aws:iam::12345678901x:role/*", "is not a 12-digit"},
		{"arn:aws:ec2:*:11111111111:ebs-encryption-by-default", `account "11111111111"`},
		{"arn:*:iam::*:rle", ""},
		{"arn:aws:s3:::my bucket", "space or control character at byte 15"},
	}
	for _, tt := range tests {
		err := CheckARNPattern(tt.pattern)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("CheckARNPattern(%q) = %v, want nil", tt.pattern, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("CheckARNPattern(%q) = %v, want it to mention %q", tt.pattern, err, tt.wantErr)
		}
	}
}

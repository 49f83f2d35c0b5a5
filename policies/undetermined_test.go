package policies

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/service/s3"

	"github.com/rectifyhq/rectify/internal/resource"
)

// TestAssess: a bucket whose policy is unknown is undetermined for both
// policy controls; a deny wins over an undetermined of the same policy;
// Evaluate (the live plane) never reports undetermined.
func TestAssess(t *testing.T) {
	set, err := Load(WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	addr := "aws_s3_bucket.assets"
	unknownPolicy := resource.Resource{Type: s3.TypeBucket, Address: &addr, Plane: resource.PlanePlan, Tags: map[string]string{},
		Properties: map[string]any{"bucket": "assets", "public_access_block": map[string]any{
			"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true,
		}, "encryption": map[string]any{"sse_algorithm": "AES256"}, "logging": map[string]any{"target_bucket": "logs", "target_prefix": ""}}}
	a, err := set.Assess(context.Background(), unknownPolicy)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range a.Undetermined {
		ids = append(ids, u.PolicyID)
		if !slices.Equal(u.Unknown, []string{"policy"}) || u.Message == "" || u.Severity == "" {
			t.Errorf("undetermined %+v", u)
		}
	}
	if !slices.Equal(ids, []string{"aws.s3.bucket_policy_public", "aws.s3.bucket_policy_tls"}) || len(a.Violations) != 0 {
		t.Errorf("undetermined %v, violations %v", ids, a.Violations)
	}

	// The block unknown too, but no policy at all: TLS denies and its
	// undetermined is dropped; the block stays undetermined.
	noPolicy := unknownPolicy
	noPolicy.Properties = map[string]any{"bucket": "assets", "policy": nil, "logging": map[string]any{}}
	if a, err = set.Assess(context.Background(), noPolicy); err != nil {
		t.Fatal(err)
	}
	ids = nil
	for _, u := range a.Undetermined {
		ids = append(ids, u.PolicyID)
	}
	if len(a.Violations) != 1 || a.Violations[0].PolicyID != "aws.s3.bucket_policy_tls" ||
		!slices.Equal(ids, []string{"aws.s3.public_access_block"}) {
		t.Errorf("violations %v, undetermined %v", a.Violations, ids)
	}
	if vs, err := set.Evaluate(context.Background(), unknownPolicy); err != nil || len(vs) != 0 {
		t.Errorf("Evaluate = %v, %v", vs, err)
	}
}

// TestUndeterminedContract: a user policy's undetermined off the contract
// is an error naming the file, never a silent pass.
func TestUndeterminedContract(t *testing.T) {
	const head = "# METADATA\n# title: t\n# description: d\n# custom:\n#   id: acme.u\n#   severity: LOW\n#   resource_types: [aws_s3_bucket]\n#   remediation: none\n#   controls: []\n#   default_mode: notify\npackage acme.u\n\ndeny contains {\"msg\": \"x\", \"params\": {}} if false\n\n"
	tests := []struct{ name, rule, want string }{
		{"not a set", "undetermined := 1\n", "undetermined must be a partial set"},
		{"no msg", "undetermined contains {\"unknown\": [\"policy\"]} if true\n", "has no string msg"},
		{"unknown not a list", "undetermined contains {\"msg\": \"m\", \"unknown\": \"policy\"} if true\n", "want a list of property names"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "u.rego"), []byte(head+tt.rule), 0o600); err != nil {
				t.Fatal(err)
			}
			set, err := Load(WithDir(dir), WithLogger(slog.New(slog.DiscardHandler)))
			if err == nil {
				addr := "aws_s3_bucket.x"
				_, err = set.Assess(context.Background(), resource.Resource{Type: s3.TypeBucket, Address: &addr, Properties: map[string]any{}})
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

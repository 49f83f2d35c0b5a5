package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func runPolicyCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newPolicyCmd()
	var out, stderr bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&stderr)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

const userPolicyText = `# METADATA
# title: Buckets are tagged with an owner
# description: Every bucket carries an owner tag.
# custom:
#   id: acme.bucket_owner
#   severity: LOW
#   resource_types: [aws_s3_bucket]
#   remediation: none
#   controls: []
#   default_mode: notify
package acme.bucket_owner

deny contains {"msg": "bucket has no owner tag", "params": {}} if not input.resource.tags.owner
`

func TestPolicyTest(t *testing.T) {
	write := func(t *testing.T, files map[string]string) string {
		dir := t.TempDir()
		for name, text := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	passing := `package acme.bucket_owner_test

import data.acme.bucket_owner as policy

test_untagged_denied if count(policy.deny) == 1 with input as {"resource": {"tags": {}}}

test_tagged_allowed if count(policy.deny) == 0 with input as {"resource": {"tags": {"owner": data.owners.default}}}
`
	tests := []struct {
		name  string
		files map[string]string // nil: the built-in policies
		code  int
		want  []string // in stdout, or in the error for exit 2
	}{
		{
			name: "built-in policies",
			code: 0,
			want: []string{
				"PASS  rectify.aws.ec2.sg_public_admin_ports_test.test_ssh_from_ipv4_world_denied (",
				"PASS  rectify.aws.kms.key_rotation_test.test_rotation_off_denied (",
				" passed, 0 failed, 0 skipped",
			},
		},
		{
			name: "user directory with data",
			files: map[string]string{
				"owner/policy.rego":      userPolicyText,
				"owner/policy_test.rego": passing,
				"owners.json":            `{"owners": {"default": "platform"}}`,
			},
			code: 0,
			want: []string{"PASS  acme.bucket_owner_test.test_tagged_allowed", "2 passed, 0 failed, 0 skipped"},
		},
		{
			name: "a failing test",
			files: map[string]string{
				"policy.rego": userPolicyText,
				"policy_test.rego": `package acme.bucket_owner_test

import data.acme.bucket_owner as policy

test_wrong if {
	print("denies:", count(policy.deny))
	count(policy.deny) == 0 with input as {"resource": {"tags": {}}}
}
`,
			},
			code: 1,
			want: []string{"FAIL  acme.bucket_owner_test.test_wrong (", "policy_test.rego:5)", "0 passed, 1 failed, 0 skipped"},
		},
		{
			name:  "a policy without METADATA",
			files: map[string]string{"p.rego": "package acme.x\n\ndeny contains {\"msg\": \"x\"} if true\n"},
			code:  2,
			want:  []string{"p.rego", "has no package-scope # METADATA block"},
		},
		{
			name:  "a parse error names file and line",
			files: map[string]string{"p.rego": "package acme.x\n\ndeny contains x if {\n"},
			code:  2,
			want:  []string{"p.rego:4: rego_parse_error"},
		},
		{
			name:  "a refused built-in",
			files: map[string]string{"p_test.rego": "package acme.x_test\n\ntest_now if time.now_ns() > 0\n"},
			code:  2,
			want:  []string{"p_test.rego:3", "may not call network, clock or random built-ins"},
		},
		{
			name:  "no tests",
			files: map[string]string{"policy.rego": userPolicyText},
			code:  2,
			want:  []string{"no tests"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"test"}
			if tt.files != nil {
				args = append(args, write(t, tt.files))
			}
			out, err := runPolicyCmd(t, args...)
			if got := exitCodeOf(err); got != tt.code {
				t.Fatalf("exit code %d (err %v), want %d\n%s", got, err, tt.code, out)
			}
			where := out
			if tt.code == 2 {
				where = err.Error()
			}
			for _, w := range tt.want {
				if !strings.Contains(where, w) {
					t.Errorf("%q\ndoes not contain %q", where, w)
				}
			}
		})
	}
}

func TestPolicyTestCountsEveryBuiltinTest(t *testing.T) {
	out, err := runPolicyCmd(t, "test")
	if err != nil {
		t.Fatal(err)
	}
	n := len(regexp.MustCompile(`(?m)^PASS  `).FindAllString(out, -1))
	if n < 90 {
		t.Errorf("%d tests passed, want the whole built-in suite (90+)", n)
	}
}

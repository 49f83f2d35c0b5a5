package plan_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/internal/service"
)

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		notPlan bool
		want    string
	}{
		{"empty", "  \n", true, "the input is empty"},
		{"binary plan file", "PK\x03\x04\x14\x00rest-of-zip", true, "binary plan file"},
		{"JSON array", `[{"format_version": "1.2"}]`, true, "want a JSON object"},
		{"other JSON", `{"name": "x"}`, true, "no format_version/resource_changes"},
		{"state file", `{"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": {}}}`, true, "this is Terraform state"},
		{"format_version only", `{"format_version": "1.2"}`, true, "no resource_changes or planned_values"},
		{"future format", `{"format_version": "2.0", "resource_changes": []}`, false, `format_version "2.0" is not supported`},
		{"format 0.3 was never released", `{"format_version": "0.3", "resource_changes": []}`, false, `format_version "0.3" is not supported: rectify reads 0.1 (Terraform 0.12 to 1.0.0), 0.2 (1.0.1 to 1.0.11) and 1.x`},
		{"UTF-16 of odd length", "\xff\xfe{\x00\"", true, "UTF-16 text (it starts with a byte order mark) of an odd length, 5 bytes"},
		{"invalid JSON", "{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [,]\n}", false, "invalid JSON at line 3, column 24"},
		{"wrong field type", `{"format_version": "1.2", "resource_changes": {"a": 1}}`, true, "field resource_changes is a JSON object"},
		{"change without address", `{"format_version": "1.2", "resource_changes": [{"type": "aws_s3_bucket"}]}`, false, "resource_changes[0]: address and type are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := plan.Parse(strings.NewReader(tt.input))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if errors.Is(err, plan.ErrNotPlan) != tt.notPlan {
				t.Errorf("errors.Is(err, ErrNotPlan) = %v, want %v", !tt.notPlan, tt.notPlan)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name  string
		input string
		n     int
	}{
		// Terraform omits resource_changes when nothing changes.
		{"empty plan", `{"format_version": "1.2", "terraform_version": "1.11.4", "planned_values": {"root_module": {}}}`, 0},
		{"format 0.1", `{"format_version": "0.1", "resource_changes": []}`, 0},
		{"format 0.2", `{"format_version": "0.2", "planned_values": {"root_module": {}}}`, 0},
		{"format 1.9 (a later minor adds only what readers may ignore)", `{"format_version": "1.9", "resource_changes": []}`, 0},
		{"UTF-8 byte order mark", "\xef\xbb\xbf" + `{"format_version": "1.2", "resource_changes": []}`, 0},
		{"UTF-16BE with a byte order mark", utf16BE(`{"format_version": "1.2", "resource_changes": [{"address": "aws_s3_bucket.a", "mode": "managed", "type": "aws_s3_bucket", "name": "a",
			"change": {"actions": ["create"], "before": null, "after": {"bucket": "é"}, "after_unknown": {}}}]}`), 1},
		{"one change", `{"format_version": "1.0", "resource_changes": [{"address": "aws_s3_bucket.a", "mode": "managed", "type": "aws_s3_bucket", "name": "a",
			"change": {"actions": ["create"], "before": null, "after": {"bucket": "a"}, "after_unknown": {}}}]}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := plan.Parse(strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			rs, err := plan.Resources(p, service.Plan)
			if err != nil || len(rs) != tt.n {
				t.Fatalf("Resources = %d documents, %v; want %d", len(rs), err, tt.n)
			}
		})
	}
}

func TestResourcesErrors(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{
			name: "bucket policy that is not JSON",
			input: `{"format_version": "1.2", "resource_changes": [{"address": "aws_s3_bucket_policy.p", "mode": "managed", "type": "aws_s3_bucket_policy", "name": "p",
				"change": {"actions": ["create"], "after": {"bucket": "b", "policy": "{not json"}, "after_unknown": {}}}]}`,
			want: "plan aws_s3_bucket_policy.p: policy: policy document is not a JSON object",
		},
		{
			name: "after missing on a create",
			input: `{"format_version": "1.2", "resource_changes": [{"address": "aws_kms_key.k", "mode": "managed", "type": "aws_kms_key", "name": "k",
				"change": {"actions": ["create"], "after": null, "after_unknown": {}}}]}`,
			want: "plan aws_kms_key.k: change.after is <nil>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := plan.Parse(strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			_, err = plan.Resources(p, service.Plan)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestTypes(t *testing.T) {
	want := []string{
		"aws_cloudtrail", "aws_db_instance", "aws_db_snapshot", "aws_ebs_encryption_by_default", "aws_ecr_repository", "aws_guardduty_detector", "aws_iam_account_password_policy",
		"aws_iam_group", "aws_iam_role", "aws_iam_user", "aws_instance", "aws_kms_key", "aws_lambda_function", "aws_rds_cluster", "aws_s3_bucket", "aws_security_group", "aws_sns_topic",
		"aws_sqs_queue", "aws_subnet", "aws_vpc",
	}
	if got := service.Plan.Types(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Types() = %v, want %v", got, want)
	}
}

// utf16BE encodes s as PowerShell and other Windows tools may: UTF-16,
// big-endian here, after a byte order mark.
func utf16BE(s string) string {
	out := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return string(out)
}

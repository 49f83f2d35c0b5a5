package plan_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/internal/service"
)

// TestFormatVersions reads a real plan of every format_version Terraform
// has written since 0.12 (testdata/formats/README.md says where each came
// from) and pins what the normalizer makes of it.
func TestFormatVersions(t *testing.T) {
	tests := []struct {
		file               string
		format, terraform  string
		addresses          []string
		checkAddr, checkIn string // a property of one document, as JSON text
	}{
		{
			file: "formats/0.1_terraform-0.12.23.json", format: "0.1", terraform: "0.12.23",
			addresses: []string{
				"aws_db_instance.default", "aws_ecr_repository.repository", "aws_iam_role.ec2role", "aws_iam_role.iam_for_eks", "aws_iam_role.iam_for_lambda",
				"aws_iam_user.user", "aws_instance.db_app", "aws_instance.web_host", "aws_kms_key.logs_key", "aws_lambda_function.analysis_lambda", "aws_s3_bucket.data", "aws_s3_bucket.data_science",
				"aws_s3_bucket.financials", "aws_s3_bucket.flowbucket", "aws_s3_bucket.logs", "aws_s3_bucket.operations",
				"aws_security_group.default", "aws_security_group.web-node",
				"aws_subnet.eks_subnet1", "aws_subnet.eks_subnet2", "aws_subnet.web_subnet", "aws_subnet.web_subnet2",
				"aws_vpc.eks_vpc", "aws_vpc.web_vpc",
			},
			// Inline ingress blocks of a 0.12 plan, with after_unknown in
			// its all-false-leaves form.
			checkAddr: "aws_security_group.web-node",
			checkIn:   `{"cidr_ipv4":"0.0.0.0/0","from_port":22,"protocol":"tcp","to_port":22}`,
		},
		{
			file: "formats/0.2_terraform-1.0.7.json", format: "0.2", terraform: "1.0.7",
			addresses: []string{"module.s3-bucket.aws_s3_bucket.this[0]"},
			// The public access block of the child module joined into its
			// bucket through a 0.2 configuration reference.
			checkAddr: "module.s3-bucket.aws_s3_bucket.this[0]",
			checkIn:   `"public_access_block":{"block_public_acls":true,"block_public_policy":true,"ignore_public_acls":true,"restrict_public_buckets":true}`,
		},
		{
			file: "formats/0.2_terraform-1.0.5_utf16le-bom.json", format: "0.2", terraform: "1.0.5",
			addresses: []string{"aws_iam_role_policy.fail_1", "aws_s3_bucket.s3-bucket"},
			checkAddr: "aws_iam_role_policy.fail_1",
			checkIn:   `"Action":["*"]`,
		},
		{
			file: "formats/1.0_terraform-1.1.5.json", format: "1.0", terraform: "1.1.5",
			addresses: []string{"aws_iam_group.fail_2", "aws_iam_role.example", "aws_iam_user.fail_3"},
			checkAddr: "aws_iam_user.fail_3",
			checkIn:   `"inline_policies":[{"document":{"Statement":[{"Action":["iam:*"],"Effect":"Allow","Resource":["*"]}],"Version":"2012-10-17"},"name":"example"}]`,
		},
		{
			file: "formats/1.1_terraform-1.2.7.json", format: "1.1", terraform: "1.2.7",
			addresses: []string{
				"aws_s3_bucket.example", "aws_s3_bucket.example_2",
				"module.s3_module.module.inner_s3_module.aws_s3_bucket_public_access_block.var_bucket",
				"module.s3_module_2.module.inner_s3_module.aws_s3_bucket_public_access_block.var_bucket",
			},
			checkAddr: "aws_s3_bucket.example_2",
			checkIn:   `"bucket":"example_2"`,
		},
		{
			file: "plans/joins.json", format: "1.2", terraform: "1.11.4",
			addresses: []string{
				"aws_iam_role_policy_attachment.legacy_admin", `aws_s3_bucket.regional["eu"]`, `aws_s3_bucket.regional["us"]`,
				"aws_s3_bucket.scratch[0]", "aws_s3_bucket.scratch[1]", "aws_s3_bucket_policy.legacy",
				"aws_vpc_security_group_ingress_rule.legacy_rdp",
			},
			checkAddr: "aws_vpc_security_group_ingress_rule.legacy_rdp",
			checkIn:   `"from_port":3389`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.format+"/"+tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.ParseBytes(data)
			if err != nil {
				t.Fatalf("ParseBytes: %v", err)
			}
			if p.FormatVersion != tt.format || p.TerraformVersion != tt.terraform {
				t.Errorf("format %s, Terraform %s; want %s, %s", p.FormatVersion, p.TerraformVersion, tt.format, tt.terraform)
			}
			docs := resourcesOf(t, "testdata/"+tt.file)
			var got []string
			for a := range docs {
				got = append(got, a)
			}
			slices.Sort(got)
			if !reflect.DeepEqual(got, tt.addresses) {
				t.Errorf("documents %q\nwant      %q", got, tt.addresses)
			}
			doc, ok := docs[tt.checkAddr]
			if !ok {
				t.Fatalf("no document for %s", tt.checkAddr)
			}
			if props := compactJSON(t, doc.Properties); !strings.Contains(props, tt.checkIn) {
				t.Errorf("%s properties %s\nwant them to hold %s", tt.checkAddr, props, tt.checkIn)
			}
		})
	}
}

// Terraform before 1.3 left wholly unknown elements of sets and tuples out
// of change.after but kept their marks in after_unknown (terraform#31236).
// The known elements must still be read, and nothing unknown taken as known.
func TestSetWithUnknownElementsBefore13(t *testing.T) {
	mk := func(after, unknown string) string {
		return `{"format_version": "1.1", "terraform_version": "1.2.9", "resource_changes": [{"address": "aws_security_group.g", "mode": "managed",
			"type": "aws_security_group", "name": "g", "change": {"actions": ["create"], "before": null,
			"after": {"name": "g", "ingress": ` + after + `}, "after_unknown": {"id": true, "ingress": ` + unknown + `}}}]}`
	}
	rule := func(port, cidr string) string {
		return `{"from_port": ` + port + `, "to_port": ` + port + `, "protocol": "tcp", "cidr_blocks": ["` + cidr + `"], "ipv6_cidr_blocks": [], "security_groups": [], "self": false, "prefix_list_ids": [], "description": ""}`
	}
	known := `{"cidr_blocks": [false], "ipv6_cidr_blocks": false, "security_groups": false, "prefix_list_ids": false}`
	tests := []struct {
		name, after, unknown string
		want                 []string // from_port/cidr of each ingress rule read
	}{
		// A rule whose every attribute is unknown (dynamic block over an
		// unknown list) was left out; its mark came first.
		{"unknown element first, left out", `[` + rule("22", "0.0.0.0/0") + `]`, `[true, ` + known + `]`, []string{"22 0.0.0.0/0"}},
		{"unknown element in the middle", `[` + rule("22", "0.0.0.0/0") + `, ` + rule("443", "10.0.0.0/8") + `]`,
			`[` + known + `, true, ` + known + `]`, []string{"22 0.0.0.0/0", "443 10.0.0.0/8"}},
		// Terraform 1.3 and later: the element stays, as null.
		{"1.3 and later: null in place", `[null, ` + rule("22", "0.0.0.0/0") + `]`, `[true, ` + known + `]`, []string{"22 0.0.0.0/0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := plan.ParseBytes([]byte(mk(tt.after, tt.unknown)))
			if err != nil {
				t.Fatal(err)
			}
			rs, err := plan.Resources(p, service.Plan)
			if err != nil || len(rs) != 1 {
				t.Fatalf("Resources = %v, %v", rs, err)
			}
			var doc struct {
				Ingress []struct {
					FromPort int    `json:"from_port"`
					CIDR     string `json:"cidr_ipv4"`
				} `json:"ingress"`
			}
			if err := json.Unmarshal([]byte(compactJSON(t, rs[0].Properties)), &doc); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range doc.Ingress {
				got = append(got, fmt.Sprintf("%d %s", r.FromPort, r.CIDR))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ingress read %q, want %q (document %s)", got, tt.want, compactJSON(t, rs[0].Properties))
			}
		})
	}
}

// compactJSON renders v as compact JSON with sorted keys.
func compactJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

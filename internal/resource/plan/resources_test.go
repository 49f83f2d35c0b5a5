package plan_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rectifyhq/rectify/internal/service/ec2"
	"github.com/rectifyhq/rectify/internal/service/iam"
	"github.com/rectifyhq/rectify/internal/service/kms"
	"github.com/rectifyhq/rectify/internal/service/rds"
	"github.com/rectifyhq/rectify/internal/service/s3"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/internal/service"
)

func resourcesOf(t *testing.T, path string) map[string]resource.Resource {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := plan.Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	rs, err := plan.Resources(p, service.Plan)
	if err != nil {
		t.Fatalf("Resources(%s): %v", path, err)
	}
	out := map[string]resource.Resource{}
	for i, r := range rs {
		if r.Address == nil || r.Plane != resource.PlanePlan {
			t.Fatalf("%s: document %d has address %v, plane %q", path, i, r.Address, r.Plane)
		}
		if i > 0 && *rs[i-1].Address >= *r.Address {
			t.Fatalf("%s: documents not sorted by address: %s before %s", path, *rs[i-1].Address, *r.Address)
		}
		out[*r.Address] = r
	}
	return out
}

// TestResources pins whole property documents for plans of each provider
// style. Fixtures are real `terraform show -json` output (testdata/tf,
// provider 5.100.0) except plans/v3_provider.json, written in the shape of
// provider v3 output (no tags_all, no security_group_rule_id, no KMS key
// store attributes).
func TestResources(t *testing.T) {
	pab := func(acls, ignore, policy, restrict bool) map[string]any {
		return map[string]any{"block_public_acls": acls, "ignore_public_acls": ignore, "block_public_policy": policy, "restrict_public_buckets": restrict}
	}
	allBlocked := pab(true, true, true, true)
	sseS3 := map[string]any{"sse_algorithm": "AES256"}
	tcp := func(from, to int, peer, value string) map[string]any {
		r := map[string]any{"protocol": "tcp", "from_port": from, "to_port": to}
		if peer != "" {
			r[peer] = value
		}
		return r
	}
	all := func(peer, value string) map[string]any {
		r := map[string]any{"protocol": "-1", "from_port": 0, "to_port": 65535}
		if peer != "" {
			r[peer] = value
		}
		return r
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}

	tests := []struct {
		name    string
		fixture string
		// addresses lists every document the plan yields.
		addresses []string
		// want pins some documents whole: type and properties.
		want map[string]resource.Resource
	}{
		{
			name:      "v3 style: inline blocks on a new group",
			fixture:   "pairs/aws.ec2.sg_public_admin_ports/violating/plan.json",
			addresses: []string{"aws_security_group.bastion"},
			want: map[string]resource.Resource{"aws_security_group.bastion": {
				Type: ec2.TypeSecurityGroup, Name: "bastion", Region: "us-east-1",
				Tags: map[string]string{"Name": "bastion", "team": "platform"},
				Properties: map[string]any{
					"group_name": "bastion", "description": "SSH from anywhere", "vpc_id": "vpc-0a1b2c3d",
					"ingress": []any{
						with(tcp(22, 22, "cidr_ipv4", "0.0.0.0/0"), "description", "ssh"),
						tcp(443, 443, "cidr_ipv4", "0.0.0.0/0"),
						tcp(443, 443, "cidr_ipv6", "::/0"),
					},
					"egress": []any{all("cidr_ipv4", "0.0.0.0/0")},
				},
			}},
		},
		{
			name:      "v5 style: rule resources joined through references",
			fixture:   "pairs/aws.ec2.sg_public_admin_ports/compliant/plan.json",
			addresses: []string{"aws_security_group.web"},
			want: map[string]resource.Resource{"aws_security_group.web": {
				Type: ec2.TypeSecurityGroup, Name: "web", Region: "us-east-1", Tags: map[string]string{},
				Properties: map[string]any{
					"group_name": "web", "description": "web tier", "vpc_id": "vpc-0a1b2c3d",
					"ingress": []any{
						with(tcp(22, 22, "cidr_ipv4", "10.20.0.0/16"), "description", "ssh from the VPN"),
						tcp(443, 443, "cidr_ipv4", "0.0.0.0/0"),
					},
					// null ports on the vpc rule resource span every port
					"egress": []any{all("cidr_ipv4", "0.0.0.0/0")},
				},
			}},
		},
		{
			name:      "v4 style in a child module; a peer group unknown at plan time",
			fixture:   "pairs/aws.ec2.sg_public_data_ports/violating/plan.json",
			addresses: []string{"module.db.aws_security_group.db"},
			want: map[string]resource.Resource{"module.db.aws_security_group.db": {
				Type: ec2.TypeSecurityGroup, Name: "orders-db", Region: "us-east-1", Tags: map[string]string{},
				Properties: map[string]any{
					"group_name": "orders-db", "description": "Managed by Terraform", "vpc_id": "vpc-0a1b2c3d",
					"ingress": []any{tcp(5432, 5432, "cidr_ipv4", "0.0.0.0/0"), tcp(6379, 6379, "cidr_ipv6", "::/0")},
					"egress":  []any{},
				},
			}},
		},
		{
			name:      "source group unknown: the rule stays, its peer absent",
			fixture:   "pairs/aws.ec2.sg_public_data_ports/compliant/plan.json",
			addresses: []string{"aws_security_group.app", "aws_security_group.db"},
			want: map[string]resource.Resource{"aws_security_group.db": {
				Type: ec2.TypeSecurityGroup, Name: "orders-db", Region: "us-east-1", Tags: map[string]string{},
				Properties: map[string]any{
					"group_name": "orders-db", "description": "Managed by Terraform", "vpc_id": "vpc-0a1b2c3d",
					"ingress": []any{tcp(5432, 5432, "", ""), tcp(5432, 5432, "cidr_ipv4", "10.0.0.0/8")},
					"egress":  []any{},
				},
			}},
		},
		{
			name:      "aws_default_security_group is the group named default",
			fixture:   "pairs/aws.ec2.default_sg_allows_traffic/violating/plan.json",
			addresses: []string{"aws_default_security_group.default"},
			want: map[string]resource.Resource{"aws_default_security_group.default": {
				Type: ec2.TypeSecurityGroup, Name: "default", Region: "us-east-1", Tags: map[string]string{},
				Properties: map[string]any{
					"group_name": "default", "vpc_id": "vpc-0a1b2c3d",
					"ingress": []any{all("", "")}, // self: the group's own id is unknown
					"egress":  []any{all("cidr_ipv4", "0.0.0.0/0")},
				},
			}},
		},
		{
			name:      "v4 style bucket: public access block joined, S3 defaults for a new bucket",
			fixture:   "pairs/aws.s3.public_access_block/violating/plan.json",
			addresses: []string{"aws_s3_bucket.assets"},
			want: map[string]resource.Resource{"aws_s3_bucket.assets": {
				Type: s3.TypeBucket, ID: "acme-assets", ARN: "arn:aws:s3:::acme-assets", Name: "acme-assets", Region: "us-east-1", Tags: map[string]string{},
				Properties: map[string]any{
					"bucket": "acme-assets", "public_access_block": pab(true, true, false, false),
					"encryption": sseS3, "policy": nil, "logging": nil,
				},
			}},
		},
		{
			name:      "v3 style bucket policy, with aws_iam_policy_document output",
			fixture:   "pairs/aws.s3.bucket_policy_public/violating/plan.json",
			addresses: []string{"aws_s3_bucket.site"},
			want: map[string]resource.Resource{"aws_s3_bucket.site": {
				Type: s3.TypeBucket, ID: "acme-site", ARN: "arn:aws:s3:::acme-site", Name: "acme-site", Region: "us-east-1", Tags: map[string]string{},
				Properties: map[string]any{
					"bucket": "acme-site", "public_access_block": pab(true, true, false, false), "encryption": sseS3, "logging": nil,
					"policy": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
						"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
						"Action": []any{"s3:GetObject"}, "Resource": []any{"arn:aws:s3:::acme-site/*"},
					}}},
				},
			}},
		},
		{
			name:      "v3 style KMS encryption with a key created in the same plan",
			fixture:   "pairs/aws.s3.sensitive_kms_encryption/compliant/plan.json",
			addresses: []string{"aws_kms_key.payroll", "aws_s3_bucket.payroll"},
			want: map[string]resource.Resource{
				"aws_s3_bucket.payroll": {
					Type: s3.TypeBucket, ID: "acme-payroll", ARN: "arn:aws:s3:::acme-payroll", Name: "acme-payroll", Region: "us-east-1",
					Tags: map[string]string{"data-classification": "Restricted"},
					Properties: map[string]any{
						"bucket": "acme-payroll", "public_access_block": allBlocked, "policy": nil, "logging": nil,
						"encryption": map[string]any{"sse_algorithm": "aws:kms"}, // the key ARN is unknown
					},
				},
				"aws_kms_key.payroll": {
					Type: kms.TypeKey, Region: "us-east-1", Tags: map[string]string{},
					Properties: map[string]any{
						"key_manager": "CUSTOMER", "key_spec": "SYMMETRIC_DEFAULT", "key_usage": "ENCRYPT_DECRYPT",
						"origin": "AWS_KMS", "enabled": true, "key_rotation_enabled": true,
					},
				},
			},
		},
		{
			name:      "IAM: attachments and inline policies, role name unknown",
			fixture:   "pairs/aws.iam.admin_access/compliant/plan.json",
			addresses: []string{"aws_iam_group.auditors", "aws_iam_role.reader"},
			want: map[string]resource.Resource{"aws_iam_role.reader": {
				Type: iam.TypeRole, Region: "us-east-1", Tags: map[string]string{},
				Properties: map[string]any{
					"path":                 "/",
					"attached_policy_arns": []any{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
					"inline_policies": []any{map[string]any{"name": "s3-everything-on-one-bucket", "document": map[string]any{
						"Version": "2012-10-17", "Statement": []any{map[string]any{
							"Effect": "Allow", "Action": []any{"s3:*"}, "Resource": []any{"arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"},
						}},
					}}},
				},
			}},
		},
		{
			name:      "no-op parents, deleted children",
			fixture:   "plans/v5_existing.json",
			addresses: []string{"aws_s3_bucket.logs", "aws_security_group.web"},
			want: map[string]resource.Resource{
				"aws_security_group.web": {
					Type: ec2.TypeSecurityGroup, ID: "sg-0123456789abcdef0", Name: "web",
					ARN:     "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0",
					Account: "123456789012", Region: "us-east-1",
					Tags: map[string]string{"rectify:exempt": "aws.ec2.default_sg_allows_traffic"},
					Properties: map[string]any{
						"group_id": "sg-0123456789abcdef0", "group_name": "web", "description": "web tier", "vpc_id": "vpc-0a1b2c3d",
						// the SSH rule's resource is deleted; the HTTPS rule keeps its id
						"ingress": []any{with(tcp(443, 443, "cidr_ipv4", "0.0.0.0/0"), "rule_id", "sgr-0aaaaaaaaaaaaaaa1")},
						"egress":  []any{},
					},
				},
				"aws_s3_bucket.logs": {
					Type: s3.TypeBucket, ID: "acme-logs", ARN: "arn:aws:s3:::acme-logs", Name: "acme-logs", Region: "us-east-1", Tags: map[string]string{},
					Properties: map[string]any{
						"bucket": "acme-logs", "public_access_block": allBlocked, "encryption": sseS3,
						"policy":  nil, // its aws_s3_bucket_policy is being deleted
						"logging": nil,
					},
				},
			},
		},
		{
			name:    "for_each and count parents, parents outside the plan",
			fixture: "plans/joins.json",
			addresses: []string{
				"aws_iam_role_policy_attachment.legacy_admin",
				`aws_s3_bucket.regional["eu"]`, `aws_s3_bucket.regional["us"]`,
				"aws_s3_bucket.scratch[0]", "aws_s3_bucket.scratch[1]",
				"aws_s3_bucket_policy.legacy",
				"aws_vpc_security_group_ingress_rule.legacy_rdp",
			},
			want: map[string]resource.Resource{
				`aws_s3_bucket.regional["eu"]`: {
					Type: s3.TypeBucket, ID: "acme-regional-eu", ARN: "arn:aws:s3:::acme-regional-eu", Name: "acme-regional-eu", Region: "us-east-1", Tags: map[string]string{},
					Properties: map[string]any{"bucket": "acme-regional-eu", "public_access_block": pab(true, true, false, true), "encryption": sseS3, "policy": nil, "logging": nil},
				},
				"aws_s3_bucket.scratch[1]": {
					Type: s3.TypeBucket, Region: "us-east-1", Tags: map[string]string{},
					// name from bucket_prefix and a policy naming the bucket's ARN: both unknown
					Properties: map[string]any{"public_access_block": allBlocked, "encryption": sseS3, "logging": nil},
				},
				"aws_vpc_security_group_ingress_rule.legacy_rdp": {
					Type: ec2.TypeSecurityGroup, ID: "sg-0feedfacecafe0001", Region: "us-east-1", Tags: map[string]string{},
					Properties: map[string]any{"group_id": "sg-0feedfacecafe0001", "ingress": []any{tcp(3389, 3389, "cidr_ipv4", "0.0.0.0/0")}},
				},
				"aws_iam_role_policy_attachment.legacy_admin": {
					Type: iam.TypeRole, ID: "legacy-admin", Name: "legacy-admin", Region: "us-east-1", Tags: map[string]string{},
					Properties: map[string]any{"name": "legacy-admin", "attached_policy_arns": []any{"arn:aws:iam::aws:policy/AdministratorAccess"}, "inline_policies": []any{}},
				},
			},
		},
		{
			name:      "provider v3 output: updates, numeric protocols, deletes and data sources",
			fixture:   "plans/v3_provider.json",
			addresses: []string{"aws_kms_key.archive", "aws_s3_bucket.archive", "aws_security_group.legacy"},
			want: map[string]resource.Resource{
				"aws_security_group.legacy": {
					Type: ec2.TypeSecurityGroup, ID: "sg-0legacy000000001", Name: "legacy",
					ARN: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0legacy000000001", Account: "123456789012", Region: "eu-west-1",
					Tags: map[string]string{"env": "prod"},
					Properties: map[string]any{
						"group_id": "sg-0legacy000000001", "group_name": "legacy", "description": "legacy", "vpc_id": "vpc-0legacy",
						"ingress": []any{tcp(22, 22, "cidr_ipv4", "0.0.0.0/0"), with(tcp(3306, 3306, "cidr_ipv4", "0.0.0.0/0"), "description", "mysql")},
						"egress":  []any{},
					},
				},
				"aws_s3_bucket.archive": {
					Type: s3.TypeBucket, ID: "acme-archive", ARN: "arn:aws:s3:::acme-archive", Name: "acme-archive", Region: "eu-west-1",
					Tags:       map[string]string{"data-classification": "sensitive"},
					Properties: map[string]any{"bucket": "acme-archive", "public_access_block": allBlocked, "encryption": sseS3, "policy": nil, "logging": nil},
				},
				"aws_kms_key.archive": {
					Type: kms.TypeKey, ID: "11111111-2222-3333-4444-555555555555", Name: "11111111-2222-3333-4444-555555555555",
					ARN: "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555", Account: "123456789012", Region: "eu-west-1",
					Tags: map[string]string{},
					Properties: map[string]any{
						"key_id": "11111111-2222-3333-4444-555555555555", "key_manager": "CUSTOMER", "key_spec": "SYMMETRIC_DEFAULT",
						"key_usage": "ENCRYPT_DECRYPT", "origin": "AWS_KMS", "enabled": true, "key_rotation_enabled": false,
					},
				},
			},
		},
		{
			name:      "standalone types",
			fixture:   "pairs/aws.rds.public_instance/violating/plan.json",
			addresses: []string{"aws_db_instance.orders"},
			want: map[string]resource.Resource{"aws_db_instance.orders": {
				Type: rds.TypeInstance, ID: "orders", Name: "orders", Region: "us-east-1", Tags: map[string]string{},
				Properties: map[string]any{"identifier": "orders", "engine": "postgres", "publicly_accessible": true,
					"deletion_protection": false, "auto_minor_version_upgrade": true, "copy_tags_to_snapshot": false},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resourcesOf(t, filepath.Join("testdata", tt.fixture))
			if addrs := sortedKeys(got); !reflect.DeepEqual(addrs, tt.addresses) {
				t.Errorf("addresses = %q\nwant        %q", addrs, tt.addresses)
			}
			for addr, want := range tt.want {
				g, ok := got[addr]
				if !ok {
					t.Errorf("%s: no document", addr)
					continue
				}
				a := addr
				want.Address, want.Plane = &a, resource.PlanePlan
				if !reflect.DeepEqual(g, want) {
					t.Errorf("%s:\n got  %s\n want %s", addr, mustJSON(g), mustJSON(want))
				}
				// Documents cross activity boundaries as JSON.
				if _, err := json.Marshal(g); err != nil {
					t.Errorf("%s: marshal: %v", addr, err)
				}
			}
		})
	}
}

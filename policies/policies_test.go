package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rectifyhq/rectify/internal/service/ec2"
	"github.com/rectifyhq/rectify/internal/service/iam"
	"github.com/rectifyhq/rectify/internal/service/s3"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown/print"

	"github.com/rectifyhq/rectify/internal/resource"
)

const (
	account = "123456789012"
	region  = "us-east-1"
)

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func mustLoad(t testing.TB, opts ...Option) *Set {
	t.Helper()
	s, err := Load(append([]Option{WithLogger(quietLogger())}, opts...)...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

// writePolicies writes name → Rego text under a fresh directory.
func writePolicies(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// userPolicy renders a policy package with valid METADATA unless the caller
// overrides a custom field ("" drops it).
func userPolicy(pkg, id string, custom map[string]string, body string) string {
	fields := map[string]string{
		"id":             id,
		"severity":       "LOW",
		"resource_types": "[aws_s3_bucket]",
		"remediation":    "none",
		"controls":       "[]",
		"default_mode":   "notify",
	}
	for k, v := range custom {
		fields[k] = v
	}
	var b strings.Builder
	b.WriteString("# METADATA\n# title: Test policy\n# description: A policy written by a test.\n# custom:\n")
	for _, k := range []string{"id", "severity", "resource_types", "remediation", "controls", "default_mode", "planes"} {
		if fields[k] != "" {
			b.WriteString("#   " + k + ": " + fields[k] + "\n")
		}
	}
	b.WriteString("package " + pkg + "\n\n" + body + "\n")
	return b.String()
}

func securityGroup(rules ...ec2types.SecurityGroupRule) resource.Resource {
	sg := ec2types.SecurityGroup{
		GroupId:   aws.String("sg-0abc"),
		GroupName: aws.String("web"),
		VpcId:     aws.String("vpc-1"),
	}
	return ec2.SecurityGroupResource(account, region, sg, rules)
}

func ingress(id, proto string, from, to int32, cidr string) ec2types.SecurityGroupRule {
	r := ec2types.SecurityGroupRule{
		SecurityGroupRuleId: aws.String(id),
		GroupId:             aws.String("sg-0abc"),
		IsEgress:            aws.Bool(false),
		IpProtocol:          aws.String(proto),
		FromPort:            aws.Int32(from),
		ToPort:              aws.Int32(to),
	}
	if strings.Contains(cidr, ":") {
		r.CidrIpv6 = aws.String(cidr)
	} else {
		r.CidrIpv4 = aws.String(cidr)
	}
	return r
}

func bucket(pab *s3types.PublicAccessBlockConfiguration) resource.Resource {
	return s3.BucketResource(account, region, s3.BucketState{Name: "logs", PublicAccessBlock: pab})
}

func fullBlock() *s3types.PublicAccessBlockConfiguration {
	return &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
		BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
	}
}

func TestLoadMetadata(t *testing.T) {
	s := mustLoad(t)
	got := s.Policies()
	if len(got) < 2 {
		t.Fatalf("Policies() = %d, want the built-in set", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i-1].ID >= got[i].ID {
			t.Errorf("Policies() not sorted by ID: %s before %s", got[i-1].ID, got[i].ID)
		}
	}

	// These values live in the Rego METADATA; the test pins that Go reads
	// them, and is the only place they are repeated.
	tests := []struct {
		id   string
		want Metadata
	}{
		{"aws.ec2.sg_public_admin_ports", Metadata{
			ID: "aws.ec2.sg_public_admin_ports", Severity: "HIGH",
			ResourceTypes: []string{ec2.TypeSecurityGroup}, Remediation: "ec2_revoke_ingress",
			Controls:    []string{"CIS AWS 5.2", "CIS AWS 5.3", "AWS FSBP EC2.13", "AWS FSBP EC2.14", "AWS FSBP EC2.53", "AWS FSBP EC2.54"},
			DefaultMode: "enforce", Package: "rectify.aws.ec2.sg_public_admin_ports",
			File: "policies/aws/ec2/sg_public_admin_ports/policy.rego",
		}},
		{"aws.s3.public_access_block", Metadata{
			ID: "aws.s3.public_access_block", Severity: "HIGH",
			ResourceTypes: []string{s3.TypeBucket}, Remediation: "s3_block_public_access",
			Controls:    []string{"CIS AWS 2.1.4", "AWS FSBP S3.1", "AWS FSBP S3.8"},
			DefaultMode: "enforce", Package: "rectify.aws.s3.public_access_block",
			File: "policies/aws/s3/public_access_block/policy.rego",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			m, ok := s.Policy(tt.id)
			if !ok {
				t.Fatalf("Policy(%q) not found", tt.id)
			}
			if m.Title == "" || m.Description == "" {
				t.Errorf("title or description empty: %+v", m)
			}
			m.Title, m.Description = "", ""
			if !reflect.DeepEqual(m, tt.want) {
				t.Errorf("Policy(%q) =\n%+v\nwant\n%+v", tt.id, m, tt.want)
			}
		})
	}

	// Metadata is returned by value: callers cannot corrupt the Set.
	m, _ := s.Policy("aws.s3.public_access_block")
	m.Controls[0] = "changed"
	if again, _ := s.Policy("aws.s3.public_access_block"); again.Controls[0] == "changed" {
		t.Error("Policy() shares its Controls slice with the Set")
	}
}

func TestEvaluate(t *testing.T) {
	s := mustLoad(t)
	sgARN := ec2.SecurityGroupARN(account, region, "sg-0abc")

	tests := []struct {
		name     string
		in       resource.Resource
		want     []string // policy IDs, in order
		wantARN  string
		checkOne func(t *testing.T, v Violation)
	}{
		{
			name:    "ssh and rdp open to the world",
			in:      securityGroup(ingress("sgr-2", "tcp", 3389, 3389, "::/0"), ingress("sgr-1", "6", 22, 22, "0.0.0.0/0"), ingress("sgr-3", "tcp", 443, 443, "0.0.0.0/0")),
			want:    []string{"aws.ec2.sg_public_admin_ports"},
			wantARN: sgARN,
			checkOne: func(t *testing.T, v Violation) {
				ids, _ := v.Params["rule_ids"].([]any)
				if !reflect.DeepEqual(ids, []any{"sgr-1", "sgr-2"}) {
					t.Errorf("rule_ids = %v, want [sgr-1 sgr-2]", v.Params["rule_ids"])
				}
				if rules, _ := v.Params["rules"].([]any); len(rules) != 2 {
					t.Errorf("rules = %v, want the 2 offending rules", v.Params["rules"])
				}
				if v.Severity != "HIGH" || v.Remediation != "ec2_revoke_ingress" || len(v.Controls) == 0 || v.Title == "" {
					t.Errorf("metadata not copied into violation: %+v", v)
				}
				if !strings.Contains(v.Message, "sg-0abc") {
					t.Errorf("message %q does not name the group", v.Message)
				}
			},
		},
		{
			name: "all traffic from a non-canonical /0",
			in:   securityGroup(ingress("sgr-9", "-1", -1, -1, "10.1.2.3/0")),
			// All traffic reaches the data ports as well as SSH and RDP.
			want:    []string{"aws.ec2.sg_public_admin_ports", "aws.ec2.sg_public_data_ports"},
			wantARN: sgARN,
		},
		{
			name: "rules derived from IpPermissions have no ids but still deny",
			in: ec2.SecurityGroupPermissions(account, region, ec2types.SecurityGroup{
				GroupId: aws.String("sg-0abc"),
				IpPermissions: []ec2types.IpPermission{{
					IpProtocol: aws.String("tcp"), FromPort: aws.Int32(20), ToPort: aws.Int32(25),
					IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
				}},
			}),
			want:    []string{"aws.ec2.sg_public_admin_ports"},
			wantARN: sgARN,
			checkOne: func(t *testing.T, v Violation) {
				if ids, _ := v.Params["rule_ids"].([]any); len(ids) != 0 {
					t.Errorf("rule_ids = %v, want none", ids)
				}
			},
		},
		{
			name: "compliant security group",
			in:   securityGroup(ingress("sgr-1", "tcp", 22, 22, "10.0.0.0/8"), ingress("sgr-2", "tcp", 443, 443, "0.0.0.0/0")),
		},
		{
			name: "security group without rules",
			in:   securityGroup(),
		},
		{
			name:    "bucket without public access block",
			in:      bucket(nil),
			want:    []string{"aws.s3.public_access_block"},
			wantARN: "arn:aws:s3:::logs",
			checkOne: func(t *testing.T, v Violation) {
				want := map[string]any{"bucket": "logs", "missing_flags": []any{"block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"}}
				if !reflect.DeepEqual(v.Params, want) {
					t.Errorf("params = %v, want %v", v.Params, want)
				}
			},
		},
		{
			name: "bucket with one flag off",
			in: func() resource.Resource {
				pab := fullBlock()
				pab.RestrictPublicBuckets = aws.Bool(false)
				return bucket(pab)
			}(),
			want:    []string{"aws.s3.public_access_block"},
			wantARN: "arn:aws:s3:::logs",
			checkOne: func(t *testing.T, v Violation) {
				if got := v.Params["missing_flags"]; !reflect.DeepEqual(got, []any{"restrict_public_buckets"}) {
					t.Errorf("missing_flags = %v", got)
				}
			},
		},
		{
			name: "bucket with an unknown flag",
			in: func() resource.Resource {
				pab := fullBlock()
				pab.IgnorePublicAcls = nil
				return bucket(pab)
			}(),
		},
		{
			name: "bucket fully blocked",
			in:   bucket(fullBlock()),
		},
		{
			name: "type no policy judges",
			in:   resource.Resource{Type: iam.TypeRole, ARN: "arn:aws:iam::123456789012:role/x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Evaluate(context.Background(), tt.in)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			var ids []string
			for _, v := range got {
				ids = append(ids, v.PolicyID)
				if v.Revision != s.Revision() || v.ResourceARN != tt.wantARN || v.Message == "" {
					t.Errorf("violation %+v: want revision %s, arn %s and a message", v, s.Revision(), tt.wantARN)
				}
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Fatalf("policies denied = %v, want %v (violations %+v)", ids, tt.want, got)
			}
			if tt.checkOne != nil {
				tt.checkOne(t, got[0])
			}
		})
	}
}

func TestEvaluatePolicy(t *testing.T) {
	s := mustLoad(t)
	ctx := context.Background()
	open := securityGroup(ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0"))

	tests := []struct {
		name    string
		id      string
		in      resource.Resource
		want    int
		wantErr string
		is      error
	}{
		{name: "violating", id: "aws.ec2.sg_public_admin_ports", in: open, want: 1},
		{name: "fixed", id: "aws.ec2.sg_public_admin_ports", in: securityGroup()},
		{name: "unknown policy", id: "aws.nope", in: open, wantErr: "aws.nope", is: ErrUnknownPolicy},
		// A wrong type must not read as "passes": that would resolve the violation.
		{name: "wrong type", id: "aws.s3.public_access_block", in: open, wantErr: "not aws_security_group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.EvaluatePolicy(ctx, tt.id, tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Fatalf("err = %v, want errors.Is %v", err, tt.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("got %d violations, want %d: %+v", len(got), tt.want, got)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	const deny = `deny contains {"msg": "x", "params": {}} if input.resource.type == "aws_s3_bucket"`
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{
			name:  "deny without METADATA",
			files: map[string]string{"a/p.rego": "package user.a\n\n" + deny + "\n"},
			want:  []string{"a/p.rego", "user.a", "no package-scope # METADATA"},
		},
		{
			name:  "invalid severity and mode",
			files: map[string]string{"p.rego": userPolicy("user.b", "user.b", map[string]string{"severity": "SEVERE", "default_mode": "auto"}, deny)},
			want:  []string{"p.rego", `custom.severity "SEVERE"`, `custom.default_mode "auto"`},
		},
		{
			name:  "missing id and resource types",
			files: map[string]string{"p.rego": userPolicy("user.c", "", map[string]string{"resource_types": ""}, deny)},
			want:  []string{"p.rego", "custom.id is missing", "custom.resource_types is missing"},
		},
		{
			name:  "empty resource types",
			files: map[string]string{"p.rego": userPolicy("user.c", "user.c", map[string]string{"resource_types": "[]"}, deny)},
			want:  []string{"p.rego", "at least one Terraform type"},
		},
		{
			name:  "controls not a list",
			files: map[string]string{"p.rego": userPolicy("user.c", "user.c", map[string]string{"controls": "CIS 1.1"}, deny)},
			want:  []string{"p.rego", "custom.controls must be a YAML list"},
		},
		{
			name:  "planes neither plan nor live",
			files: map[string]string{"p.rego": userPolicy("user.c", "user.c", map[string]string{"planes": "[runtime]"}, deny)},
			want:  []string{"p.rego", `custom.planes: "runtime" must be plan or live`},
		},
		{
			name:  "planes empty",
			files: map[string]string{"p.rego": userPolicy("user.c", "user.c", map[string]string{"planes": "[]"}, deny)},
			want:  []string{"p.rego", "custom.planes must list plan, live or both"},
		},
		{
			name:  "bad id",
			files: map[string]string{"p.rego": userPolicy("user.d", "User D", nil, deny)},
			want:  []string{"p.rego", `custom.id "User D"`},
		},
		{
			name:  "duplicate of a built-in id",
			files: map[string]string{"p.rego": userPolicy("user.e", "aws.s3.public_access_block", nil, deny)},
			want:  []string{"p.rego", "already declared in policies/aws/s3/public_access_block/policy.rego"},
		},
		{
			name:  "deny is not a partial set",
			files: map[string]string{"p.rego": userPolicy("user.f", "user.f", nil, `deny := {"msg": "x"}`)},
			want:  []string{"p.rego", "deny must be a partial set"},
		},
		{
			name:  "metadata without deny",
			files: map[string]string{"p.rego": userPolicy("user.g", "user.g", nil, `allow := true`)},
			want:  []string{"p.rego", "defines no deny rule"},
		},
		{
			name: "two METADATA blocks in one package",
			files: map[string]string{
				"a.rego": userPolicy("user.h", "user.h", nil, deny),
				"b.rego": userPolicy("user.h", "user.h2", nil, `other := 1`),
			},
			want: []string{"b.rego", "keep exactly one"},
		},
		{
			name:  "parse error",
			files: map[string]string{"p.rego": "package user.i\n\ndeny contains x if {\n"},
			want:  []string{"p.rego", "load policy"},
		},
		{
			name:  "compile error",
			files: map[string]string{"p.rego": userPolicy("user.j", "user.j", nil, `deny contains {"msg": x} if x := undefined_function(1)`)},
			want:  []string{"p.rego", "compile policies", "undefined_function"},
		},
		{
			name:  "network built-in",
			files: map[string]string{"p.rego": userPolicy("user.k", "user.k", nil, `deny contains {"msg": "x"} if http.send({"method": "GET", "url": "http://x"}).status_code == 200`)},
			want:  []string{"p.rego", "http.send", "may not call network"},
		},
		{
			name:  "no rego files",
			files: map[string]string{"README.md": "nothing here"},
			want:  []string{"no .rego files found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writePolicies(t, tt.files)
			_, err := Load(WithLogger(quietLogger()), WithDir(dir))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			t.Logf("error: %v", err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not mention %q", err, w)
				}
			}
		})
	}

	t.Run("missing directory", func(t *testing.T) {
		_, err := Load(WithLogger(quietLogger()), WithDir(filepath.Join(t.TempDir(), "nope")))
		if err == nil || !strings.Contains(err.Error(), "nope") {
			t.Fatalf("err = %v, want it to name the directory", err)
		}
	})
}

func TestWithDir(t *testing.T) {
	dir := writePolicies(t, map[string]string{
		// A library: no deny, no METADATA, imported by the policy below.
		"lib/names.rego": "package user.lib\n\nprefix := \"tmp-\"\n",
		"tmp/policy.rego": userPolicy("user.tmp_bucket", "user.tmp_bucket", nil, `import data.user.lib

deny contains {"msg": sprintf("bucket %s is temporary", [input.resource.properties.bucket])} if {
	startswith(input.resource.properties.bucket, lib.prefix)
}`),
		// Test files are not part of the bundle even if they would not compile.
		"tmp/policy_test.rego": "package user.tmp_bucket_test\n\ntest_x if undefined_thing\n",
		"tmp/fixture.json":     `{"not": "rego"}`,
	})
	s := mustLoad(t, WithDir(dir))
	if _, ok := s.Policy("user.tmp_bucket"); !ok {
		t.Fatal("user policy not loaded")
	}
	r := s3.BucketResource(account, region, s3.BucketState{Name: "tmp-1", PublicAccessBlock: fullBlock()})
	got, err := s.Evaluate(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].PolicyID != "user.tmp_bucket" || got[0].Message != "bucket tmp-1 is temporary" {
		t.Fatalf("violations = %+v, want one from user.tmp_bucket", got)
	}
	// A deny without params gets an empty object, so remediations can index it.
	if got[0].Params == nil || len(got[0].Params) != 0 {
		t.Errorf("params = %#v, want an empty map", got[0].Params)
	}
}

func TestDenyContract(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"missing msg", `deny contains {"params": {}} if true`, "has no string msg"},
		{"msg not a string", `deny contains {"msg": 1} if true`, "has no string msg"},
		{"params not an object", `deny contains {"msg": "x", "params": [1]} if true`, "params of type []interface {}"},
		{"not an object", `deny contains "just a string" if true`, "want {\"msg\": string"},
		{"cannot_fix not a string", `deny contains {"msg": "x", "cannot_fix": true} if true`, "cannot_fix true, want a non-empty string"},
		{"cannot_fix empty", `deny contains {"msg": "x", "cannot_fix": ""} if true`, "want a non-empty string"},
		// A runtime error fails the one Eval that judges every policy of
		// the type; the per-policy fallback must still name the culprit.
		{"runtime error", "f(_) := 1\nf(_) := 2\ndeny contains {\"msg\": sprintf(\"%d\", [f(1)])} if true", "conflicting values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writePolicies(t, map[string]string{"p.rego": userPolicy("user.broken", "user.broken", nil, tt.body)})
			s := mustLoad(t, WithDir(dir))
			got, err := s.Evaluate(context.Background(), bucket(nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "user.broken") {
				t.Fatalf("err = %v, want it to name user.broken and say %q", err, tt.want)
			}
			// The broken policy does not hide the built-in verdict.
			if len(got) != 1 || got[0].PolicyID != "aws.s3.public_access_block" {
				t.Fatalf("violations = %+v, want the built-in one despite the error", got)
			}
		})
	}
}

func TestRevision(t *testing.T) {
	hex12 := regexp.MustCompile(`^[0-9a-f]{12}$`)
	a, b := mustLoad(t), mustLoad(t)
	if !hex12.MatchString(a.Revision()) {
		t.Fatalf("Revision() = %q, want 12 hex digits", a.Revision())
	}
	if a.Revision() != b.Revision() {
		t.Errorf("revision not stable: %s vs %s", a.Revision(), b.Revision())
	}

	files := map[string]string{"p.rego": userPolicy("user.r", "user.r", nil, `deny contains {"msg": "x"} if false`)}
	withUser := mustLoad(t, WithDir(writePolicies(t, files)))
	if withUser.Revision() == a.Revision() {
		t.Error("adding a policy did not change the revision")
	}
	// The same files in another directory are the same policies.
	if again := mustLoad(t, WithDir(writePolicies(t, files))); again.Revision() != withUser.Revision() {
		t.Errorf("revision depends on the directory path: %s vs %s", again.Revision(), withUser.Revision())
	}
	// Test files do not change what is evaluated, so not the revision either.
	files["p_test.rego"] = "package user.r_test\n\ntest_x if true\n"
	if withTest := mustLoad(t, WithDir(writePolicies(t, files))); withTest.Revision() != withUser.Revision() {
		t.Error("a _test.rego file changed the revision")
	}
}

// TestInputValueMatchesJSON guards inputValue against drifting from the JSON
// tags of resource.Resource: a field added there changes the JSON side.
func TestInputValueMatchesJSON(t *testing.T) {
	addr := "aws_security_group.web"
	tests := []struct {
		name string
		r    resource.Resource
	}{
		{"live security group", securityGroup(ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0"))},
		{"live bucket", bucket(fullBlock())},
		{"plan with address", resource.Resource{Type: ec2.TypeSecurityGroup, Address: &addr, Plane: resource.PlanePlan,
			Tags: map[string]string{"a": "b"}, Properties: map[string]any{"ingress": []any{map[string]any{"from_port": 22}}}}},
		{"zero value", resource.Resource{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := inputValue(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(map[string]any{"resource": tt.r})
			if err != nil {
				t.Fatal(err)
			}
			want, err := ast.ValueFromReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got.Compare(want) != 0 {
				t.Fatalf("inputValue =\n%v\nJSON =\n%v", got, want)
			}
		})
	}
}

// recordHandler keeps the attributes of every record it sees.
type recordHandler struct {
	mu      sync.Mutex
	records []map[string]string
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordHandler) WithGroup(string) slog.Handler            { return h }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	m := map[string]string{"msg": r.Message, "level": r.Level.String()}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
	h.mu.Lock()
	h.records = append(h.records, m)
	h.mu.Unlock()
	return nil
}

func TestDecisionLog(t *testing.T) {
	h := &recordHandler{}
	s, err := Load(WithLogger(slog.New(h)))
	if err != nil {
		t.Fatal(err)
	}
	r := bucket(nil)
	if _, err := s.Evaluate(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"msg": "policy decision", "level": "DEBUG", "policy": "aws.s3.public_access_block",
		"resource": r.ARN, "revision": s.Revision(), "decision": "deny", "violations": "1",
	}
	// Every bucket policy logs a decision; look at the one that denies.
	for _, rec := range h.records {
		if rec["msg"] == "policy decision" && rec["policy"] == want["policy"] {
			if !reflect.DeepEqual(rec, want) {
				t.Fatalf("decision log = %v, want %v", rec, want)
			}
			return
		}
	}
	t.Fatalf("no decision logged; records: %v", h.records)
}

type printRecorder struct{ lines []string }

func (p *printRecorder) Print(_ print.Context, s string) error {
	p.lines = append(p.lines, s)
	return nil
}

func TestWithPrintHook(t *testing.T) {
	dir := writePolicies(t, map[string]string{"p.rego": userPolicy("user.p", "user.p", nil, `deny contains {"msg": "x"} if {
	print("seen", input.resource.id)
	false
}`)})
	hook := &printRecorder{}
	s := mustLoad(t, WithDir(dir), WithPrintHook(hook))
	if _, err := s.EvaluatePolicy(context.Background(), "user.p", bucket(nil)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(hook.lines, []string{"seen logs"}) {
		t.Fatalf("print output = %q, want [\"seen logs\"]", hook.lines)
	}

	// Without a hook, print() is compiled away rather than failing.
	if _, err := mustLoad(t, WithDir(dir)).EvaluatePolicy(context.Background(), "user.p", bucket(nil)); err != nil {
		t.Fatal(err)
	}
}

func TestEvaluateConcurrent(t *testing.T) {
	s := mustLoad(t)
	in := securityGroup(ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if v, err := s.Evaluate(context.Background(), in); err != nil || len(v) != 1 {
					t.Errorf("Evaluate = %v, %v", v, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestEvaluateCanceled(t *testing.T) {
	s := mustLoad(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Evaluate(ctx, bucket(nil)); !errors.Is(err, context.Canceled) {
		t.Errorf("Evaluate err = %v, want context.Canceled", err)
	}
	if _, err := s.EvaluatePolicy(ctx, "aws.s3.public_access_block", bucket(nil)); !errors.Is(err, context.Canceled) {
		t.Errorf("EvaluatePolicy err = %v, want context.Canceled", err)
	}
}

// custom.planes narrows a control to one plane; left out, a control judges
// every plane its kinds have.
func TestMetadataPlanes(t *testing.T) {
	s := mustLoad(t)
	for id, want := range map[string][2]bool{
		"aws.iam.unused_access_keys":  {false, true},
		"aws.iam.unused_password":     {false, true},
		"aws.iam.access_key_rotation": {true, true},
	} {
		m, ok := s.Policy(id)
		if !ok {
			t.Fatalf("%s not loaded", id)
		}
		if got := [2]bool{m.Judges("plan"), m.Judges("live")}; got != want {
			t.Errorf("%s judges (plan, live) = %v, want %v", id, got, want)
		}
	}
}

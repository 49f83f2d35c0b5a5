package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const planFixtures = "../../internal/resource/plan/testdata/"

// bucketPlan is a one-bucket plan: a new bucket with the given tags and no
// bucket policy, which violates aws.s3.bucket_policy_tls (MEDIUM) only.
func bucketPlan(tags string) string {
	return `{"format_version": "1.2", "terraform_version": "1.11.4",
 "resource_changes": [{"address": "aws_s3_bucket.reports", "mode": "managed", "type": "aws_s3_bucket", "name": "reports",
  "change": {"actions": ["create"], "before": null,
   "after": {"bucket": "acme-reports", "tags": ` + tags + `, "tags_all": ` + tags + `,
    "logging": [{"target_bucket": "acme-logs", "target_prefix": "reports/"}]},
   "after_unknown": {"id": true, "arn": true, "policy": true, "server_side_encryption_configuration": true}}}],
 "configuration": {"root_module": {"resources": [{"address": "aws_s3_bucket.reports", "mode": "managed", "type": "aws_s3_bucket", "name": "reports",
  "provider_config_key": "aws", "expressions": {"bucket": {"constant_value": "acme-reports"}, "tags": {"constant_value": ` + tags + `}}}]}}}`
}

func runCheckCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	// Exemption dates in the tests are relative to this day.
	cmd := checkCmd(func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) })
	var out, stderr bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&stderr)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func exitCodeOf(err error) int {
	if err == nil {
		return 0
	}
	return exitCode(err)
}

func TestCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	state := write("state.json", `{"format_version": "1.0", "values": {"root_module": {}}}`)
	broken := filepath.Join(dir, "broken")
	write("broken/p.rego", "package user.broken\n\ndeny contains x if {\n  x := \n}\n")

	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string // in stdout, or in the error for exit 2
	}{
		{"violations", "", []string{planFixtures + "pairs/aws.ec2.sg_public_admin_ports/violating/plan.json"}, 1, "aws.ec2.sg_public_admin_ports"},
		{"compliant", "", []string{planFixtures + "pairs/aws.rds.instance_copy_tags_to_snapshot/compliant/plan.json"}, 0, "No violations: 1 resource(s) checked against"},
		{"below the threshold", bucketPlan("{}"), []string{"--severity-threshold", "high", "-"}, 0, "MEDIUM      aws.s3.bucket_policy_tls (below HIGH)"},
		{"at the threshold", bucketPlan("{}"), []string{"--severity-threshold", "MEDIUM", "-"}, 1, "1 at or above MEDIUM"},
		{"suppressed", bucketPlan(`{"rectify:exempt": "aws.s3.bucket_policy_tls"}`), []string{"-"}, 0, "suppressed: tag rectify:exempt=aws.s3.bucket_policy_tls"},
		{"exemption expired", bucketPlan(`{"rectify:exempt": "all", "rectify:exempt-until": "2026-01-01"}`), []string{"-"}, 1, "not suppressed: exemption rectify:exempt=all expired on 2026-01-01"},
		{"exemption until later", bucketPlan(`{"rectify:exempt": "all", "rectify:exempt-until": "2027-01-01"}`), []string{"-"}, 0, "SUPPRESSED  aws.s3.bucket_policy_tls (MEDIUM)"},
		{"no argument", "", nil, 2, "accepts 1 arg(s)"},
		{"unknown format", "", []string{"--format", "xml", "plan.json"}, 2, `--format "xml"`},
		{"unknown threshold", "", []string{"--severity-threshold", "SEVERE", "plan.json"}, 2, `--severity-threshold "SEVERE"`},
		{"missing file", "", []string{filepath.Join(dir, "nope.json")}, 2, "nope.json: no such file"},
		{"not a plan", `{"hello": "world"}`, []string{"-"}, 2, "check stdin: not a Terraform plan: no format_version/resource_changes"},
		{"state instead of a plan", "", []string{state}, 2, "this is Terraform state"},
		{"broken user policy", "", []string{"--policy-dir", broken, planFixtures + "plans/joins.json"}, 2, filepath.Join(broken, "p.rego") + ":5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCheckCmd(t, tt.stdin, tt.args...)
			if got := exitCodeOf(err); got != tt.code {
				t.Fatalf("exit code %d (err %v), want %d\n%s", got, err, tt.code, out)
			}
			where := out
			if tt.code == 2 {
				where = err.Error()
			}
			if !strings.Contains(where, tt.want) {
				t.Errorf("%q\ndoes not contain %q", where, tt.want)
			}
		})
	}
}

func TestCheckText(t *testing.T) {
	out, err := runCheckCmd(t, "", planFixtures+"plans/joins.json")
	if exitCodeOf(err) != 1 || !strings.Contains(err.Error(), "11 violation(s) at or above INFORMATIONAL") {
		t.Fatalf("err = %v", err)
	}
	// Grouped by address in address order, most severe first within one.
	want := []string{
		"aws_iam_role_policy_attachment.legacy_admin (aws_iam_role)\n  HIGH        aws.iam.admin_access\n",
		"              controls: CIS AWS 1.16, AWS FSBP IAM.1\n",
		`aws_s3_bucket.regional["eu"] (aws_s3_bucket)` + "\n  HIGH        aws.s3.public_access_block\n",
		"aws_s3_bucket_policy.legacy (aws_s3_bucket)\n  CRITICAL    aws.s3.bucket_policy_public\n              S3 bucket acme-legacy policy allows s3:GetObject to everyone\n",
		"aws_vpc_security_group_ingress_rule.legacy_rdp (aws_security_group)\n  HIGH        aws.ec2.sg_public_admin_ports\n",
		"7 resource(s) checked against 32 policies (bundle ",
	}
	last := -1
	for _, w := range want {
		i := strings.Index(out, w)
		if i < 0 || i < last {
			t.Fatalf("output lacks, or has out of order, %q:\n%s", w, out)
		}
		last = i
	}
	// The scratch buckets' policies (Principal "*") name the new bucket's
	// ARN: unknown until apply, they are undetermined, not passing, and
	// the check does not fail on them.
	if !strings.Contains(out, "aws_s3_bucket.scratch[0] (aws_s3_bucket)\n  UNDETERMINED aws.s3.bucket_policy_public (CRITICAL)\n") ||
		!strings.Contains(out, "4 undetermined until apply (not failing the check without --fail-on-undetermined)") {
		t.Errorf("undetermined scratch buckets are not reported:\n%s", out)
	}
}

func TestCheckJSON(t *testing.T) {
	out, err := runCheckCmd(t, bucketPlan(`{"rectify:exempt": "all"}`), "--format", "json", "-")
	if err != nil {
		t.Fatal(err)
	}
	var r checkReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if r.Plan != "stdin" || r.Summary != (checkSummary{Resources: 1, Policies: 32, Violations: 1, Suppressed: 1}) || len(r.Resources) != 1 {
		t.Fatalf("report = %+v", r)
	}
	f := r.Findings[0]
	if f.Address != "aws_s3_bucket.reports" || f.PolicyID != "aws.s3.bucket_policy_tls" || !f.Suppressed || f.Blocking ||
		f.Reason != "tag rectify:exempt=all" || f.Params["bucket"] != "acme-reports" || len(f.Controls) == 0 {
		t.Errorf("finding = %+v", f)
	}
	if got := r.Resources[0].Policies; !slices.Contains(got, "aws.s3.public_access_block") || len(got) != 5 {
		t.Errorf("policies judging the bucket = %v", got)
	}
}

// TestCheckSARIF checks what GitHub code scanning requires of an upload
// (docs: "SARIF support for code scanning"): $schema and version, a driver
// with rules carrying id, descriptions and help, and results with ruleId,
// message, a physical location with a region, and partial fingerprints.
func TestCheckSARIF(t *testing.T) {
	name := planFixtures + "pairs/aws.iam.admin_access/violating/plan.json"
	out, err := runCheckCmd(t, "", "--format", "sarif", name)
	if exitCodeOf(err) != 1 {
		t.Fatalf("err = %v", err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string         `json:"id"`
						ShortDescription sarifText      `json:"shortDescription"`
						FullDescription  sarifText      `json:"fullDescription"`
						Help             sarifHelp      `json:"help"`
						Default          sarifConfig    `json:"defaultConfiguration"`
						Properties       map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []sarifResult `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("SARIF: %v\n%s", err, out)
	}
	if log.Schema != sarifSchema || log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("log header = %q %q, %d runs", log.Schema, log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	rules := run.Tool.Driver.Rules
	if run.Tool.Driver.Name != "rectify" || len(rules) != 32 {
		t.Fatalf("driver %q with %d rules", run.Tool.Driver.Name, len(rules))
	}
	levels := []string{"note", "warning", "error"}
	for _, r := range rules {
		if r.ID == "" || r.ShortDescription.Text == "" || r.FullDescription.Text == "" || r.Help.Text == "" ||
			!slices.Contains(levels, r.Default.Level) || r.Properties["security-severity"] == nil {
			t.Errorf("rule %+v lacks a field GitHub requires", r)
		}
	}
	text, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\n")
	fp := regexp.MustCompile(`^[0-9a-f]{16}:1$`)
	seen := map[string]bool{}
	for _, res := range run.Results {
		if res.RuleID != "aws.iam.admin_access" || rules[res.RuleIndex].ID != res.RuleID || res.Level != "error" || res.Message.Text == "" {
			t.Errorf("result %+v", res)
		}
		if len(res.Locations) != 1 || len(res.Locations[0].LogicalLocations) != 1 {
			t.Fatalf("locations = %+v", res.Locations)
		}
		loc := res.Locations[0]
		addr := loc.LogicalLocations[0].FullyQualifiedName
		seen[addr] = true
		if loc.PhysicalLocation.ArtifactLocation.URI != filepath.ToSlash(filepath.Clean(name)) || loc.LogicalLocations[0].Kind != "resource" {
			t.Errorf("location = %+v", loc)
		}
		// The region spans the quoted address in the plan file.
		reg := loc.PhysicalLocation.Region
		line := []rune(lines[reg.StartLine-1])
		if got := string(line[reg.StartColumn-1 : reg.EndColumn-1]); got != `"`+addr+`"` {
			t.Errorf("region %+v holds %s, want the address %s", reg, got, addr)
		}
		if !fp.MatchString(res.PartialFingerprints["primaryLocationLineHash"]) {
			t.Errorf("fingerprint %v", res.PartialFingerprints)
		}
	}
	if !seen["aws_iam_role.deployer"] || !seen["aws_iam_user.ops"] || len(run.Results) != 2 {
		t.Errorf("results for %v, want the role and the user", seen)
	}

	// A suppressed finding stays in the log, marked as such.
	out, err = runCheckCmd(t, bucketPlan(`{"rectify:exempt": "all"}`), "--format", "sarif", "-")
	if err != nil {
		t.Fatal(err)
	}
	var sup sarifLog
	if err := json.Unmarshal([]byte(out), &sup); err != nil {
		t.Fatal(err)
	}
	res := sup.Runs[0].Results
	if len(res) != 1 || len(res[0].Suppressions) != 1 || res[0].Suppressions[0].Kind != "external" ||
		res[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "plan.json" {
		t.Errorf("suppressed result = %+v", res)
	}
}

func TestCheckJUnit(t *testing.T) {
	out, err := runCheckCmd(t, "", "--format", "junit", planFixtures+"pairs/aws.iam.admin_access/violating/plan.json")
	if exitCodeOf(err) != 1 {
		t.Fatalf("err = %v", err)
	}
	var suites junitSuites
	if err := xml.Unmarshal([]byte(out), &suites); err != nil {
		t.Fatalf("output is not JUnit XML: %v\n%s", err, out)
	}
	// Two resources judged by the IAM admin policy, the user also by the
	// access key policy (which it passes).
	if suites.Tests != 3 || suites.Failures != 2 || len(suites.Suites) != 2 {
		t.Fatalf("suites = %+v", suites)
	}
	c := suites.Suites[0].Cases[0]
	if suites.Suites[0].Name != "aws_iam_role.deployer" || c.ClassName != "aws_iam_role.deployer" ||
		!strings.HasPrefix(c.Name, "aws.iam.admin_access: ") || c.Failure == nil || c.Failure.Type != "HIGH" ||
		!strings.Contains(c.Failure.Text, "controls: CIS AWS 1.16") {
		t.Errorf("case = %+v", c)
	}

	// One case per resource × policy: passing and suppressed ones too.
	out, err = runCheckCmd(t, bucketPlan(`{"rectify:exempt": "aws.s3.bucket_policy_tls"}`), "--format", "junit", "-")
	if err != nil {
		t.Fatal(err)
	}
	var one junitSuites
	if err := xml.Unmarshal([]byte(out), &one); err != nil {
		t.Fatal(err)
	}
	s := one.Suites[0]
	if s.Tests != 5 || s.Failures != 0 || s.Skipped != 1 {
		t.Fatalf("suite = %+v", s)
	}
	for _, c := range s.Cases {
		if strings.HasPrefix(c.Name, "aws.s3.bucket_policy_tls") != (c.Skipped != nil) || c.Failure != nil {
			t.Errorf("case %+v", c)
		}
	}
}

func TestCheckPolicyDir(t *testing.T) {
	dir := t.TempDir()
	policy := `# METADATA
# title: Bucket names carry the team prefix
# description: Buckets are named acme-<team>-..., so costs can be split.
# custom:
#   id: acme.bucket_prefix
#   severity: LOW
#   resource_types: [aws_s3_bucket]
#   remediation: none
#   controls: []
#   default_mode: notify
package acme.bucket_prefix

deny contains {"msg": sprintf("bucket %s lacks a team prefix", [input.resource.properties.bucket]), "params": {}} if {
	not regex.match("^acme-(finance|platform)-", input.resource.properties.bucket)
}
`
	if err := os.WriteFile(filepath.Join(dir, "prefix.rego"), []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCheckCmd(t, bucketPlan("{}"), "--policy-dir", dir, "--format", "json", "-")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v", err)
	}
	var r checkReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.PolicyID)
	}
	if !slices.Equal(ids, []string{"acme.bucket_prefix", "aws.s3.bucket_policy_tls"}) || r.Summary.Policies != 33 {
		t.Errorf("findings %v from %d policies", ids, r.Summary.Policies)
	}
}

// TestCheckFormatVersions runs `rectify check` on a real plan of every
// format_version since Terraform 0.12 (0.1 and 0.2 used to exit 2 with "not
// supported") and pins the verdicts.
func TestCheckFormatVersions(t *testing.T) {
	tests := []struct {
		file     string
		code     int
		findings []string // "address policy", in report order
	}{
		{"formats/0.1_terraform-0.12.23.json", 1, []string{
			"aws_db_instance.default aws.rds.instance_copy_tags_to_snapshot",
			"aws_db_instance.default aws.rds.instance_deletion_protection",
			"aws_db_instance.default aws.rds.public_instance",
			"aws_ecr_repository.repository aws.ecr.scan_on_push", // no image_scanning_configuration block
			"aws_instance.db_app aws.ec2.imdsv2",                 // undetermined: no metadata_options, the AMI decides
			"aws_instance.web_host aws.ec2.imdsv2",
			"aws_kms_key.logs_key aws.kms.key_rotation",
			"aws_s3_bucket.data aws.s3.access_logging",
			"aws_s3_bucket.data aws.s3.bucket_policy_tls",
			"aws_s3_bucket.data_science aws.s3.bucket_policy_tls", // it logs (its target bucket is known only at apply)
			"aws_s3_bucket.financials aws.s3.access_logging",
			"aws_s3_bucket.financials aws.s3.bucket_policy_tls",
			"aws_s3_bucket.flowbucket aws.s3.access_logging",
			"aws_s3_bucket.flowbucket aws.s3.bucket_policy_tls",
			"aws_s3_bucket.logs aws.s3.access_logging",
			"aws_s3_bucket.logs aws.s3.bucket_policy_tls",
			"aws_s3_bucket.operations aws.s3.access_logging",
			"aws_s3_bucket.operations aws.s3.bucket_policy_tls",
			"aws_security_group.web-node aws.ec2.sg_public_admin_ports",
			"aws_subnet.eks_subnet1 aws.ec2.subnet_public_ip",
			"aws_subnet.eks_subnet2 aws.ec2.subnet_public_ip",
			"aws_subnet.web_subnet aws.ec2.subnet_public_ip",
			"aws_subnet.web_subnet2 aws.ec2.subnet_public_ip",
			"aws_vpc.eks_vpc aws.ec2.vpc_flow_logs", // web_vpc has aws_flow_log.vpcflowlogs
		}},
		{"formats/0.2_terraform-1.0.7.json", 1, []string{
			"module.s3-bucket.aws_s3_bucket.this[0] aws.s3.access_logging",
			"module.s3-bucket.aws_s3_bucket.this[0] aws.s3.bucket_policy_tls",
		}},
		{"formats/0.2_terraform-1.0.5_utf16le-bom.json", 1, []string{
			"aws_iam_role_policy.fail_1 aws.iam.admin_access",
			"aws_s3_bucket.s3-bucket aws.s3.access_logging",
			"aws_s3_bucket.s3-bucket aws.s3.bucket_policy_tls",
		}},
		{"formats/1.0_terraform-1.1.5.json", 0, nil},
		{"formats/1.1_terraform-1.2.7.json", 1, []string{
			"aws_s3_bucket.example aws.s3.access_logging",
			"aws_s3_bucket.example aws.s3.bucket_policy_tls",
			"aws_s3_bucket.example_2 aws.s3.access_logging",
			"aws_s3_bucket.example_2 aws.s3.bucket_policy_tls",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out, err := runCheckCmd(t, "", "--format", "json", planFixtures+tt.file)
			if got := exitCodeOf(err); got != tt.code {
				t.Fatalf("exit code %d (err %v), want %d", got, err, tt.code)
			}
			var r checkReport
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			var got []string
			for _, f := range r.Findings {
				got = append(got, f.Address+" "+f.PolicyID)
			}
			if !slices.Equal(got, tt.findings) {
				t.Errorf("findings %q\nwant     %q", got, tt.findings)
			}
		})
	}
	// SARIF locations point into the decoded text of a UTF-16 plan (a
	// location not found falls back to line 1).
	out, _ := runCheckCmd(t, "", "--format", "sarif", planFixtures+"formats/0.2_terraform-1.0.5_utf16le-bom.json")
	if lines := regexp.MustCompile(`"startLine": (\d+)`).FindAllStringSubmatch(out, -1); len(lines) == 0 || lines[0][1] == "1" {
		t.Errorf("SARIF for a UTF-16 plan does not locate the resource: %q", lines)
	}
}

// TestCheckMaxPlanSize: a plan over --max-plan-size is refused with exit 2
// and a message that says what to do, a file before it is read.
func TestCheckMaxPlanSize(t *testing.T) {
	dir := t.TempDir()
	// A sparse file just over the default limit costs no disk and, being
	// refused by its size, no reading.
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(256<<20 + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	small := bucketPlan("{}")
	fixture := planFixtures + "formats/0.1_terraform-0.12.23.json" // 163,517 bytes
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"default limit, file", "", []string{huge}, 2,
			"plan " + huge + " is 256.0 MiB, larger than --max-plan-size 256 MiB: checking it would take about 2.5 GiB of memory (ten times the plan); raise --max-plan-size"},
		{"file over a given limit", "", []string{"--max-plan-size", "100KiB", fixture}, 2, "is 159.7 KiB, larger than --max-plan-size 100 KiB"},
		{"stdin over the limit", small, []string{"--max-plan-size", "100", "-"}, 2,
			"plan stdin is larger than --max-plan-size 100 bytes: checking it would take more than 1000 bytes of memory"},
		{"stdin at the limit", small, []string{"--max-plan-size", strconv.Itoa(len(small)), "-"}, 1, ""},
		{"file under a limit in MB", "", []string{"--max-plan-size", "1MB", fixture}, 1, ""},
		{"zero", small, []string{"--max-plan-size", "0", "-"}, 2, `--max-plan-size "0": want a positive size`},
		{"unknown unit", small, []string{"--max-plan-size", "12XB", "-"}, 2, `--max-plan-size "12XB"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCheckCmd(t, tt.stdin, tt.args...)
			if got := exitCodeOf(err); got != tt.code {
				t.Fatalf("exit code %d (err %v), want %d", got, err, tt.code)
			}
			if tt.want != "" && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%v\ndoes not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseByteSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{{"256MiB", 256 << 20}, {"1GiB", 1 << 30}, {"10KiB", 10 << 10}, {"500MB", 500e6}, {"2GB", 2e9}, {"3 KB", 3000}, {"123", 123}, {"7B", 7}} {
		if got, err := parseByteSize(tt.in); err != nil || got != tt.want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "0", "-5", "MiB", "1.5GiB", "1TB", "99999999999GiB"} {
		if _, err := parseByteSize(bad); err == nil {
			t.Errorf("parseByteSize(%q) accepted", bad)
		}
	}
}

package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The real plan of testdata/tf/plans.sources (Terraform 1.11.4, provider
// 5.100.0): resources in two root files, with count, in a child module and
// in a for_each module call inside it; a bucket policy and an SSH peer
// unknown until apply.
const (
	sourcesPlan = planFixtures + "plans/sources.json"
	sourcesDir  = planFixtures + "tf/plans.sources"
)

// sourceLine is the text of a line of a file the report points at.
func sourceLine(t *testing.T, file string, line int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(file))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if line < 1 || line > len(lines) {
		t.Fatalf("%s has no line %d", file, line)
	}
	return lines[line-1]
}

func TestCheckSourceDir(t *testing.T) {
	plan, err := os.ReadFile(sourcesPlan)
	if err != nil {
		t.Fatal(err)
	}
	// Every address of a finding, and the header of its block.
	want := map[string]string{
		"aws_s3_bucket.assets":       `resource "aws_s3_bucket" "assets" {`,
		"aws_s3_bucket.logs[0]":      `resource "aws_s3_bucket" "logs" {`,
		"aws_s3_bucket.logs[1]":      `resource "aws_s3_bucket" "logs" {`,
		"aws_security_group.bastion": `resource "aws_security_group" "bastion" {`,
		"aws_security_group.lab":     `resource "aws_security_group" "lab" {`,
		// a new VPC with no flow log (EC2.6)
		"aws_vpc.lab":                           `resource "aws_vpc" "lab" {`,
		"module.network.aws_security_group.web": `resource "aws_security_group" "web" {`,
		`module.network.module.db["billing"].aws_db_instance.this`: `resource "aws_db_instance" "this" {`,
		// deletion protection left out, so off (RDS.8)
		`module.network.module.db["orders"].aws_db_instance.this`: `resource "aws_db_instance" "this" {`,
	}
	for _, stdin := range []bool{false, true} {
		in, arg := "", sourcesPlan
		if stdin {
			in, arg = string(plan), "-"
		}
		t.Run("sarif stdin="+map[bool]string{false: "no", true: "yes"}[stdin], func(t *testing.T) {
			out, err := runCheckCmd(t, in, "--format", "sarif", "--source-dir", sourcesDir, arg)
			if exitCodeOf(err) != 1 {
				t.Fatalf("err = %v", err)
			}
			var log sarifLog
			if err := json.Unmarshal([]byte(out), &log); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, res := range log.Runs[0].Results {
				loc := res.Locations[0]
				addr := loc.LogicalLocations[0].FullyQualifiedName
				seen[addr] = true
				uri, reg := loc.PhysicalLocation.ArtifactLocation.URI, loc.PhysicalLocation.Region
				if !strings.HasPrefix(uri, filepath.ToSlash(filepath.Clean(sourcesDir))+"/") || !strings.HasSuffix(uri, ".tf") {
					t.Errorf("%s: uri %q is not a .tf file under the source dir", addr, uri)
					continue
				}
				if got := sourceLine(t, uri, reg.StartLine); got != want[addr] {
					t.Errorf("%s: %s:%d is %q, want %q", addr, uri, reg.StartLine, got, want[addr])
				}
				if reg.StartColumn != 1 || reg.EndLine != reg.StartLine || reg.EndColumn <= reg.StartColumn {
					t.Errorf("%s: region %+v", addr, reg)
				}
			}
			if len(seen) != len(want) {
				t.Errorf("results for %v, want %d resources", seen, len(want))
			}
		})
	}
	// Without --source-dir, standard input points at the same plan.json.
	out, _ := runCheckCmd(t, string(plan), "--format", "sarif", "-")
	if !strings.Contains(out, `"uri": "plan.json"`) || strings.Contains(out, ".tf\"") {
		t.Errorf("stdin without --source-dir does not point at plan.json")
	}

	// Text and JUnit carry file:line too; JSON the location.
	out, _ = runCheckCmd(t, "", "--source-dir", sourcesDir, sourcesPlan)
	for _, w := range []string{
		"aws_security_group.bastion (aws_security_group) at " + filepath.ToSlash(sourcesDir) + "/security.tf:1\n",
		`module.network.module.db["billing"].aws_db_instance.this (aws_db_instance) at ` + filepath.ToSlash(sourcesDir) + "/modules/network/modules/db/main.tf:3\n",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("text lacks %q:\n%s", w, out)
		}
	}
	out, _ = runCheckCmd(t, "", "--format", "junit", "--source-dir", sourcesDir, sourcesPlan)
	var suites junitSuites
	if err := xml.Unmarshal([]byte(out), &suites); err != nil {
		t.Fatal(err)
	}
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if c.File == "" || c.Line == 0 {
				t.Errorf("case %s of %s has no file and line", c.Name, s.Name)
			}
		}
		if s.Name == "module.network.aws_security_group.web" && !strings.HasSuffix(s.Cases[0].File, "modules/network/main.tf") {
			t.Errorf("web: %+v", s.Cases[0])
		}
	}
	out, _ = runCheckCmd(t, "", "--format", "json", "--source-dir", sourcesDir, sourcesPlan)
	var r checkReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if f.Location == nil || sourceLine(t, f.Location.File, f.Location.Line) != want[f.Address] {
			t.Errorf("JSON finding %s at %+v", f.Address, f.Location)
		}
	}

	// A broken source dir is refused, naming the file and line.
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "main.tf"), []byte("resource \"aws_s3_bucket\" \"x\" {\n  bucket =\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCheckCmd(t, "", "--source-dir", bad, sourcesPlan); exitCodeOf(err) != 2 || !strings.Contains(err.Error(), "main.tf:2") {
		t.Errorf("broken source dir: %v", err)
	}
}

// TestCheckUndetermined: a bucket policy and an SSH peer unknown at plan
// time are reported undetermined in every format; they fail the check only
// with --fail-on-undetermined.
func TestCheckUndetermined(t *testing.T) {
	only := []string{"--policy", "aws.s3.bucket_policy_*,aws.ec2.sg_public_admin_ports", "--skip-policy", "aws.s3.bucket_policy_tls"}
	args := func(extra ...string) []string { return append(append(slices.Clone(only), extra...), sourcesPlan) }

	out, err := runCheckCmd(t, "", args("--format", "json")...)
	// Open SSH and RDP are violations; the rest is undetermined.
	if exitCodeOf(err) != 1 {
		t.Fatalf("err = %v", err)
	}
	var r checkReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Status+" "+f.Address+" "+f.PolicyID+" "+strings.Join(f.Unknown, ","))
	}
	wantFindings := []string{
		"undetermined aws_s3_bucket.assets aws.s3.bucket_policy_public policy",
		"violation aws_security_group.bastion aws.ec2.sg_public_admin_ports ",
		"undetermined aws_security_group.lab aws.ec2.sg_public_admin_ports ingress",
		"violation module.network.aws_security_group.web aws.ec2.sg_public_admin_ports ",
	}
	if !slices.Equal(got, wantFindings) {
		t.Errorf("findings\n%q\nwant\n%q", got, wantFindings)
	}
	if r.Summary.Undetermined != 2 || r.Summary.Violations != 2 || r.Summary.Blocking != 2 || r.Summary.Policies != 2 {
		t.Errorf("summary = %+v", r.Summary)
	}

	// Only undetermined: passes, unless asked to fail.
	s3only := []string{"--policy", "aws.s3.bucket_policy_public", sourcesPlan}
	out, err = runCheckCmd(t, "", s3only...)
	if err != nil || !strings.Contains(out, "UNDETERMINED aws.s3.bucket_policy_public (CRITICAL)") ||
		!strings.Contains(out, "No violations, 1 undetermined until apply (not failing the check without --fail-on-undetermined)") {
		t.Errorf("err = %v\n%s", err, out)
	}
	_, err = runCheckCmd(t, "", append([]string{"--fail-on-undetermined"}, s3only...)...)
	if exitCodeOf(err) != 1 || !strings.Contains(err.Error(), "1 violation(s) or undetermined verdict(s) at or above INFORMATIONAL") {
		t.Errorf("--fail-on-undetermined: %v", err)
	}

	// SARIF: a review result, level none, saying what is unknown.
	out, _ = runCheckCmd(t, "", append([]string{"--format", "sarif"}, s3only...)...)
	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res) != 1 || res[0].Kind != "review" || res[0].Level != "none" || !strings.Contains(res[0].Message.Text, "undetermined until apply: policy") ||
		res[0].Properties["status"] != "undetermined" || len(log.Runs[0].Tool.Driver.Rules) != 1 {
		t.Errorf("SARIF = %+v with %d rules", res, len(log.Runs[0].Tool.Driver.Rules))
	}

	// JUnit: skipped, or a failure with --fail-on-undetermined.
	for _, fail := range []bool{false, true} {
		a := append([]string{"--format", "junit"}, s3only...)
		if fail {
			a = append([]string{"--fail-on-undetermined"}, a...)
		}
		out, _ = runCheckCmd(t, "", a...)
		var suites junitSuites
		if err := xml.Unmarshal([]byte(out), &suites); err != nil {
			t.Fatal(err)
		}
		var c junitCase
		for _, s := range suites.Suites {
			if s.Name == "aws_s3_bucket.assets" {
				c = s.Cases[0]
			}
		}
		if fail && (c.Failure == nil || !strings.Contains(c.Failure.Text, "undetermined until apply: policy")) ||
			!fail && (c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, "undetermined until apply: ")) {
			t.Errorf("fail=%v: case %+v", fail, c)
		}
	}
}

func TestCheckPolicySelection(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string // in the JSON's policy ids, or the error for exit 2
	}{
		{"ids", []string{"--policy", "aws.rds.public_instance"}, 1, "aws.rds.public_instance"},
		{"glob", []string{"--policy", "aws.s3.*"}, 1, "aws.s3.access_logging aws.s3.bucket_policy_public aws.s3.bucket_policy_tls aws.s3.public_access_block aws.s3.sensitive_kms_encryption"},
		{"skip", []string{"--policy", "aws.ec2.*", "--skip-policy", "aws.ec2.sg_public_data_ports,aws.ec2.ebs_default_encryption,aws.ec2.snapshot_public,aws.ec2.subnet_public_ip,aws.ec2.imdsv2,aws.ec2.vpc_flow_logs"}, 1, "aws.ec2.default_sg_allows_traffic aws.ec2.sg_public_admin_ports"},
		{"repeated", []string{"--policy", "aws.rds.public_instance", "--policy", "aws.ec2.sg_public_admin_ports"}, 1, "aws.ec2.sg_public_admin_ports aws.rds.public_instance"},
		{"nothing to report", []string{"--policy", "aws.ec2.sg_public_data_ports"}, 0, "aws.ec2.sg_public_data_ports"},
		{"unknown id", []string{"--policy", "aws.ec2.sg_public_admn_ports"}, 2, "--policy aws.ec2.sg_public_admn_ports: no such policy (did you mean aws.ec2.sg_public_admin_ports?)"},
		{"unknown skip", []string{"--skip-policy", "aws.rds.public_instanse"}, 2, "--skip-policy aws.rds.public_instanse: no such policy (did you mean aws.rds.public_instance?)"},
		{"glob matching nothing", []string{"--policy", "aws.s4.*"}, 2, `--policy "aws.s4.*" matches no policy`},
		{"bad glob", []string{"--policy", "aws.[s3"}, 2, `--policy "aws.[s3": syntax error in pattern`},
		{"none left", []string{"--policy", "aws.s3.*", "--skip-policy", "aws.s3.*"}, 2, "leave no policy to check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCheckCmd(t, "", append(append([]string{"--format", "json"}, tt.args...), sourcesPlan)...)
			if got := exitCodeOf(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d", got, err, tt.code)
			}
			if tt.code == 2 {
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%v\ndoes not contain %q", err, tt.want)
				}
				return
			}
			var r checkReport
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, res := range r.Resources {
				for _, id := range res.Policies {
					ids[id] = true
				}
			}
			for _, f := range r.Findings {
				if !ids[f.PolicyID] {
					t.Errorf("finding of %s, which was not selected", f.PolicyID)
				}
			}
			got := strings.Join(slices.Sorted(func(yield func(string) bool) {
				for id := range ids {
					if !yield(id) {
						return
					}
				}
			}), " ")
			if got != tt.want || r.Summary.Policies != len(strings.Fields(tt.want)) {
				t.Errorf("policies %q (summary %d), want %q", got, r.Summary.Policies, tt.want)
			}
		})
	}
}

// TestCheckPrintInput: the documents as policies read them, unknowns left
// out, and nothing judged.
func TestCheckPrintInput(t *testing.T) {
	out, err := runCheckCmd(t, "", "--print-input", sourcesPlan)
	if err != nil {
		t.Fatalf("--print-input fails on a plan with violations: %v", err)
	}
	var inputs []struct {
		Resource struct {
			Type       string         `json:"type"`
			Address    string         `json:"address"`
			Plane      string         `json:"plane"`
			Properties map[string]any `json:"properties"`
		} `json:"resource"`
	}
	if err := json.Unmarshal([]byte(out), &inputs); err != nil {
		t.Fatalf("not a JSON list of inputs: %v\n%s", err, out)
	}
	byAddr := map[string]map[string]any{}
	for _, in := range inputs {
		if in.Resource.Plane != "plan" || in.Resource.Type == "" {
			t.Errorf("input %+v", in.Resource)
		}
		byAddr[in.Resource.Address] = in.Resource.Properties
	}
	if len(inputs) != 9 {
		t.Errorf("%d documents, want 9: %v", len(inputs), slices.Collect(func(yield func(string) bool) {
			for a := range byAddr {
				if !yield(a) {
					return
				}
			}
		}))
	}
	assets := byAddr["aws_s3_bucket.assets"]
	if _, ok := assets["policy"]; ok || assets["bucket"] != "acme-assets" || assets["public_access_block"] == nil {
		t.Errorf("assets = %v; want the policy absent (unknown), the rest known", assets)
	}
	if _, err := runCheckCmd(t, "", "--print-input", "--policy-dir", t.TempDir(), sourcesPlan); err != nil {
		t.Errorf("--print-input waits for a policy dir it does not need: %v", err)
	}
}

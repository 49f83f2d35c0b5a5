package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/contract"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{
			name: "empty file is defaults",
			yaml: "",
			check: func(t *testing.T, c Config) {
				if c.Temporal.Address != "127.0.0.1:7233" || c.Defaults.TimeoutAction != contract.TimeoutReject {
					t.Errorf("defaults not applied: %+v", c)
				}
			},
		},
		{
			name: "policy override and days",
			yaml: "policies:\n  aws.s3.public_access_block:\n    mode: approve\n    approval_timeout: 2d\n",
			check: func(t *testing.T, c Config) {
				s := c.Settings("aws.s3.public_access_block", contract.ModeEnforce)
				if s.Mode != contract.ModeApprove || time.Duration(s.ApprovalTimeout) != 48*time.Hour {
					t.Errorf("settings = %+v", s)
				}
				if got := c.Settings("other", contract.ModeEnforce).Mode; got != contract.ModeEnforce {
					t.Errorf("other policy mode = %q, want the METADATA default", got)
				}
			},
		},
		{
			name: "env overrides file",
			yaml: "temporal:\n  address: file:7233\n",
			env:  map[string]string{"RECTIFY_TEMPORAL_ADDRESS": "env:7233", "RECTIFY_APPROVERS": "alice, bob"},
			check: func(t *testing.T, c Config) {
				if c.Temporal.Address != "env:7233" {
					t.Errorf("address = %q", c.Temporal.Address)
				}
				if strings.Join(c.Approvers, "|") != "alice|bob" {
					t.Errorf("approvers = %q", c.Approvers)
				}
			},
		},
		{
			name: "dry run forces notify",
			yaml: "dry_run: true\npolicies:\n  p:\n    mode: enforce\n",
			check: func(t *testing.T, c Config) {
				if got := c.Settings("p", contract.ModeEnforce).Mode; got != contract.ModeNotify {
					t.Errorf("mode = %q, want notify", got)
				}
			},
		},
		{
			name: "exemptions",
			yaml: "exemptions:\n  - {arn: \"arn:aws:ec2:*:111111111111:ebs-encryption-by-default\", policies: [all], reason: legacy AMIs, owner: platform, expires: 2027-01-31}\n",
			check: func(t *testing.T, c Config) {
				if len(c.Exemptions) != 1 || c.Exemptions[0].Owner != "platform" || c.Exemptions[0].Expires != "2027-01-31" || c.Exemptions[0].Policies[0] != "all" {
					t.Errorf("exemptions = %+v", c.Exemptions)
				}
			},
		},
		{name: "exemption without owner names the entry", yaml: "exemptions:\n  - {arn: \"arn:*\", policies: [all], reason: r, expires: 2027-01-31}\n", wantErr: "exemptions[0].owner: required"},
		{name: "bad mode names the field", yaml: "policies:\n  p:\n    mode: yolo\n", wantErr: "policies.p.mode"},
		{name: "bad duration names the line", yaml: "defaults:\n  watch_window: soon\n", wantErr: "line 2"},
		{name: "unknown field", yaml: "temporall: {}\n", wantErr: "temporall"},
		{name: "findings cap past the record timeout", yaml: "aws:\n  findings_batch_max_delay: 1m\n", wantErr: "aws.findings_batch_max_delay: 1m0s: must be between 0 and 15s"},
		{name: "findings cap shorter than the quiet period", yaml: "aws:\n  findings_batch_delay: 5s\n  findings_batch_max_delay: 2s\n", wantErr: "shorter than aws.findings_batch_delay"},
		{name: "bad env", env: map[string]string{"RECTIFY_DRY_RUN": "maybe"}, wantErr: "RECTIFY_DRY_RUN"},
		{
			name: "audit trail off by default",
			check: func(t *testing.T, c Config) {
				if c.Audit.Enabled() || c.Audit.Prefix != DefaultAuditPrefix || c.AuditRegion() != "us-east-1" {
					t.Errorf("audit = %+v", c.Audit)
				}
			},
		},
		{
			name: "audit trail",
			yaml: "audit:\n  bucket: acme-rectify-audit\n  prefix: prod/\n  region: eu-west-1\n  batch_delay: 2s\n",
			check: func(t *testing.T, c Config) {
				if !c.Audit.Enabled() || c.Audit.Bucket != "acme-rectify-audit" || c.Audit.Prefix != "prod/" || c.AuditRegion() != "eu-west-1" ||
					time.Duration(c.Audit.BatchDelay) != 2*time.Second || time.Duration(c.Audit.BatchMaxDelay) != 10*time.Second {
					t.Errorf("audit = %+v", c.Audit)
				}
			},
		},
		{
			name: "audit bucket from the environment",
			env:  map[string]string{"RECTIFY_AUDIT_BUCKET": "env-audit", "RECTIFY_AUDIT_PREFIX": "x/"},
			check: func(t *testing.T, c Config) {
				if c.Audit.Bucket != "env-audit" || c.Audit.Prefix != "x/" {
					t.Errorf("audit = %+v", c.Audit)
				}
			},
		},
		{name: "audit bucket as a URL", yaml: "audit:\n  bucket: s3://acme-audit\n", wantErr: `audit.bucket: "s3://acme-audit" is not an S3 bucket name`},
		{name: "audit bucket with capitals", yaml: "audit:\n  bucket: Acme-Audit\n", wantErr: "audit.bucket"},
		{name: "audit prefix with a leading slash", yaml: "audit:\n  bucket: acme-audit\n  prefix: /audit/\n", wantErr: "audit.prefix: \"/audit/\" starts with '/'"},
		{name: "audit prefix without a bucket", yaml: "audit:\n  prefix: audit/\n", wantErr: "audit.bucket: required when audit.prefix"},
		{name: "audit region", yaml: "audit:\n  bucket: acme-audit\n  region: europe\n", wantErr: "audit.region"},
		{name: "audit batch cap past the record timeout", yaml: "audit:\n  bucket: acme-audit\n  batch_max_delay: 1m\n", wantErr: "audit.batch_max_delay: 1m0s: must be between 0 and 15s"},
		{name: "bad audit bucket from the environment", env: map[string]string{"RECTIFY_AUDIT_BUCKET": "a"}, wantErr: "(set by environment RECTIFY_AUDIT_BUCKET)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range EnvNames() {
				t.Setenv(name, "")
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := filepath.Join(t.TempDir(), "rectify.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

// writeConfig writes text as rectify.yaml in a fresh directory, with every
// environment override cleared, and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	for _, name := range EnvNames() {
		t.Setenv(name, "")
	}
	path := filepath.Join(t.TempDir(), "rectify.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Each of these used to start a worker without a word. The error must name
// the file and the field, and say what is wrong.
func TestLoadRefusesSilentMistakes(t *testing.T) {
	tests := []struct {
		name, yaml string
		env        map[string]string
		wantErr    string
	}{
		{"assume_role not an ARN", "aws:\n  assume_role: not-an-arn\n",
			nil, `aws.assume_role: "not-an-arn": want an IAM role ARN template such as arn:aws:iam::{account}:role/rectify-remediation`},
		{"assume_role not a role", "aws:\n  assume_role: \"arn:aws:iam::{account}:user/rectify\"\n",
			nil, "aws.assume_role: \"arn:aws:iam::{account}:user/rectify\" is not an IAM role ARN"},
		{"assume_role with another placeholder", "aws:\n  assume_role: \"arn:aws:iam::{acount}:role/r\"\n",
			nil, "aws.assume_role: \"arn:aws:iam::{acount}:role/r\": only {account} may be templated"},
		{"assume_role from the environment names the variable", "",
			map[string]string{"RECTIFY_ASSUME_ROLE": "rectify-remediation"}, "(set by environment RECTIFY_ASSUME_ROLE)"},
		{"remediation role garbage", "remediation_roles: [garbage]\n",
			nil, `remediation_roles[0]: "garbage" is not an ARN pattern`},
		{"remediation role of another service", "remediation_roles: [\"arn:aws:s3:::rectify\"]\n",
			nil, "remediation_roles[0]: \"arn:aws:s3:::rectify\" names service s3"},
		{"queue url", "queue:\n  url: \"::::\"\n", nil, `queue.url: "::::" is not a URL`},
		{"queue url without scheme", "queue:\n  url: sqs.us-east-1.amazonaws.com/111111111111/q\n", nil, "queue.url: \"sqs.us-east-1.amazonaws.com/111111111111/q\" is not an http(s) URL"},
		{"dlq url", "queue:\n  dlq_url: \"ftp://x/y\"\n", nil, "queue.dlq_url"},
		{"short account", "accounts: [\"12\"]\n", nil, `accounts[0]: "12" is not a 12-digit account id`},
		{"account with a letter", "accounts: [\"111111111111\", \"11111111111O\"]\n", nil, "accounts[1]"},
		{"defaults max_remediations 0", "defaults:\n  max_remediations: 0\n", nil, "defaults.max_remediations: 0: must be at least 1"},
		{"policy max_remediations 0", "policies:\n  aws.s3.public_access_block:\n    max_remediations: 0\n",
			nil, "policies.aws.s3.public_access_block.max_remediations: 0: must be at least 1"},
		{"defaults watch_window 0s", "defaults:\n  watch_window: 0s\n", nil, "defaults.watch_window: 0s: must be longer than 0"},
		{"policy watch_window 0s", "policies:\n  aws.s3.public_access_block:\n    watch_window: 0s\n",
			nil, "policies.aws.s3.public_access_block.watch_window: 0s: must be longer than 0"},
		{"defaults approval_timeout 0", "defaults:\n  approval_timeout: 0s\n", nil, "defaults.approval_timeout"},
		{"sweep every 1ms", "sweeps:\n  - {account: \"111111111111\", region: us-east-1, every: 1ms}\n",
			nil, "sweeps[0].every: 1ms is shorter than the minimum 1m0s"},
		{"sweep account", "sweeps:\n  - {account: \"1111\", region: us-east-1, every: 6h}\n", nil, `sweeps[0].account: "1111" is not a 12-digit account id`},
		{"sweep region", "sweeps:\n  - {account: \"111111111111\", region: us-east, every: 6h}\n", nil, `sweeps[0].region: "us-east" is not an AWS region`},
		{"aws region", "aws:\n  region: useast1\n", nil, `aws.region: "useast1" is not an AWS region`},
		{"exemption arn not an ARN", "exemptions:\n  - {arn: \"i-0abc\", policies: [all], reason: r, owner: o, expires: 2027-01-31}\n",
			nil, `exemptions[0].arn: "i-0abc" is not an ARN pattern`},
		{"exemption arn bad account", "exemptions:\n  - {arn: \"arn:aws:ec2:*:11111111111:ebs-encryption-by-default\", policies: [all], reason: r, owner: o, expires: 2027-01-31}\n",
			nil, `exemptions[0].arn: ARN pattern "arn:aws:ec2:*:11111111111:ebs-encryption-by-default": account "11111111111"`},
		{"second YAML document", "dry_run: true\n---\npolicies:\n  aws.s3.public_access_block: {mode: off}\n",
			nil, "rectify.yaml: line 2: a second YAML document (after ---); rectify reads one"},
		{"second YAML document after comments", "dry_run: true\n# more\n\n--- # prod\naccounts: []\n", nil, "line 4: a second YAML document"},
		{"temporal ui url", "temporal:\n  ui_url: \"localhost:8233\"\n", nil, "temporal.ui_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.yaml)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatalf("Load accepted it; want an error mentioning %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v\nwant it to mention %q", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("err = %v, want it to start with the file name", err)
			}
		})
	}
}

// The values the mistakes above are near must still load.
func TestLoadAcceptsNearMisses(t *testing.T) {
	path := writeConfig(t, `aws:
  region: us-gov-west-1
  assume_role: "arn:aws-us-gov:iam::{account}:role/path/rectify-remediation"
queue:
  url: https://sqs.us-gov-west-1.amazonaws.com/111111111111/rectify-events
  dlq_url: http://127.0.0.1:4566/111111111111/rectify-dlq
remediation_roles: ["arn:aws-us-gov:iam::*:role/rectify-*", "arn:aws-us-gov:sts::*:assumed-role/rectify-remediation/*", "arn:*:iam::*:role/x"]
accounts: ["111111111111", "012345678901"]
sweeps:
  - {account: "111111111111", region: us-gov-west-1, every: 1m}
defaults:
  max_remediations: 1
policies:
  aws.s3.public_access_block:
    mode: approve
exemptions:
  - {arn: "arn:aws:s3:::public-site-*", policies: [all], reason: r, owner: o, expires: 2027-01-31}
  - {arn: "arn:*", policies: [aws.s3.public_access_block], reason: r, owner: o, expires: 2027-01-31}
`)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	// A policy entry without the loop settings inherits them.
	if s := c.Settings("aws.s3.public_access_block", contract.ModeEnforce); s.MaxRemediations != 1 || s.WatchWindow != Duration(time.Hour) {
		t.Errorf("settings = %+v, want max_remediations 1 and watch_window 1h inherited", s)
	}
}

func TestValidateWithPolicyIDs(t *testing.T) {
	known := []string{"aws.ec2.sg_public_admin_ports", "aws.iam.admin_access", "aws.s3.public_access_block"}
	tests := []struct {
		name, yaml, wantErr string
		slack               bool
	}{
		{"misspelled policy id", "policies:\n  aws.ec2.sg_public_admn_ports:\n    mode: \"off\"\n",
			"rectify.yaml: policies.aws.ec2.sg_public_admn_ports: no such policy (did you mean aws.ec2.sg_public_admin_ports?)", false},
		{"policy id far from any", "policies:\n  gcp.compute.firewall:\n    mode: approve\n",
			"policies.gcp.compute.firewall: no such policy (known: aws.ec2.sg_public_admin_ports, aws.iam.admin_access, aws.s3.public_access_block)", false},
		{"exemption naming an unknown policy", "exemptions:\n  - {arn: \"arn:aws:iam::111111111111:group/*\", policies: [all, aws.iam.admin_acess], reason: r, owner: o, expires: 2027-01-31}\n",
			`exemptions[0].policies[1]: "aws.iam.admin_acess": no such policy (did you mean aws.iam.admin_access?)`, false},
		{"slack route matching no policy", "slack:\n  default_channel: C1\n  routes: [{policies: [\"aws.iam.admn_*\"], channel: C2}]\n",
			`slack.routes[0].policies[0]: "aws.iam.admn_*" matches no policy`, true},
		{"structural errors still come first", "accounts: [\"12\"]\npolicies:\n  nope.nope: {mode: off}\n", `accounts[0]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.yaml)
			if tt.slack {
				t.Setenv("SLACK_BOT_TOKEN", "xoxb-test")
			}
			c, err := Load(path)
			if err == nil {
				err = c.ValidateWith(known, nil)
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v\nwant it to mention %q", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("err = %v, want it to start with the file name", err)
			}
		})
	}
	t.Run("known ids pass", func(t *testing.T) {
		c, err := Load(writeConfig(t, "policies:\n  aws.iam.admin_access: {mode: approve}\nexemptions:\n  - {arn: \"arn:*\", policies: [all], reason: r, owner: o, expires: 2027-01-31}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ValidateWith(known, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a config built in code names no file", func(t *testing.T) {
		c := Default()
		c.Policies = map[string]PolicySettings{"aws.s3.publc_access_block": {Mode: contract.ModeOff}}
		err := c.ValidateWith(known, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "config: policies.aws.s3.publc_access_block: no such policy (did you mean aws.s3.public_access_block?)") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestLoadTrailingEmptyDocument(t *testing.T) {
	if _, err := Load(writeConfig(t, "dry_run: true\n---\n# nothing else\n")); err != nil {
		t.Fatalf("a trailing empty document: %v", err)
	}
}

// The remediation section is read as dotted keys and checked against the
// options the actions declare.
func TestRemediationOptions(t *testing.T) {
	c := Default()
	c.Remediation = map[string]any{"flow_logs": map[string]any{"destination": "arn:aws:logs:us-east-1:1:log-group:f"}, "password": map[string]any{"min_length": 16}}
	got := c.RemediationOptions()
	if got["flow_logs.destination"] != "arn:aws:logs:us-east-1:1:log-group:f" || got["password.min_length"] != "16" || len(got) != 2 {
		t.Errorf("options = %v", got)
	}
	if err := c.ValidateWith(nil, []string{"flow_logs.destination", "password.min_length"}); err != nil {
		t.Errorf("known options refused: %v", err)
	}
	err := c.ValidateWith(nil, []string{"flow_logs.destination", "password.minimum_length"})
	if err == nil || !strings.Contains(err.Error(), "remediation.password.min_length") || !strings.Contains(err.Error(), "did you mean password.minimum_length") {
		t.Errorf("unknown option: %v", err)
	}
}

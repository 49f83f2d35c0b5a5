package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
				if c.Temporal.Address != "127.0.0.1:7233" || c.Defaults.TimeoutAction != TimeoutReject {
					t.Errorf("defaults not applied: %+v", c)
				}
			},
		},
		{
			name: "policy override and days",
			yaml: "policies:\n  aws.s3.public_access_block:\n    mode: approve\n    approval_timeout: 2d\n",
			check: func(t *testing.T, c Config) {
				s := c.Settings("aws.s3.public_access_block", ModeEnforce)
				if s.Mode != ModeApprove || time.Duration(s.ApprovalTimeout) != 48*time.Hour {
					t.Errorf("settings = %+v", s)
				}
				if got := c.Settings("other", ModeEnforce).Mode; got != ModeEnforce {
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
				if got := c.Settings("p", ModeEnforce).Mode; got != ModeNotify {
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

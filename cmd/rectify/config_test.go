package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/config"
)

// runRoot runs the rectify command line as main does, with a clean
// environment, and returns stdout and the error main would print.
func runRoot(t *testing.T, args ...string) (string, error) {
	t.Helper()
	for _, name := range config.EnvNames() {
		t.Setenv(name, "")
	}
	t.Setenv("RECTIFY_CONFIG", "")
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

// A worker given a config with a misspelled policy id must refuse to start,
// before it dials Temporal (none runs here), naming the file and field.
func TestWorkerRefusesBadConfig(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, yaml, want string
	}{
		{"misspelled policy", "policies:\n  aws.ec2.sg_public_admn_ports:\n    mode: \"off\"\n",
			"policies.aws.ec2.sg_public_admn_ports: no such policy (did you mean aws.ec2.sg_public_admin_ports?)"},
		{"exemption for an unknown policy", "exemptions:\n  - {arn: \"arn:aws:s3:::site-*\", policies: [aws.s3.public_acces_block], reason: r, owner: o, expires: 2027-01-31}\n",
			`exemptions[0].policies[0]: "aws.s3.public_acces_block": no such policy (did you mean aws.s3.public_access_block?)`},
		{"structural mistake", "remediation_roles: [garbage]\n", `remediation_roles[0]: "garbage" is not an ARN pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"worker", "-c", path, "--metrics-listen", "127.0.0.1:0"},
				{"config", "validate", "-c", path},
			} {
				_, err := runRoot(t, args...)
				if code := exitCodeOf(err); code == 0 {
					t.Fatalf("rectify %s: exit 0, want non-zero", strings.Join(args, " "))
				}
				if want := path + ": " + tt.want; !strings.Contains(err.Error(), want) {
					t.Errorf("rectify %s: %v\nwant it to mention %q", strings.Join(args, " "), err, want)
				}
			}
		})
	}
}

func TestConfigValidateAcceptsAGoodFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rectify.yaml")
	good := "aws:\n  assume_role: \"arn:aws:iam::{account}:role/rectify-remediation\"\n" +
		"policies:\n  aws.s3.public_access_block: {mode: approve}\n" +
		"sweeps:\n  - {account: \"111111111111\", region: us-east-1, every: 6h}\n"
	if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runRoot(t, "config", "validate", "-c", path)
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ": ok (36 policies known, 1 configured, 0 exemptions, 1 sweeps)"; !strings.Contains(out, want) {
		t.Errorf("output %q, want %q", out, want)
	}
}

// `rectify sweep schedule` flags get the config's sweep checks, before
// anything dials Temporal.
func TestSweepScheduleFlagsChecked(t *testing.T) {
	_, err := runRoot(t, "sweep", "schedule", "--account", "123456789012", "--region", "us-east-1", "--every", "1ms")
	if want := "sweep schedule: every: 1ms is shorter than the minimum 1m0s"; exitCodeOf(err) == 0 || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to mention %q", err, want)
	}
}

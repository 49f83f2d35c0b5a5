package config

import (
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/contract"
)

// The stage of an account: stages: entries (a policy's over its
// account's) and the default stage, observe unless the file says active.
func TestStages(t *testing.T) {
	const a, b = "111111111111", "222222222222"
	path := writeConfig(t, `stages:
  - {account: "111111111111", stage: active, reason: reviewed}
  - {account: "111111111111", policy: aws.ec2.ebs_default_encryption, stage: observe}
defaults:
  reject_snooze: 3d
`)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ValidateWith([]string{"aws.ec2.ebs_default_encryption"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		account, policy string
		want            contract.Stage
		from            string
	}{
		{a, "aws.s3.public_access_block", contract.StageActive, "config stages: account " + a},
		{a, "aws.ec2.ebs_default_encryption", contract.StageObserve, "config stages: aws.ec2.ebs_default_encryption in account " + a},
		{b, "aws.s3.public_access_block", contract.StageObserve, "default stage"},
	} {
		s := c.ViolationSettings(tc.account, tc.policy, contract.ModeEnforce)
		if s.Stage != tc.want || !strings.HasPrefix(s.StageFrom, tc.from) {
			t.Errorf("%s in %s: stage %s from %q; want %s from %q", tc.policy, tc.account, s.Stage, s.StageFrom, tc.want, tc.from)
		}
		// The config gives the policy's own mode; the activities apply the stage.
		if s.Mode != contract.ModeEnforce || s.RejectSnooze != 72*time.Hour {
			t.Errorf("mode %s, snooze %s", s.Mode, s.RejectSnooze)
		}
	}
	if !c.ReasonRequired() {
		t.Error("reasons are required by default")
	}

	c, err = Load(writeConfig(t, "stage: active\nrequire_reason: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := c.StageOf(b, "p"); st != contract.StageActive || c.ReasonRequired() {
		t.Errorf("stage %s, reason required %v", st, c.ReasonRequired())
	}
}

func TestStagesRefused(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"stage", "stage: enforce\n", `stage: "enforce": want observe or active`},
		{"account", "stages:\n  - {account: \"1234\", stage: active}\n", `stages[0].account: "1234" is not a 12-digit account id`},
		{"entry stage", "stages:\n  - {account: \"111111111111\", stage: on}\n", `stages[0].stage: "on": want observe or active`},
		{"duplicate", "stages:\n  - {account: \"111111111111\", stage: active}\n  - {account: \"111111111111\", stage: observe}\n", "stages[1]: the same account and policy as stages[0]"},
		{"unknown field", "stages:\n  - {account: \"111111111111\", stage: active, by: alice}\n", "field by not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	c, err := Load(writeConfig(t, "stages:\n  - {account: \"111111111111\", policy: aws.ec2.ebs_default_encrypton, stage: active}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ValidateWith([]string{"aws.ec2.ebs_default_encryption"}, nil); err == nil || !strings.Contains(err.Error(), "stages[0].policy") || !strings.Contains(err.Error(), "did you mean aws.ec2.ebs_default_encryption") {
		t.Errorf("err = %v", err)
	}
}

// The temporal CLI's environment names work too; rectify's own win.
func TestTemporalEnvironment(t *testing.T) {
	path := writeConfig(t, "temporal:\n  address: file:7233\n")
	t.Setenv("TEMPORAL_ADDRESS", "temporal-cli:7233")
	t.Setenv("TEMPORAL_NAMESPACE", "cli-ns")
	t.Setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", "/ca.pem")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Temporal.Address != "temporal-cli:7233" || c.Temporal.Namespace != "cli-ns" || c.Temporal.TLSCAFile != "/ca.pem" {
		t.Errorf("temporal = %+v", c.Temporal)
	}
	t.Setenv("RECTIFY_TEMPORAL_ADDRESS", "rectify:7233")
	if c, err = Load(path); err != nil || c.Temporal.Address != "rectify:7233" {
		t.Errorf("address = %q (%v), want RECTIFY_TEMPORAL_ADDRESS over TEMPORAL_ADDRESS", c.Temporal.Address, err)
	}
}

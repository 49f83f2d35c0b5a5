package activities

import (
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/policies"
)

// A violation's stage: people's stages (the Accounts workflow) over the
// configuration's, each policy's over its account's, then the default;
// the observe stage makes every mode but off notify and keeps the mode the
// policy takes once promoted.
func TestViolationStage(t *testing.T) {
	const (
		acct   = "111111111111"
		other  = "222222222222"
		sgPol  = "aws.ec2.sg_public_admin_ports" // default mode enforce
		at     = "2026-11-22T12:00:00Z"
		person = "alice"
	)
	when, _ := time.Parse(time.RFC3339, at)
	promoted := func(account, policy string, st contract.Stage) contract.StageRule {
		return contract.StageRule{Account: account, Policy: policy, Stage: st, By: person, At: when, Reason: "reviewed"}
	}
	for _, tc := range []struct {
		name      string
		configure func(*config.Config)
		people    []contract.StageRule
		account   string
		wantMode  contract.Mode
		wantStage contract.Stage
		wantFrom  string
		promoted  contract.Mode
	}{
		{name: "a new account observes", account: acct,
			wantMode: contract.ModeNotify, wantStage: contract.StageObserve, wantFrom: "default stage", promoted: contract.ModeEnforce},
		{name: "promoted by a person", account: acct, people: []contract.StageRule{promoted(acct, "", contract.StageActive)},
			wantMode: contract.ModeEnforce, wantStage: contract.StageActive, wantFrom: "set by alice at " + at},
		{name: "another account's promotion does not count", account: other, people: []contract.StageRule{promoted(acct, "", contract.StageActive)},
			wantMode: contract.ModeNotify, wantStage: contract.StageObserve, promoted: contract.ModeEnforce},
		{name: "promoted in the config", account: acct,
			configure: func(c *config.Config) { c.Stages = []contract.StageRule{{Account: acct, Stage: contract.StageActive}} },
			wantMode:  contract.ModeEnforce, wantStage: contract.StageActive, wantFrom: "config stages: account " + acct},
		{name: "a person's demotion overrides the config", account: acct,
			configure: func(c *config.Config) { c.Stages = []contract.StageRule{{Account: acct, Stage: contract.StageActive}} },
			people:    []contract.StageRule{promoted(acct, "", contract.StageObserve)},
			wantMode:  contract.ModeNotify, wantStage: contract.StageObserve, wantFrom: "rectify accounts", promoted: contract.ModeEnforce},
		{name: "one policy promoted in an observed account", account: acct, people: []contract.StageRule{promoted(acct, sgPol, contract.StageActive)},
			wantMode: contract.ModeEnforce, wantStage: contract.StageActive, wantFrom: sgPol + " in account " + acct},
		{name: "one policy kept observing in an active account", account: acct,
			people:   []contract.StageRule{promoted(acct, "", contract.StageActive), promoted(acct, sgPol, contract.StageObserve)},
			wantMode: contract.ModeNotify, wantStage: contract.StageObserve, promoted: contract.ModeEnforce},
		{name: "default stage active", account: acct, configure: func(c *config.Config) { c.Stage = contract.StageActive },
			wantMode: contract.ModeEnforce, wantStage: contract.StageActive},
		{name: "approve mode observed keeps approve for later", account: acct,
			configure: func(c *config.Config) {
				c.Policies = map[string]config.PolicySettings{sgPol: {Mode: contract.ModeApprove}}
			},
			wantMode: contract.ModeNotify, wantStage: contract.StageObserve, promoted: contract.ModeApprove},
		{name: "off stays off", account: acct,
			configure: func(c *config.Config) { c.Policies = map[string]config.PolicySettings{sgPol: {Mode: contract.ModeOff}} },
			wantMode:  contract.ModeOff, wantStage: contract.StageObserve},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			if tc.configure != nil {
				tc.configure(&cfg)
			}
			a := &Activities{Rules: &cfg, Policies: mustPolicies(t)}
			res := resource.Resource{ARN: "arn:aws:ec2:us-east-1:" + tc.account + ":security-group/sg-1", Account: tc.account}
			got := a.violation(policies.Violation{PolicyID: sgPol, Remediation: "ec2_revoke_ingress", Message: "m"}, res, tc.account, tc.people).Settings
			if got.Mode != tc.wantMode || got.Stage != tc.wantStage || got.PromotedMode != tc.promoted {
				t.Errorf("mode %s, stage %s, promoted %q; want %s, %s, %q", got.Mode, got.Stage, got.PromotedMode, tc.wantMode, tc.wantStage, tc.promoted)
			}
			if !strings.Contains(got.StageFrom, tc.wantFrom) {
				t.Errorf("stage from %q, want it to contain %q", got.StageFrom, tc.wantFrom)
			}
		})
	}
}

// A verdict the policy says no fix can mend (its deny's cannot_fix) is
// notify only, and says why; off stays off, and a fixable verdict of the
// same policy keeps its mode.
func TestViolationCannotFix(t *testing.T) {
	const (
		acct  = "111111111111"
		sgPol = "aws.ec2.sg_public_admin_ports" // default mode enforce
	)
	for _, tc := range []struct {
		name      string
		cannotFix string
		mode      contract.Mode // configured; "" for the default
		wantMode  contract.Mode
		wantMsg   string
	}{
		{name: "fixable", wantMode: contract.ModeEnforce, wantMsg: "m"},
		{name: "cannot fix", cannotFix: "no trail delivers to CloudWatch Logs", wantMode: contract.ModeNotify,
			wantMsg: "m (notify only: no trail delivers to CloudWatch Logs)"},
		{name: "cannot fix, off", cannotFix: "no trail", mode: contract.ModeOff, wantMode: contract.ModeOff, wantMsg: "m (notify only: no trail)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Stage = contract.StageActive
			if tc.mode != "" {
				cfg.Policies = map[string]config.PolicySettings{sgPol: {Mode: tc.mode}}
			}
			a := &Activities{Rules: &cfg, Policies: mustPolicies(t)}
			res := resource.Resource{ARN: "arn:aws:ec2:us-east-1:" + acct + ":security-group/sg-1", Account: acct}
			got := a.violation(policies.Violation{PolicyID: sgPol, Remediation: "ec2_revoke_ingress", Message: "m", CannotFix: tc.cannotFix}, res, acct, nil)
			if got.Settings.Mode != tc.wantMode || got.Message != tc.wantMsg {
				t.Errorf("mode %s, message %q; want %s, %q", got.Settings.Mode, got.Message, tc.wantMode, tc.wantMsg)
			}
		})
	}
}

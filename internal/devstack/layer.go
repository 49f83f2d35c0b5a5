package devstack

import (
	"maps"
	"slices"

	"github.com/rectifyhq/rectify/internal/config"
)

// Layer is the configuration of `rectify dev -c FILE`: the user's file
// (policy modes, defaults, approvers, exemptions, Slack, stages, sweeps,
// remediation options, the audit trail, log and tracing), with what makes
// the local stack run kept from dev: its Temporal server, the fake cloud's
// endpoint and region, the remediation role, and the queues. The stack's
// own approver, demo-account promotion, loop-prevention role and demo
// policy modes stay too, beside the user's; a policy entry of the file
// wins over the demo's.
func Layer(user, dev config.Config) config.Config {
	out := user
	out.Temporal = dev.Temporal
	out.AWS.Region, out.AWS.Endpoint = dev.AWS.Region, dev.AWS.Endpoint
	out.AWS.AssumeRole, out.AWS.ExternalID = dev.AWS.AssumeRole, dev.AWS.ExternalID
	out.Queue = dev.Queue
	out.RemediationRoles = union(dev.RemediationRoles, user.RemediationRoles)
	out.Approvers = union(dev.Approvers, user.Approvers)
	out.Stages = append(slices.Clone(dev.Stages), user.Stages...)
	if len(user.Accounts) > 0 {
		out.Accounts = union(user.Accounts, []string{Account})
	}
	if user.Audit.Bucket == "" {
		out.Audit = dev.Audit
	}
	out.Policies = maps.Clone(dev.Policies)
	if out.Policies == nil {
		out.Policies = map[string]config.PolicySettings{}
	}
	maps.Copy(out.Policies, user.Policies)
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

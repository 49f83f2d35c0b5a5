// Package activities holds every side effect of rectify's workflows: reading
// live AWS state, evaluating policies, changing resources, recording
// findings, notifying humans and starting other workflows. Each activity is
// idempotent and reports AWS failures as typed Temporal application errors.
package activities

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/policies"
)

// Activities holds the dependencies; its exported methods are the
// activities. It keeps no state between calls.
type Activities struct {
	AWS      *awsclient.Factory
	Policies *policies.Set
	Notifier Notifier
	Findings FindingWriter
	// Audit, when set, keeps the audit trail (RecordAudit).
	Audit AuditWriter
	// Temporal starts and signals workflows (Dispatch); TaskQueue is where.
	Temporal  client.Client
	TaskQueue string
	// Rules are the operator's decisions the activities apply: each
	// policy's settings and the exemptions (*config.Config is one).
	Rules Rules
	// DLQURL is where EvaluationFailed keeps the trigger of an evaluation
	// that gave up; empty keeps it in the log and the history only.
	DLQURL string
	// AuthGrace is how many attempts an auth error gets (0: awserr's).
	AuthGrace int
	// Options are what the operator gave the remediation actions (the
	// config's remediation section), by the keys the actions declare.
	Options map[string]string
	// Kinds is the kind registry; nil takes internal/service's.
	Kinds *kind.Registry
	Log   *slog.Logger
	// Metrics, when set, counts evaluations, violations and remediations.
	Metrics *metrics.Metrics
	// Now is the clock for exemption expiry and finding timestamps.
	Now func() time.Time
	// StageTTL is how long the stages people set (the Accounts workflow)
	// are cached; 0 means DefaultStageTTL. A promotion or demotion reaches
	// every worker within it.
	StageTTL time.Duration

	stages stageCache
}

// Context is the context every activity of a's worker runs under (the
// worker's BackgroundActivityContext): parent with what the free helpers
// need from a's configuration, today the auth grace awsError applies. It
// is a function, not a method: every exported method is an activity.
func Context(parent context.Context, a *Activities) context.Context {
	if a == nil || a.AuthGrace == 0 {
		return parent
	}
	return awserr.WithAuthGrace(parent, a.AuthGrace)
}

// Rules is what the operator decided, as the activities apply it. The
// activities do not read the configuration file themselves, so the
// workflows that name them stay free of it.
type Rules interface {
	// ViolationSettings resolves how a policy acts on one violation in
	// account: the policy's mode, and the stage the configuration gives
	// the account (Settings.Stage; empty for none). The activities then
	// apply the stages people set with `rectify accounts`, which override
	// it, and make the mode notify in the observe stage.
	ViolationSettings(account, policyID string, defaultMode contract.Mode) contract.Settings
	// ExemptionRules are the exemptions written in the configuration.
	ExemptionRules() []exempt.Rule
}

// noRules is the zero configuration: each policy's default mode, no
// exemptions.
type noRules struct{}

func (noRules) ViolationSettings(_, _ string, m contract.Mode) contract.Settings {
	return contract.Settings{Mode: m}
}

func (noRules) ExemptionRules() []exempt.Rule { return nil }

func (a *Activities) rules() Rules {
	if a.Rules == nil {
		return noRules{}
	}
	return a.Rules
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Activities) logger() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

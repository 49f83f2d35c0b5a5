package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/internal/slackapp"
	"github.com/rectifyhq/rectify/policies"
)

// Deps are what a worker needs beyond its configuration.
type Deps struct {
	Temporal client.Client
	Policies *policies.Set
	Log      *slog.Logger
	// Metrics, when set, counts evaluations, violations, remediations and
	// findings.
	Metrics *metrics.Metrics
	// Credentials replace the SDK's default credential chain (the local
	// stack's worker identity); nil uses the chain.
	Credentials aws.CredentialsProvider
	// Notifier replaces the one the configuration implies (Slack when a
	// bot token is set, else the log).
	Notifier activities.Notifier
	// StageTTL is how long account stages are cached (0: the default).
	StageTTL time.Duration
}

// Activities assembles the activities a worker runs from its
// configuration. It is the one place this wiring is written: `rectify
// worker` and the local stack (`rectify dev`, the integration tests) both
// call it, so the local stack runs the settings production runs.
func Activities(ctx context.Context, cfg *config.Config, d Deps) (*activities.Activities, error) {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	factory, err := awsclient.New(ctx, awsclient.Options{
		Region: cfg.AWS.Region, Endpoint: cfg.AWS.Endpoint,
		AssumeRole: cfg.AWS.AssumeRole, ExternalID: cfg.AWS.ExternalID, Credentials: d.Credentials,
	})
	if err != nil {
		return nil, err
	}
	acts := &activities.Activities{
		AWS: factory, Policies: d.Policies, Notifier: d.Notifier,
		Temporal: d.Temporal, TaskQueue: cfg.Temporal.TaskQueue,
		Rules: cfg, Options: cfg.RemediationOptions(), DLQURL: cfg.Queue.DLQURL, AuthGrace: cfg.AWS.AuthGraceAttempts,
		Log: log, Metrics: d.Metrics, StageTTL: d.StageTTL, Audit: AuditWriter(factory, cfg, log),
	}
	if acts.Notifier == nil && cfg.Slack.Enabled() {
		if acts.Notifier, err = slackapp.NewNotifier(cfg, log); err != nil {
			return nil, err
		}
	}
	if acts.Notifier == nil {
		acts.Notifier = activities.LogNotifier{Log: log}
	}
	if cfg.AWS.SecurityHub == nil || *cfg.AWS.SecurityHub {
		acts.Findings = &activities.SecurityHub{
			AWS: factory, Metrics: d.Metrics,
			Quiet: time.Duration(cfg.AWS.FindingsBatchDelay), MaxDelay: time.Duration(cfg.AWS.FindingsBatchMaxDelay),
			Links: activities.FindingLinks{TemporalUI: cfg.Temporal.UIURL, Namespace: cfg.Temporal.Namespace, ControlsURL: cfg.AWS.ControlsURL},
		}
	}
	return acts, nil
}

package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/worker"
)

func newWorkerCmd(g *globalFlags) *cobra.Command {
	var metricsAddr string
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker (workflows and activities)",
		Long: "Run the Temporal worker that executes the Evaluate and Remediation workflows and every\n" +
			"activity: live reads, policy evaluation, remediation, findings and notifications.\n\n" +
			"Environment overrides: " + strings.Join(config.EnvNames(), ", "),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := g.load()
			if err != nil {
				return err
			}
			// The policies first: a config naming a policy that does not
			// exist must stop the worker before it connects anywhere.
			set, err := loadCheckedPolicies(&cfg, log)
			if err != nil {
				return err
			}
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			obs, err := setupObservability(ctx, cfg, "rectify-worker")
			if err != nil {
				return err
			}
			defer obs.tracing.Shutdown(context.WithoutCancel(ctx))
			m := obs.metrics
			tc, err := dialTemporal(cfg, log, obs)
			if err != nil {
				return err
			}
			defer tc.Close()
			factory, err := awsclient.New(ctx, awsclient.Options{
				Region: cfg.AWS.Region, Endpoint: cfg.AWS.Endpoint,
				AssumeRole: cfg.AWS.AssumeRole, ExternalID: cfg.AWS.ExternalID,
			})
			if err != nil {
				return err
			}
			acts := &activities.Activities{
				AWS: factory, Policies: set, Notifier: activities.LogNotifier{Log: log},
				Temporal: tc, TaskQueue: cfg.Temporal.TaskQueue, Config: &cfg, Log: log, Metrics: m,
			}
			if cfg.Slack.Enabled() {
				if acts.Notifier, err = activities.NewSlackNotifier(&cfg, log); err != nil {
					return err
				}
			}
			if cfg.AWS.SecurityHub == nil || *cfg.AWS.SecurityHub {
				acts.Findings = &activities.SecurityHub{AWS: factory, Metrics: m, Quiet: time.Duration(cfg.AWS.FindingsBatchDelay), MaxDelay: time.Duration(cfg.AWS.FindingsBatchMaxDelay)}
			}
			w := worker.New(tc, cfg.Temporal.TaskQueue, acts, worker.Options{})
			log.Info("worker started", "temporal", cfg.Temporal.Address, "namespace", cfg.Temporal.Namespace,
				"task_queue", cfg.Temporal.TaskQueue, "policies", len(set.Policies()), "revision", set.Revision())
			if err := w.Start(); err != nil {
				return fmt.Errorf("start worker: %w", err)
			}
			msrv := serveMetrics(metricsAddr, m, log)
			<-ctx.Done()
			w.Stop()
			return msrv.Close()
		},
	}
	cmd.Flags().StringVar(&metricsAddr, "metrics-listen", ":9090", "HTTP address for Prometheus /metrics")
	return cmd
}

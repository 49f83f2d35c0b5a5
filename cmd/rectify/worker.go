package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/worker"
)

func newWorkerCmd(g *globalFlags) *cobra.Command {
	var metricsAddr string
	var exitAfter time.Duration
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker (workflows and activities)",
		Long: "Run the Temporal worker that executes the Evaluate and Remediation workflows and every\n" +
			"activity: live reads, policy evaluation, remediation, findings and notifications.\n" +
			"--metrics-listen serves /metrics, /healthz (the process answers) and /readyz (connected to\n" +
			"Temporal and polling the task queue). A worker that cannot reach Temporal for longer than\n" +
			"--exit-after-disconnected exits non-zero, so that its supervisor restarts it.\n\n" +
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
			obs, err := setupObservability(ctx, cfg, "rectify-worker", metrics.Worker)
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
			acts, err := worker.Activities(ctx, &cfg, worker.Deps{Temporal: tc, Policies: set, Log: log, Metrics: m})
			if err != nil {
				return err
			}
			identity := worker.DefaultIdentity()
			w := worker.New(tc, cfg.Temporal.TaskQueue, acts, worker.Options{Identity: identity})
			health := &worker.Health{Client: tc, TaskQueue: cfg.Temporal.TaskQueue, Identity: identity, Log: log}
			log.Info("worker started", "temporal", cfg.Temporal.Address, "namespace", cfg.Temporal.Namespace,
				"task_queue", cfg.Temporal.TaskQueue, "identity", identity, "policies", len(set.Policies()), "revision", set.Revision(),
				"audit", auditLocation(cfg))
			if err := w.Start(); err != nil {
				return fmt.Errorf("start worker: %w", err)
			}
			ml, err := listenMetrics(metricsAddr)
			if err != nil {
				w.Stop()
				return err
			}
			health.SetRunning(true)
			msrv := serveMetrics(ml, m, log, health.Ready, nil)
			var runErr error
			if exitAfter > 0 {
				runErr = health.Watch(ctx, exitAfter)
			} else {
				<-ctx.Done()
			}
			health.SetRunning(false)
			w.Stop()
			return errors.Join(runErr, msrv.Close())
		},
	}
	cmd.Flags().StringVar(&metricsAddr, "metrics-listen", ":9090", "HTTP address for Prometheus /metrics, /healthz and /readyz")
	cmd.Flags().DurationVar(&exitAfter, "exit-after-disconnected", 5*time.Minute,
		"exit non-zero when Temporal has been unreachable for this long (0: never)")
	return g.temporalFlags(cmd)
}

package main

import (
	"context"
	"errors"
	"net/http"

	"time"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/internal/slackapp"
	"github.com/rectifyhq/rectify/starter"
)

func newStarterCmd(g *globalFlags) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "starter",
		Short: "Consume the event queue and start evaluations",
		Long: "Long-poll the SQS queue that EventBridge feeds with CloudTrail events, and\n" +
			"SignalWithStart the Evaluate workflow of every resource an event touches.\n" +
			"Events caused by the remediation roles, failed calls and read-only calls are dropped.\n" +
			"A message is deleted only once its evaluations are started; an unparseable one\n" +
			"stays on the queue until its redrive policy moves it to the dead-letter queue.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := g.load()
			if err != nil {
				return err
			}
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			obs, err := setupObservability(ctx, cfg, "rectify-starter", metrics.Starter)
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
			c, err := starter.FromConfig(ctx, &cfg, starter.Deps{Temporal: tc, Log: log, Stats: &starter.Stats{Metrics: m}, Tracer: obs.tracing.Tracer()})
			if err != nil {
				return err
			}
			var slackH *slackapp.Handler
			if cfg.Slack.Enabled() {
				if slackH, err = slackapp.NewHandlerFromConfig(&cfg, tc, log); err != nil {
					return err
				}
			}
			srv := starter.NewHTTPServer(listen, slackH, c.Ready, starter.Route{Pattern: "/metrics", Handler: m.Handler()})
			go func() {
				if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("starter http server", "addr", listen, "err", err)
					stop()
				}
			}()
			open := &starter.OpenViolations{Temporal: tc, TaskQueue: cfg.Temporal.TaskQueue, Metrics: m, Log: log}
			go open.Run(ctx)
			log.Info("starter consuming", "queue", cfg.Queue.URL, "workers", cfg.Queue.Workers, "http", listen, "slack", slackH != nil)
			runErr := c.Run(ctx)
			shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = srv.Shutdown(shutdown)
			if slackH != nil {
				slackH.Wait()
			}
			return runErr
		},
	}
	cmd.Flags().StringVar(&listen, "listen", ":8080", "HTTP address for /healthz, /readyz, /metrics and /slack/interactions")
	return g.temporalFlags(cmd)
}

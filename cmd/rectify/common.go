package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/logging"
	"github.com/rectifyhq/rectify/internal/metrics"
)

// globalFlags are shared by every command that reads the configuration.
type globalFlags struct {
	configPath string
}

func (g *globalFlags) register(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVarP(&g.configPath, "config", "c", os.Getenv("RECTIFY_CONFIG"),
		"configuration file (YAML); RECTIFY_* environment variables override it")
}

func (g *globalFlags) load() (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(g.configPath)
	if err != nil {
		return config.Config{}, nil, err
	}
	log, err := logging.New(os.Stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return config.Config{}, nil, fmt.Errorf("config log: %w", err)
	}
	return cfg, log, nil
}

func dialTemporal(cfg config.Config, log *slog.Logger, m ...*metrics.Metrics) (client.Client, error) {
	opts := client.Options{
		HostPort:  cfg.Temporal.Address,
		Namespace: cfg.Temporal.Namespace,
		Logger:    logging.Temporal(log),
	}
	if len(m) > 0 && m[0] != nil {
		opts.MetricsHandler = m[0].TemporalHandler()
	}
	c, err := client.Dial(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w", cfg.Temporal.Address, cfg.Temporal.Namespace, err)
	}
	return c, nil
}

// signalContext is cancelled by SIGINT or SIGTERM, for graceful shutdown.
func signalContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// serveMetrics serves /metrics on addr in the background.
func serveMetrics(addr string, m *metrics.Metrics, log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "addr", addr, "err", err)
		}
	}()
	return srv
}

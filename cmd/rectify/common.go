package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/logging"
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

func dialTemporal(cfg config.Config, log *slog.Logger) (client.Client, error) {
	c, err := client.Dial(client.Options{
		HostPort:  cfg.Temporal.Address,
		Namespace: cfg.Temporal.Namespace,
		Logger:    logging.Temporal(log),
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w", cfg.Temporal.Address, cfg.Temporal.Namespace, err)
	}
	return c, nil
}

// signalContext is cancelled by SIGINT or SIGTERM, for graceful shutdown.
func signalContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

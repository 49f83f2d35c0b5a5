package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/policies"
)

func newConfigCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check the configuration file",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate [-c FILE]",
		Short: "Check a configuration as the worker would, without connecting anywhere",
		Long: "Read the configuration (--config, or RECTIFY_CONFIG, and the RECTIFY_* environment\n" +
			"overrides), check every field, and check every policy id it names against the built-in\n" +
			"policies: the checks `rectify worker` makes before it starts. Exit status 0 when the\n" +
			"configuration is usable, 2 with the file and field otherwise.",
		Example: "  rectify config validate -c rectify.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := g.load()
			if err != nil {
				return err
			}
			set, err := loadCheckedPolicies(&cfg, log)
			if err != nil {
				return err
			}
			name := g.configPath
			if name == "" {
				name = "configuration (defaults and environment)"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%d policies known, %d configured, %d exemptions, %d sweeps)\n",
				name, len(set.IDs()), len(cfg.Policies), len(cfg.Exemptions), len(cfg.Sweeps))
			return nil
		},
	})
	return cmd
}

// loadCheckedPolicies loads the built-in policies and checks cfg against
// them (config.ValidateWith): the one check every process that acts on the
// policies makes before it starts.
func loadCheckedPolicies(cfg *config.Config, log *slog.Logger) (*policies.Set, error) {
	set, err := policies.Load(policies.WithLogger(log))
	if err != nil {
		return nil, err
	}
	if err := cfg.ValidateWith(set.IDs(), service.Registry.OptionKeys()); err != nil {
		return nil, err
	}
	return set, nil
}

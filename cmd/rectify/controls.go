package main

import (
	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/controls"
	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/policies"
)

func newControlsCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "controls",
		Short: "List every control: its FSBP and CIS ids, planes, fix, default mode, undo and IAM permissions",
		Long: "controls lists what rectify checks and fixes, derived from the policies' METADATA and the kind\n" +
			"registry, so it is always what this binary does. docs/controls.md is its markdown output.",
		Example: "  rectify controls\n  rectify controls --format json | jq '.[] | select(.action != \"\") | .controls'\n" +
			"  rectify controls --format markdown > docs/controls.md",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := policies.Load()
			if err != nil {
				return err
			}
			return controls.Write(cmd.OutOrStdout(), controls.List(set, service.Registry, service.Plan), format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text, json or markdown")
	return cmd
}

package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until the events parser lands; replaced by the real command.
func newEventsCmd() *cobra.Command {
	return &cobra.Command{Use: "events", Short: "Event tools (not built yet)", RunE: func(*cobra.Command, []string) error { return errors.New("not built yet") }}
}

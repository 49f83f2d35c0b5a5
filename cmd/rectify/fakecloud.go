package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until the fake cloud lands; replaced by the real command.
func newFakecloudCmd() *cobra.Command {
	return &cobra.Command{Use: "fakecloud", Short: "Fake cloud (not built yet)", RunE: func(*cobra.Command, []string) error { return errors.New("not built yet") }}
}

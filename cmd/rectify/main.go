// Command rectify is the one binary: the local stack, the worker, the
// starter, plan checks and the operator commands.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "rectify",
		Short:         "Remediation orchestrator for cloud security, on Temporal",
		Long:          "rectify turns every cloud-security policy violation into one durable Temporal workflow:\nevaluate → notify → wait for approval or timeout → remediate → verify → record.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var g globalFlags
	g.register(root)
	root.AddCommand(
		newVersionCmd(),
		newDevCmd(&g),
		newWorkerCmd(&g),
		newStarterCmd(&g),
		newDecideCmd(&g, true),
		newDecideCmd(&g, false),
		newUndoCmd(&g),
		newListCmd(&g),
		newReportCmd(&g),
		newSweepCmd(&g),
		newDLQCmd(&g),
		newFakecloudCmd(),
		newEventsCmd(),
		newCheckCmd(), newPolicyCmd(),
		newSlackCmd(),
		newConfigCmd(&g),
	)
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the rectify version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "rectify", version)
		},
	}
}

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "rectify:", err)
		os.Exit(exitCode(err))
	}
}

// exitError carries a specific exit code (for example 1 for "violations
// found" as opposed to 2 for usage errors).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if e, ok := err.(*exitError); ok {
		return e.code
	}
	return 2
}

// Command rectify is the one binary: the local stack, the worker, the
// starter, plan checks and the operator commands.
package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/policies"
)

// Build information, set by the Makefile with -ldflags "-X main.version=...
// -X main.commit=... -X main.date=...". A plain `go build` leaves them
// empty, and `rectify version` falls back to the VCS stamp Go embeds.
var (
	version = "dev"
	commit  = ""
	date    = ""
)

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
		newDemoCmd(),
		newWorkerCmd(&g),
		newStarterCmd(&g),
		newDecideCmd(&g, true),
		newDecideCmd(&g, false),
		newUndoCmd(&g),
		newListCmd(&g),
		newShowCmd(&g),
		newAccountsCmd(&g),
		newReportCmd(&g),
		newSweepCmd(&g),
		newDLQCmd(&g),
		newFakecloudCmd(),
		newEventsCmd(&g),
		newCheckCmd(), newPolicyCmd(), newControlsCmd(),
		newSlackCmd(),
		newConfigCmd(&g),
	)
	return root
}

// buildInfo is what `rectify version` prints.
type buildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	// Modified says the commit had uncommitted changes when built.
	Modified bool   `json:"modified,omitempty"`
	Date     string `json:"date"`
	Go       string `json:"go"`
	// Policies is the revision of the built-in policy bundle (a hash of
	// the Rego sources), as every decision log names it.
	Policies    string `json:"policies"`
	PolicyCount int    `json:"policy_count"`
}

func readBuildInfo() (buildInfo, error) {
	b := buildInfo{Version: version, Commit: commit, Date: date, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
		if b.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
	}
	set, err := policies.Load(policies.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return b, fmt.Errorf("load the built-in policies: %w", err)
	}
	b.Policies, b.PolicyCount = set.Revision(), len(set.IDs())
	return b, nil
}

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the rectify version, commit, build date and policy bundle revision",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := readBuildInfo()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(b)
			}
			orUnknown := func(s string) string {
				if s == "" {
					return "unknown (built without -ldflags or VCS stamp)"
				}
				return s
			}
			c := orUnknown(b.Commit)
			if b.Modified {
				c += " (with uncommitted changes)"
			}
			fmt.Fprintf(out, "rectify %s\n  commit    %s\n  built     %s\n  go        %s\n  policies  revision %s (%d controls)\n",
				b.Version, c, orUnknown(b.Date), b.Go, b.Policies, b.PolicyCount)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
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

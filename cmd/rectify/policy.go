package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/policies"
)

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Work with Rego policies: the built-in ones and your own",
	}
	cmd.AddCommand(newPolicyTestCmd())
	return cmd
}

func newPolicyTestCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "test [DIR]",
		Short: "Run the Rego tests of DIR (default: the built-in policies)",
		Long: "Run the Rego tests (test_* rules in *_test.rego files) of DIR through OPA's test\n" +
			"runner and print PASS or FAIL for each. Without DIR, the policies built into\n" +
			"rectify are tested.\n\n" +
			"DIR is loaded as `opa test DIR` loads it, JSON and YAML data included, but as\n" +
			"rectify loads policies: Rego v1, without network, clock or random built-ins,\n" +
			"and every package that defines deny must carry valid METADATA. A DIR that\n" +
			"passes here also loads with `rectify check --policy-dir DIR`.\n\n" +
			"Exit status: 0 when every test passes, 1 when one fails, 2 when the policies\n" +
			"do not load or there are no tests.",
		Example: "  rectify policy test\n  rectify policy test ./policies",
		Args:    cobra.MaximumNArgs(1),
		// A failing test is not a usage mistake.
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			return runPolicyTest(cmd, dir)
		},
	}
}

func runPolicyTest(cmd *cobra.Command, dir string) error {
	name := dir
	if name == "" {
		name = "the built-in policies"
	}
	results, err := policies.RunTests(cmd.Context(), dir)
	if err != nil {
		return inputError("policy test %s: %w", name, err)
	}
	if len(results) == 0 {
		return inputError("policy test %s: no tests: write test_* rules in *_test.rego files", name)
	}
	if failed := writeTestResults(cmd.OutOrStdout(), results); failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("policy test %s: %d of %d tests failed", name, failed, len(results))}
	}
	return nil
}

// writeTestResults prints one line per test, with the location, error and
// print() output of a failure below it, then a summary.
func writeTestResults(w io.Writer, results []policies.TestResult) (failed int) {
	skipped := 0
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	for _, r := range results {
		id := r.Package + "." + r.Name
		switch {
		case r.Skip:
			skipped++
			fmt.Fprintf(bw, "SKIP  %s\n", id)
		case r.Pass:
			fmt.Fprintf(bw, "PASS  %s (%s)\n", id, r.Duration.Round(time.Microsecond))
		default:
			failed++
			fmt.Fprintf(bw, "FAIL  %s (%s:%d)\n", id, r.File, r.Line)
			if r.Error != "" {
				fmt.Fprintf(bw, "      error: %s\n", r.Error)
			}
			for _, line := range strings.Split(strings.TrimRight(r.Output, "\n"), "\n") {
				if line != "" {
					fmt.Fprintf(bw, "      %s\n", line)
				}
			}
		}
	}
	fmt.Fprintf(bw, "\n%d passed, %d failed, %d skipped\n", len(results)-failed-skipped, failed, skipped)
	return failed
}

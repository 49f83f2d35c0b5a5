package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/devstack"
)

func newDemoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Play the demo scenario against a running `rectify dev`",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newDemoPlayCmd())
	return cmd
}

func newDemoPlayCmd() *cobra.Command {
	var devURL string
	var auto bool
	cmd := &cobra.Command{
		Use:   "play [--dev URL] [--auto-approve]",
		Short: "Play the demo scenario on fresh resources of a running `rectify dev`",
		Long: "Ask a running `rectify dev` to play its scenario again, on a fresh security group and bucket:\n" +
			"a human opens SSH to the world and deletes the bucket's public access block; rectify revokes\n" +
			"the rule by itself (enforce) and waits for a person to approve the bucket fix (approve). The\n" +
			"steps print here, with the exact `rectify approve` command; run it in another terminal (or\n" +
			"reject with a reason). --auto-approve approves by itself, for scripts.\n\n" +
			"The last line is the summary as JSON; the command exits 1 when it did not match.",
		Example: "  rectify demo play\n  rectify demo play --auto-approve --dev http://127.0.0.1:9464",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			url := strings.TrimSuffix(devURL, "/") + devstack.PlayPath
			if auto {
				url += "?auto-approve=true"
			}
			req, err := http.NewRequestWithContext(cmd.Context(), http.MethodPost, url, nil)
			if err != nil {
				return fmt.Errorf("--dev %q: %w", devURL, err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("no rectify dev answers at %s (start one with `rectify dev`, or give its --metrics-listen address as --dev): %w", devURL, err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				var b strings.Builder
				_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
				return fmt.Errorf("rectify dev at %s: %s: %s", devURL, resp.Status, strings.TrimSpace(b.String()))
			}
			out := cmd.OutOrStdout()
			var last string
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				last = sc.Text()
				fmt.Fprintln(out, last)
			}
			if err := sc.Err(); err != nil {
				return fmt.Errorf("demo play: %w", err)
			}
			var sum devstack.Summary
			if err := json.Unmarshal([]byte(last), &sum); err != nil {
				return fmt.Errorf("demo play: the stack did not finish the scenario (last line %q)", last)
			}
			if !sum.OK {
				return &exitError{code: 1, err: fmt.Errorf("demo did not match its expectation: %v", sum.Problems)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&devURL, "dev", "http://127.0.0.1:9464", "the running rectify dev (its --metrics-listen address)")
	cmd.Flags().BoolVar(&auto, "auto-approve", false, "approve by itself instead of waiting for a person")
	return cmd
}

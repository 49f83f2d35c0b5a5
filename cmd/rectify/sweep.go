package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/starter"
)

func newSweepCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Scheduled sweeps: list every supported resource and evaluate it",
		Long: "A sweep lists every supported resource of an account and region, page by page under a rate\n" +
			"limit, and feeds each to the Evaluate workflow: it catches drift that no event reported.\n" +
			"Each account and region has one Temporal Schedule (ID sweep/<account>/<region>); a sweep due\n" +
			"while the previous one runs is skipped.",
	}
	cmd.AddCommand(newSweepScheduleCmd(g), newSweepTriggerCmd(g), newSweepListCmd(g))
	return g.temporalFlags(cmd)
}

func newSweepScheduleCmd(g *globalFlags) *cobra.Command {
	var sw config.Sweep
	var every time.Duration
	cmd := &cobra.Command{
		Use:   "schedule [--account A --region R --every 6h]",
		Short: "Create or update sweep schedules (from flags, or every entry of sweeps: in the config)",
		Example: "  rectify sweep schedule --account 123456789012 --region us-east-1 --every 6h\n" +
			"  rectify sweep schedule --config rectify.yaml",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := g.load()
			if err != nil {
				return err
			}
			sweeps := cfg.Sweeps
			if sw.Account != "" || sw.Region != "" {
				if sw.Account == "" || sw.Region == "" || every <= 0 {
					return errors.New("sweep schedule: give --account, --region and --every together")
				}
				sw.Every = config.Duration(every)
				if err := sw.Validate(); err != nil {
					return fmt.Errorf("sweep schedule: %w", err)
				}
				sweeps = []config.Sweep{sw}
			}
			if len(sweeps) == 0 {
				return errors.New("sweep schedule: nothing to schedule: give --account/--region/--every or sweeps: in the config")
			}
			tc, err := dialTemporal(cfg, log)
			if err != nil {
				return err
			}
			defer tc.Close()
			for _, s := range sweeps {
				in := contract.SweepInput{Account: s.Account, Region: s.Region, PagesPerSecond: s.PagesPerSecond}
				if err := starter.EnsureSweep(cmd.Context(), tc, cfg.Temporal.TaskQueue, starter.SweepSchedule{Input: in, Every: time.Duration(s.Every)}); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "scheduled %s every %s\n", contract.SweepID(s.Account, s.Region), time.Duration(s.Every))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sw.Account, "account", "", "account id")
	cmd.Flags().StringVar(&sw.Region, "region", "", "region")
	cmd.Flags().DurationVar(&every, "every", 6*time.Hour, "interval")
	cmd.Flags().Float64Var(&sw.PagesPerSecond, "pages-per-second", 2, "list-call rate limit")
	return cmd
}

func newSweepTriggerCmd(g *globalFlags) *cobra.Command {
	var account, region, output string
	var preview bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "trigger --account A --region R [--preview]",
		Short: "Run a scheduled sweep now (skipped if one is running), or preview what it would change",
		Long: "Run the sweep schedule of an account and region now; a sweep already running makes this one\n" +
			"skip.\n\n" +
			"--preview runs a sweep that changes nothing: it lists and judges every resource as a sweep\n" +
			"would (with the configuration, the account's stage and the exemptions) and prints what would\n" +
			"happen to each violation: fixed on its own, asked for approval, or notified only. It starts no\n" +
			"Remediation, records no finding, and needs no schedule.",
		Example: "  rectify sweep trigger --account 123456789012 --region us-east-1 --preview\n" +
			"  rectify sweep trigger --account 123456789012 --region us-east-1",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return fmt.Errorf("-o %q: want table or json", output)
			}
			cfg, tc, err := g.connect()
			if err != nil {
				return err
			}
			defer tc.Close()
			if preview {
				ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
				defer cancel()
				p, err := starter.PreviewSweep(ctx, tc, cfg.Temporal.TaskQueue, contract.SweepInput{Account: account, Region: region, PagesPerSecond: 5})
				if err != nil {
					return err
				}
				if output == "json" {
					enc := json.NewEncoder(cmd.OutOrStdout())
					enc.SetIndent("", "  ")
					return enc.Encode(p)
				}
				return printPreview(cmd.OutOrStdout(), p)
			}
			if err := starter.TriggerSweep(cmd.Context(), tc, account, region); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "triggered", contract.SweepID(account, region))
			return nil
		},
	}
	cmd.Flags().StringVar(&account, "account", "", "account id (required)")
	cmd.Flags().StringVar(&region, "region", "", "region (required)")
	cmd.Flags().BoolVar(&preview, "preview", false, "list what a sweep would change, and change nothing")
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Minute, "with --preview: how long to wait for it")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "with --preview: table or json")
	_ = cmd.MarkFlagRequired("account")
	_ = cmd.MarkFlagRequired("region")
	return cmd
}

// printPreview prints what a sweep would do, what changes without a
// person first.
func printPreview(w io.Writer, p contract.SweepProgress) error {
	items := slices.Clone(p.Preview)
	slices.SortStableFunc(items, func(x, y contract.PreviewItem) int {
		if x.Changes != y.Changes {
			if x.Changes {
				return -1
			}
			return 1
		}
		return strings.Compare(x.ARN+x.PolicyID, y.ARN+y.PolicyID)
	})
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tPOLICY\tSEVERITY\tMODE\tSTAGE\tWOULD")
	changes := 0
	for _, it := range items {
		if it.Changes {
			changes++
		}
		stage := string(it.Stage)
		if stage == "" {
			stage = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", it.ARN, it.PolicyID, it.Severity, it.Mode, stage, it.Outcome)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d resource(s) judged, %d violation(s): %d would be changed without a person deciding. Preview only: nothing was changed.\n",
		p.Evaluated, len(p.Preview)+p.PreviewDropped, changes)
	if p.PreviewDropped > 0 {
		fmt.Fprintf(w, "%d more violation(s) not listed (a preview keeps %d).\n", p.PreviewDropped, contract.MaxPreviewItems)
	}
	return nil
}

func newSweepListCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List sweep schedules with the progress of their latest run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, tc, err := g.connect()
			if err != nil {
				return err
			}
			defer tc.Close()
			sweeps, err := starter.ListSweeps(cmd.Context(), tc)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SCHEDULE\tPAUSED\tNEXT\tLAST RUN\tPAGES\tLISTED\tEVALUATED")
			for _, s := range sweeps {
				next := "-"
				if !s.Next.IsZero() {
					next = s.Next.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%d\t%d\t%d\n", s.ID, s.Paused, next, s.Status, s.Progress.Pages, s.Progress.Listed, s.Progress.Evaluated)
			}
			return tw.Flush()
		},
	}
}

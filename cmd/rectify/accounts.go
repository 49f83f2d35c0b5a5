package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
)

func newAccountsCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "accounts",
		Short: "Stages of the accounts rectify acts in: observe (notify only) or active",
		Long: "Every account starts in the observe stage: each control notifies and records what it would\n" +
			"have done, and changes nothing. A person promotes an account, or one policy in it, to the\n" +
			"active stage, where each policy acts in its own mode (enforce, approve or notify).\n\n" +
			"Promotions and demotions are kept by the Accounts workflow (ID rectify/accounts/<task queue>),\n" +
			"shared by every worker (within 5 s) and auditable: each change is an Update in its history,\n" +
			"with who, when and why. They override the config file's stage: and stages: entries; a\n" +
			"policy's stage overrides its account's. Demoting a whole account also drops the policies\n" +
			"promoted in it. A violation already open keeps the stage it was found in; the next event or\n" +
			"sweep (rectify sweep trigger) uses the new one.",
		Args: cobra.NoArgs,
	}
	g.temporalFlags(cmd)
	cmd.AddCommand(newStageCmd(g, contract.StageActive), newStageCmd(g, contract.StageObserve), newAccountsListCmd(g))
	return cmd
}

func newStageCmd(g *globalFlags, stage contract.Stage) *cobra.Command {
	verb := "promote"
	short := "Move an account, or one policy in it, to the active stage: each policy acts in its own mode"
	if stage == contract.StageObserve {
		verb = "demote"
		short = "Move an account, or one policy in it, back to the observe stage: notify only"
	}
	var policy, user, reason string
	cmd := &cobra.Command{
		Use:     verb + " ACCOUNT [--policy ID] --as USER --reason WHY",
		Short:   short,
		Example: fmt.Sprintf("  rectify accounts %s 123456789012 --as alice --reason 'reviewed a week of observe findings'\n  rectify accounts %s 123456789012 --policy aws.ec2.sg_public_admin_ports --as alice --reason 'change CAB-42'", verb, verb),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			account := args[0]
			if !resource.IsAccountID(account) {
				return fmt.Errorf("%q is not a 12-digit account id", account)
			}
			if policy != "" {
				if err := knownPolicy("--policy", policy); err != nil {
					return err
				}
			}
			cfg, tc, err := g.connect()
			if err != nil {
				return err
			}
			defer tc.Close()
			if cfg.ReasonRequired() && strings.TrimSpace(reason) == "" {
				return fmt.Errorf("%s needs --reason: why, for the audit trail (require_reason: false in the config turns this off)", verb)
			}
			if len(cfg.Approvers) > 0 && !slices.Contains(cfg.Approvers, user) {
				return fmt.Errorf("%s is not an approver (approvers: in the config): only approvers change stages", user)
			}
			book, err := contract.SetStage(cmd.Context(), tc, cfg.Temporal.TaskQueue,
				contract.StageChange{Account: account, Policy: policy, Stage: stage, By: user, Reason: reason})
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			what := "account " + account
			if policy != "" {
				what = policy + " in account " + account
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is now %s (set by %s). Workers apply it within %s; open violations keep their stage.\n",
				what, stage, user, 5*time.Second)
			return printStages(cmd.OutOrStdout(), stageRows(cfg, book))
		},
	}
	cmd.Flags().StringVar(&policy, "policy", "", "only this policy id in the account")
	cmd.Flags().StringVar(&user, "as", "", "who makes the change, as listed in approvers (required)")
	cmd.Flags().StringVar(&reason, "reason", "", "why, kept in the Accounts workflow's history")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

func newAccountsListCmd(g *globalFlags) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "list [-o json]",
		Short: "List each account's stage, and who set it",
		Long: "List the stage of every account rectify knows of: the ones promoted or demoted with\n" +
			"`rectify accounts`, those named in the config (stages:, accounts:, sweeps:), and the default\n" +
			"stage of any other.",
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
			book, err := contract.Stages(cmd.Context(), tc, cfg.Temporal.TaskQueue)
			if err != nil {
				return err
			}
			rows := stageRows(cfg, book)
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			return printStages(cmd.OutOrStdout(), rows)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

// stageRow is one line of `rectify accounts list`.
type stageRow struct {
	Account string         `json:"account"`
	Policy  string         `json:"policy,omitempty"`
	Stage   contract.Stage `json:"stage"`
	// Source is who decides it: "rectify accounts", "config stages", or
	// "default".
	Source string    `json:"source"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at,omitzero"`
	Reason string    `json:"reason,omitempty"`
}

// stageRows lists the stages people set, the config's, and each account
// the config names without a stage (at the default).
func stageRows(cfg config.Config, book contract.StageBook) []stageRow {
	var rows []stageRow
	seen := map[[2]string]bool{}
	add := func(r contract.StageRule, source string) {
		key := [2]string{r.Account, r.Policy}
		if seen[key] {
			return // overridden by a person's
		}
		seen[key] = true
		rows = append(rows, stageRow{Account: r.Account, Policy: r.Policy, Stage: r.Stage, Source: source, By: r.By, At: r.At, Reason: r.Reason})
	}
	for _, r := range book.Rules {
		add(r, "rectify accounts")
	}
	for _, r := range cfg.Stages {
		add(r, "config stages")
	}
	named := slices.Clone(cfg.Accounts)
	for _, s := range cfg.Sweeps {
		named = append(named, s.Account)
	}
	for _, a := range named {
		if stage, _ := cfg.StageOf(a, ""); !seen[[2]string{a, ""}] {
			add(contract.StageRule{Account: a, Stage: stageOrActive(stage)}, "default")
		}
	}
	slices.SortStableFunc(rows, func(x, y stageRow) int {
		return strings.Compare(x.Account+"\x00"+x.Policy, y.Account+"\x00"+y.Policy)
	})
	def := stageOrActive(cfg.Stage)
	rows = append(rows, stageRow{Account: "*", Stage: def, Source: "default"})
	return rows
}

// stageOrActive reads an empty stage (no stages configured) as active.
func stageOrActive(s contract.Stage) contract.Stage {
	if s == "" {
		return contract.StageActive
	}
	return s
}

func printStages(w io.Writer, rows []stageRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tPOLICY\tSTAGE\tSOURCE\tSET BY\tAT\tREASON")
	for _, r := range rows {
		policy, by, at := r.Policy, r.By, "-"
		if policy == "" {
			policy = "(all)"
		}
		if by == "" {
			by = "-"
		}
		if !r.At.IsZero() {
			at = r.At.UTC().Format(time.RFC3339)
		}
		account := r.Account
		if account == "*" {
			account = "* (any other)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", account, policy, r.Stage, r.Source, by, at, r.Reason)
	}
	return tw.Flush()
}

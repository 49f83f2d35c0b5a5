package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/summary"
)

// shown is one violation as `rectify show` tells it: the workflow's own
// status, with where to look next.
type shown struct {
	WorkflowID string          `json:"workflow_id"`
	RunID      string          `json:"run_id"`
	Status     string          `json:"status"`
	Started    time.Time       `json:"started"`
	Violation  contract.Status `json:"violation"`
	TemporalUI string          `json:"temporal_ui"`
	FindingID  string          `json:"finding_id"`
	FindingURL string          `json:"finding_url,omitempty"`
	// StatusError is set when the workflow could not be asked (no worker
	// answers queries): the rest then comes from visibility alone.
	StatusError string `json:"status_error,omitempty"`
}

func newShowCmd(g *globalFlags) *cobra.Command {
	var which violationArgs
	var output string
	cmd := &cobra.Command{
		Use:   "show " + violationUse,
		Short: "Show one violation: state, action, who changed what, deadline, approvers, its story and links",
		Long: "Show one violation: its state, policy and resource, the proposed action in words, who made\n" +
			"the change, its age and approval deadline, who may approve, the story of its states, and\n" +
			"links to its page in the Temporal UI and to its Security Hub finding.\n\n" + violationHelp,
		Example: "  rectify show aws.s3.public_access_block arn:aws:s3:::data\n  rectify show arn:aws:s3:::data -o json",
		Args:    cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("-o %q: want text or json", output)
			}
			cfg, tc, err := g.connect()
			if err != nil {
				return err
			}
			defer tc.Close()
			id, err := which.resolve(cmd.Context(), tc, args)
			if err != nil {
				return err
			}
			s, err := describeViolation(cmd.Context(), tc, cfg, id)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(s)
			}
			return printShown(cmd.OutOrStdout(), s, time.Now())
		},
	}
	which.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return g.temporalFlags(cmd)
}

func describeViolation(ctx context.Context, tc client.Client, cfg config.Config, id string) (shown, error) {
	d, err := tc.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return shown{}, fmt.Errorf("show %s: no such violation (rectify list shows them)", id)
	}
	info := d.GetWorkflowExecutionInfo()
	attrs := info.GetSearchAttributes().GetIndexedFields()
	s := shown{
		WorkflowID: id, RunID: info.GetExecution().GetRunId(), Started: info.GetStartTime().AsTime(),
		Status:     strings.ToLower(strings.TrimPrefix(info.GetStatus().String(), "WORKFLOW_EXECUTION_STATUS_")),
		TemporalUI: summary.WorkflowURL(cfg.Temporal.UIURL, cfg.Temporal.Namespace, id),
	}
	v, err := tc.QueryWorkflow(ctx, id, "", contract.QueryStatus)
	if err == nil {
		err = v.Get(&s.Violation)
	}
	if err != nil {
		s.StatusError = err.Error()
		s.Violation = contract.Status{
			State: keyword(attrs, contract.AttrState.GetName()), PolicyID: keyword(attrs, contract.AttrPolicy.GetName()),
			Resource: keyword(attrs, contract.AttrResource.GetName()), Account: keyword(attrs, contract.AttrAccount.GetName()),
			Severity: keyword(attrs, contract.AttrSeverity.GetName()),
		}
	}
	s.FindingID = contract.FindingID(s.Violation.PolicyID, s.Violation.Resource)
	if cfg.AWS.Endpoint == "" && s.Violation.Region != "" {
		s.FindingURL = summary.FindingURL(s.Violation.Region, s.FindingID)
	}
	return s, nil
}

func printShown(w io.Writer, s shown, now time.Time) error {
	v := s.Violation
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, format string, args ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, args...)) }
	when := func(t time.Time) string {
		if t.Before(now) {
			return fmt.Sprintf("%s (%s ago)", t.UTC().Format(time.RFC3339), age(now.Sub(t)))
		}
		return fmt.Sprintf("%s (in %s)", t.UTC().Format(time.RFC3339), age(t.Sub(now)))
	}
	fmt.Fprintln(w, s.WorkflowID)
	row("State", "%s (workflow %s)", v.State, s.Status)
	policy := v.PolicyID
	if v.Title != "" {
		policy += ": " + v.Title
	}
	if v.Severity != "" {
		policy += " (" + v.Severity
		if len(v.Controls) > 0 {
			policy += "; " + strings.Join(v.Controls, ", ")
		}
		policy += ")"
	}
	row("Policy", "%s", policy)
	row("Resource", "%s %s (account %s, %s)", v.ResourceType, v.Resource, v.Account, v.Region)
	if v.Message != "" {
		row("Violation", "%s", v.Message)
	}
	if v.Action != "" {
		row("Action", "%s", v.Action)
	}
	if v.Mode != "" {
		mode := string(v.Mode)
		if v.Stage != "" {
			mode += ", stage " + string(v.Stage)
			if v.StageFrom != "" {
				mode += " (" + v.StageFrom + ")"
			}
			if v.Stage == contract.StageObserve && v.PromotedMode != "" {
				mode += "; once promoted: " + string(v.PromotedMode)
			}
		}
		row("Mode", "%s", mode)
	}
	if v.EventName != "" || v.Source != "" {
		row("Changed by", "%s", summary.ChangeText(contract.Change{Source: v.Source, EventName: v.EventName, Actor: v.Actor, EventTime: v.EventTime}))
	}
	detected := v.DetectedAt
	if detected.IsZero() {
		detected = s.Started
	}
	row("Detected", "%s", when(detected))
	if !v.Deadline.IsZero() {
		row("Deadline", "%s, then %s", when(v.Deadline), v.TimeoutAction)
	}
	if !v.SnoozedUntil.IsZero() {
		row("Snoozed until", "%s: sweeps do not ask again; a change of the resource does", when(v.SnoozedUntil))
	}
	if len(v.Approvers) > 0 {
		row("Approvers", "%s", strings.Join(v.Approvers, ", "))
	}
	if v.DecidedBy != "" {
		row("Decided by", "%s", v.DecidedBy)
	}
	if v.Reason != "" {
		row("Reason", "%s", v.Reason)
	}
	if v.Remediations > 0 {
		row("Remediations", "%d", v.Remediations)
	}
	if !v.UndoUntil.IsZero() && v.UndoUntil.After(now) {
		row("Undo until", "%s", when(v.UndoUntil))
	}
	row("Temporal UI", "%s", s.TemporalUI)
	finding := s.FindingID
	if s.FindingURL != "" {
		finding += "  " + s.FindingURL
	}
	row("Finding", "%s", finding)
	if s.StatusError != "" {
		row("Note", "the workflow did not answer (%s): state from visibility only", s.StatusError)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(v.History) > 0 {
		fmt.Fprintln(w, "Story:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, t := range v.History {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", t.At.UTC().Format(time.RFC3339), t.State, t.Detail)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if next := nextSteps(v, now); next != "" {
		fmt.Fprintln(w, "Next:")
		fmt.Fprint(w, next)
	}
	return nil
}

// nextSteps are the commands that apply to a violation in its state.
func nextSteps(v contract.Status, now time.Time) string {
	target := v.PolicyID + " " + v.Resource
	switch {
	case v.State == contract.StateAwaitingApproval:
		return fmt.Sprintf("  rectify approve %s --as YOU\n  rectify reject %s --as YOU --reason WHY\n", target, target)
	case v.State == contract.StateResolved && v.UndoUntil.After(now):
		return fmt.Sprintf("  rectify undo %s --as YOU --reason WHY\n", target)
	case v.Stage == contract.StageObserve:
		return fmt.Sprintf("  rectify accounts promote %s --as YOU --reason WHY   (or --policy %s)\n", v.Account, v.PolicyID)
	}
	return ""
}

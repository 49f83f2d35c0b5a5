package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/suggest"
	"github.com/rectifyhq/rectify/policies"
)

// Severities a policy can declare, as RectifySeverity holds them.
var severities = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// listRow is one violation as `rectify list` shows it.
type listRow struct {
	WorkflowID   string     `json:"workflow_id"`
	RunID        string     `json:"run_id"`
	State        string     `json:"state"`
	Severity     string     `json:"severity"`
	Policy       string     `json:"policy"`
	Resource     string     `json:"resource"`
	Account      string     `json:"account"`
	Status       string     `json:"status"`
	Started      time.Time  `json:"started"`
	Action       string     `json:"action,omitempty"`
	Deadline     *time.Time `json:"deadline,omitempty"`
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty"`
}

type listFlags struct {
	states                              []string
	open                                bool
	policy, resource, account, severity string
	output                              string
}

func newListCmd(g *globalFlags) *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:   "list [--state S] [--policy P] [--resource ARN] [--account A] [--severity S] [-o json]",
		Short: "List violations from Temporal visibility",
		Long: "List Remediation workflows: state, severity, policy, resource, age, the approval deadline\n" +
			"(or how long a rejection snoozes it) and the planned action.\n\n" +
			"States (case-insensitive; an unambiguous prefix such as 'awaiting' will do): " + strings.Join(contract.States, ", ") + "\n" +
			"Severities: " + strings.Join(severities, ", "),
		Example: "  rectify list --state awaiting\n  rectify list --open --severity critical -o json\n" +
			"  rectify list --account 123456789012 --policy aws.s3.public_access_block",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			query, err := f.query()
			if err != nil {
				return err
			}
			if f.output != "table" && f.output != "json" {
				return fmt.Errorf("-o %q: want table or json", f.output)
			}
			_, tc, err := g.connect()
			if err != nil {
				return err
			}
			defer tc.Close()
			var rows []listRow
			var token []byte
			for {
				resp, err := tc.ListWorkflow(cmd.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
				if err != nil {
					return fmt.Errorf("list workflows (%s): %w", query, err)
				}
				for _, e := range resp.Executions {
					rows = append(rows, rowOf(e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId(), e.GetStatus(),
						e.GetStartTime().AsTime(), e.GetSearchAttributes().GetIndexedFields(), e.GetMemo().GetFields()))
				}
				if token = resp.NextPageToken; len(token) == 0 {
					break
				}
			}
			if f.output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if rows == nil {
					rows = []listRow{}
				}
				return enc.Encode(rows)
			}
			return printRows(cmd.OutOrStdout(), rows, time.Now())
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&f.states, "state", nil, "only violations in these states (repeatable, or comma-separated)")
	fl.BoolVar(&f.open, "open", false, "only running workflows")
	fl.StringVar(&f.policy, "policy", "", "only violations of this policy id")
	fl.StringVar(&f.resource, "resource", "", "only violations of this resource ARN")
	fl.StringVar(&f.account, "account", "", "only violations in this account")
	fl.StringVar(&f.severity, "severity", "", "only violations of this severity")
	fl.StringVarP(&f.output, "output", "o", "table", "table or json")
	return g.temporalFlags(cmd)
}

// query builds the visibility query, refusing a filter that can match
// nothing (a state or severity rectify does not have, a typo in a policy
// id): an empty table must mean "none", never "you mistyped".
func (f listFlags) query() (string, error) {
	q := []string{fmt.Sprintf("WorkflowType = '%s'", contract.RemediationWorkflow), "ExecutionStatus != 'ContinuedAsNew'"}
	var states []string
	for _, s := range f.states {
		st, err := oneOf("--state", s, contract.States)
		if err != nil {
			return "", err
		}
		states = append(states, fmt.Sprintf("'%s'", st))
	}
	if len(states) > 0 {
		q = append(q, fmt.Sprintf("%s IN (%s)", contract.AttrState.GetName(), strings.Join(states, ", ")))
	}
	if f.open {
		q = append(q, "ExecutionStatus = 'Running'")
	}
	if f.severity != "" {
		sev, err := oneOf("--severity", f.severity, severities)
		if err != nil {
			return "", err
		}
		q = append(q, fmt.Sprintf("%s = '%s'", contract.AttrSeverity.GetName(), sev))
	}
	if f.account != "" {
		if !resource.IsAccountID(f.account) {
			return "", fmt.Errorf("--account %q: not a 12-digit account id", f.account)
		}
		q = append(q, fmt.Sprintf("%s = '%s'", contract.AttrAccount.GetName(), f.account))
	}
	if f.policy != "" {
		if err := knownPolicy("--policy", f.policy); err != nil {
			return "", err
		}
		q = append(q, fmt.Sprintf("%s = '%s'", contract.AttrPolicy.GetName(), f.policy))
	}
	if f.resource != "" {
		if !strings.HasPrefix(f.resource, "arn:") || strings.ContainsAny(f.resource, "'\"") {
			return "", fmt.Errorf("--resource %q: not an ARN", f.resource)
		}
		q = append(q, fmt.Sprintf("%s = '%s'", contract.AttrResource.GetName(), f.resource))
	}
	return strings.Join(q, " AND "), nil
}

// oneOf reads a value of a closed list the way people type it: any case,
// or an unambiguous prefix ("awaiting" is AwaitingApproval). Anything else
// is an error that lists the valid values.
func oneOf(flag, value string, valid []string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(value))
	var matches []string
	for _, s := range valid {
		switch l := strings.ToLower(s); {
		case l == v:
			return s, nil
		case v != "" && strings.HasPrefix(l, v):
			matches = append(matches, s)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return "", fmt.Errorf("%s %q: no such value; valid: %s", flag, value, strings.Join(valid, ", "))
	}
	return "", fmt.Errorf("%s %q: ambiguous, could be %s", flag, value, strings.Join(matches, ", "))
}

// knownPolicy refuses a policy id no built-in policy declares, with the
// closest one.
func knownPolicy(flag, id string) error {
	set, err := policies.Load(policies.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return fmt.Errorf("%s: load policies to check it: %w", flag, err)
	}
	if !slices.Contains(set.IDs(), id) {
		return fmt.Errorf("%s %q: no such policy%s", flag, id, suggest.Hint(id, set.IDs()))
	}
	return nil
}

// keyword reads a keyword search attribute.
func keyword(fields map[string]*commonpb.Payload, key string) string {
	var v string
	if p, ok := fields[key]; ok {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &v)
	}
	return v
}

func rowOf(id, runID string, status enums.WorkflowExecutionStatus, started time.Time, attrs, memo map[string]*commonpb.Payload) listRow {
	r := listRow{
		WorkflowID: id, RunID: runID, Started: started,
		State: keyword(attrs, contract.AttrState.GetName()), Severity: keyword(attrs, contract.AttrSeverity.GetName()),
		Policy: keyword(attrs, contract.AttrPolicy.GetName()), Resource: keyword(attrs, contract.AttrResource.GetName()),
		Account: keyword(attrs, contract.AttrAccount.GetName()),
		Status:  strings.ToLower(strings.TrimPrefix(status.String(), "WORKFLOW_EXECUTION_STATUS_")),
	}
	dc := converter.GetDefaultDataConverter()
	if p, ok := memo[contract.MemoAction]; ok {
		_ = dc.FromPayload(p, &r.Action)
	}
	readTime := func(key string) *time.Time {
		var t time.Time
		if p, ok := memo[key]; ok && dc.FromPayload(p, &t) == nil && !t.IsZero() {
			return &t
		}
		return nil
	}
	if r.State == contract.StateAwaitingApproval {
		r.Deadline = readTime(contract.MemoDeadline)
	}
	if r.State == contract.StateRejected && r.Status == "running" {
		r.SnoozedUntil = readTime(contract.MemoSnoozedUntil)
	}
	return r
}

func printRows(w io.Writer, rows []listRow, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATE\tSEVERITY\tPOLICY\tRESOURCE\tAGE\tDEADLINE\tACTION\tSTATUS")
	for _, r := range rows {
		deadline := "-"
		switch {
		case r.Deadline != nil:
			deadline = "in " + age(r.Deadline.Sub(now))
		case r.SnoozedUntil != nil:
			deadline = "snoozed " + age(r.SnoozedUntil.Sub(now))
		}
		action := r.Action
		if action == "" {
			action = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.State, r.Severity, r.Policy, r.Resource,
			age(now.Sub(r.Started)), deadline, action, r.Status)
	}
	return tw.Flush()
}

// age writes a duration the way people read it in a table: 45s, 12m, 3h5m,
// 2d4h.
func age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/spf13/cobra"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
)

func newListCmd(g *globalFlags) *cobra.Command {
	var state string
	var open bool
	cmd := &cobra.Command{
		Use:   "list [--state STATE]",
		Short: "List violations from Temporal visibility",
		Long: "List Remediation workflows with their state, policy and resource.\n\n" +
			"States: " + strings.Join(contract.States, ", ") + "\n\n" +
			"Example:\n  rectify list --state AwaitingApproval",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := g.load()
			if err != nil {
				return err
			}
			tc, err := dialTemporal(cfg, log)
			if err != nil {
				return err
			}
			defer tc.Close()
			query := fmt.Sprintf("WorkflowType = '%s'", contract.RemediationWorkflow)
			if state != "" {
				query += fmt.Sprintf(" AND %s = '%s'", contract.AttrState.GetName(), state)
			}
			if open {
				query += " AND ExecutionStatus = 'Running'"
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "STATE\tSEVERITY\tPOLICY\tRESOURCE\tSTATUS\tWORKFLOW ID")
			var token []byte
			for {
				resp, err := tc.ListWorkflow(cmd.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
				if err != nil {
					return fmt.Errorf("list workflows (%s): %w", query, err)
				}
				for _, e := range resp.Executions {
					attrs := map[string]string{}
					for k, p := range e.GetSearchAttributes().GetIndexedFields() {
						var v string
						if converter.GetDefaultDataConverter().FromPayload(p, &v) == nil {
							attrs[k] = v
						}
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n",
						attrs[contract.AttrState.GetName()], attrs[contract.AttrSeverity.GetName()],
						attrs[contract.AttrPolicy.GetName()], attrs[contract.AttrResource.GetName()],
						strings.TrimPrefix(e.GetStatus().String(), "WORKFLOW_EXECUTION_STATUS_"), e.GetExecution().GetWorkflowId())
				}
				if token = resp.NextPageToken; len(token) == 0 {
					break
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&state, "state", "", "only violations in this state")
	cmd.Flags().BoolVar(&open, "open", false, "only running workflows")
	return cmd
}

package report

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/rectifyhq/rectify/internal/contract"
)

// ListRunning asks Temporal visibility for the Remediation workflows that
// still run (in the account and of the policy, when given): their state
// leads their audit record, and a violation whose records are not written
// yet is still open.
func ListRunning(ctx context.Context, c client.Client, account, policy string) ([]Running, error) {
	query := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", contract.RemediationWorkflow)
	for _, f := range []struct {
		attr  string
		value string
	}{{contract.AttrAccount.GetName(), account}, {contract.AttrPolicy.GetName(), policy}} {
		if f.value == "" {
			continue
		}
		if strings.ContainsAny(f.value, `'"\`) {
			return nil, fmt.Errorf("list running violations: %s %q: quotes are not allowed", f.attr, f.value)
		}
		query += fmt.Sprintf(" AND %s = '%s'", f.attr, f.value)
	}
	var out []Running
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list running violations (%s): %w", query, err)
		}
		for _, e := range resp.GetExecutions() {
			attrs := map[string]string{}
			for k, p := range e.GetSearchAttributes().GetIndexedFields() {
				var v string
				if converter.GetDefaultDataConverter().FromPayload(p, &v) == nil {
					attrs[k] = v
				}
			}
			out = append(out, Running{
				WorkflowID: e.GetExecution().GetWorkflowId(), RunID: e.GetExecution().GetRunId(), FirstRunID: e.GetFirstRunId(),
				Policy: attrs[contract.AttrPolicy.GetName()], Account: attrs[contract.AttrAccount.GetName()],
				Resource: attrs[contract.AttrResource.GetName()], Severity: attrs[contract.AttrSeverity.GetName()],
				State: attrs[contract.AttrState.GetName()], Started: e.GetStartTime().AsTime(),
			})
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return out, nil
		}
	}
}

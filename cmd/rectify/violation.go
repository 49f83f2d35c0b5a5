package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/contract"
)

// violationArgs is how a command names one violation: its workflow ID,
// POLICY ARN, --policy P --resource ARN, or an ARN with one violation.
type violationArgs struct {
	policy, resource string
}

const violationUse = "WORKFLOW-ID | POLICY ARN"

func (v *violationArgs) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&v.policy, "policy", "", "the policy id, with --resource (or an ARN argument) instead of a workflow id")
	cmd.Flags().StringVar(&v.resource, "resource", "", "the resource ARN, with --policy")
}

// violationHelp is the shared paragraph of the commands' long help.
const violationHelp = "The violation is named by its workflow ID (remediation/POLICY/ARN), by POLICY ARN, by\n" +
	"--policy POLICY --resource ARN, or by the ARN alone when the resource has one violation."

// resolve turns what a person typed into a Remediation workflow ID.
func (v violationArgs) resolve(ctx context.Context, tc client.Client, args []string) (string, error) {
	policy, arn := v.policy, v.resource
	switch len(args) {
	case 0:
	case 1:
		switch a := args[0]; {
		case strings.HasPrefix(a, "remediation/"):
			if policy != "" || arn != "" {
				return "", errors.New("give a workflow id, or --policy and --resource, not both")
			}
			return a, nil
		case strings.HasPrefix(a, "arn:"):
			if arn != "" && arn != a {
				return "", fmt.Errorf("two resources: %s and --resource %s", a, arn)
			}
			arn = a
		default:
			if policy != "" && policy != a {
				return "", fmt.Errorf("two policies: %s and --policy %s", a, policy)
			}
			policy = a
		}
	case 2:
		if !strings.HasPrefix(args[1], "arn:") {
			return "", fmt.Errorf("%q is not an ARN: give POLICY ARN, such as aws.s3.public_access_block arn:aws:s3:::my-bucket", args[1])
		}
		if policy != "" || arn != "" {
			return "", errors.New("give POLICY ARN, or --policy and --resource, not both")
		}
		policy, arn = args[0], args[1]
	default:
		return "", fmt.Errorf("too many arguments: give %s", violationUse)
	}
	switch {
	case policy != "" && arn != "":
		return contract.RemediationID(policy, arn), nil
	case arn != "":
		return onlyViolationOf(ctx, tc, arn)
	case policy != "":
		return "", fmt.Errorf("policy %s of which resource? give POLICY ARN", policy)
	}
	return "", fmt.Errorf("which violation? give %s (rectify list shows them)", violationUse)
}

// onlyViolationOf finds the one violation of a resource, preferring the
// open ones; several are an error that lists them.
func onlyViolationOf(ctx context.Context, tc client.Client, arn string) (string, error) {
	if strings.Contains(arn, "'") {
		return "", fmt.Errorf("%q is not an ARN", arn)
	}
	query := fmt.Sprintf("WorkflowType = '%s' AND %s = '%s' AND ExecutionStatus != 'ContinuedAsNew'",
		contract.RemediationWorkflow, contract.AttrResource.GetName(), arn)
	resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 100})
	if err != nil {
		return "", fmt.Errorf("find the violations of %s: %w", arn, err)
	}
	var open, all []string
	for _, e := range resp.Executions {
		id := e.GetExecution().GetWorkflowId()
		if !slices.Contains(all, id) {
			all = append(all, id)
		}
		if e.GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_RUNNING && !slices.Contains(open, id) {
			open = append(open, id)
		}
	}
	ids := open
	if len(ids) == 0 {
		ids = all
	}
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("no violation of %s (rectify list --resource %s)", arn, arn)
	case 1:
		return ids[0], nil
	}
	var policies []string
	for _, id := range ids {
		policies = append(policies, strings.TrimSuffix(strings.TrimPrefix(id, "remediation/"), "/"+arn))
	}
	return "", fmt.Errorf("%s has %d violations (%s): give POLICY ARN", arn, len(ids), strings.Join(policies, ", "))
}

// plainError says what went wrong with an update of a violation the way
// a person needs it: the workflow's own refusal (contract.RefusedError
// already carries no SDK suffix), or, for a violation that has closed,
// how it ended ("already undone by alice"), never a Temporal internal.
func plainError(ctx context.Context, tc client.Client, verb, id string, err error) error {
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		return err
	}
	d, derr := tc.DescribeWorkflowExecution(ctx, id, "")
	if derr != nil {
		return fmt.Errorf("%s: no violation %s (rectify list shows them)", verb, id)
	}
	state := keyword(d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields(), contract.AttrState.GetName())
	by := ""
	if v, qerr := tc.QueryWorkflow(ctx, id, "", contract.QueryStatus); qerr == nil {
		var st contract.Status
		if v.Get(&st) == nil && st.DecidedBy != "" {
			by = " by " + st.DecidedBy
			if state == "" {
				state = st.State
			}
		}
	}
	switch {
	case verb == "undo" && state == contract.StateUndone:
		return fmt.Errorf("undo %s: already undone%s", id, by)
	case verb == "undo":
		return fmt.Errorf("undo %s: nothing to undo: the violation is closed (%s%s)", id, state, by)
	}
	return fmt.Errorf("%s %s: the violation is closed (%s%s); nothing changed", verb, id, state, by)
}

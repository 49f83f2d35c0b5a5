package starter

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/metrics"
)

// OpenViolations keeps rectify_open_violations{state, policy} up to date
// from Temporal visibility: the Remediation workflows of this task queue
// that are still running, counted by their RectifyState and RectifyPolicy
// search attributes.
//
// Why here and from visibility: a worker only knows the workflows whose
// tasks it happens to run, so a count kept by each of several workers would
// be partial, and summing them double-counts what moved between them.
// Visibility is the one view of every run. The starter reads it because it
// already reports the deployment-wide gauges (the DLQ depth) and is not on
// the path of any fix. With several starters each exports the same count;
// dashboards take max. Temporal 1.29 visibility groups a count only by
// ExecutionStatus, so the runs are listed (a page per 1,000 open
// violations) and counted here.
type OpenViolations struct {
	Temporal  client.Client
	TaskQueue string
	Metrics   *metrics.Metrics
	// Every is the refresh period (default DefaultOpenViolationsRefresh).
	Every time.Duration
	Log   *slog.Logger
}

// DefaultOpenViolationsRefresh is how often the count is refreshed:
// about two Prometheus scrape intervals.
const DefaultOpenViolationsRefresh = 30 * time.Second

// Run refreshes at once and then every Every until ctx ends. A failed
// refresh is logged and counted; the gauge keeps its last values.
func (o *OpenViolations) Run(ctx context.Context) {
	every := o.Every
	if every <= 0 {
		every = DefaultOpenViolationsRefresh
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := o.Refresh(ctx); err != nil && ctx.Err() == nil {
			o.Metrics.OpenViolationsRefreshFailed()
			if o.Log != nil {
				o.Log.Warn("count open violations", "task_queue", o.TaskQueue, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Refresh counts the open violations once and sets the gauge.
func (o *OpenViolations) Refresh(ctx context.Context) error {
	counts, err := o.Count(ctx)
	if err != nil {
		return err
	}
	o.Metrics.SetOpenViolations(counts)
	return nil
}

// Count lists the running Remediation workflows of the task queue and
// counts them by {state, policy}.
func (o *OpenViolations) Count(ctx context.Context) (map[[2]string]int, error) {
	query := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND TaskQueue = '%s'",
		contract.RemediationWorkflow, strings.ReplaceAll(o.TaskQueue, "'", `\'`))
	counts := map[[2]string]int{}
	var token []byte
	for {
		resp, err := o.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: query, PageSize: 1000, NextPageToken: token,
		})
		if err != nil {
			return nil, fmt.Errorf("list open Remediation workflows of task queue %s: %w", o.TaskQueue, err)
		}
		for _, e := range resp.Executions {
			fields := e.GetSearchAttributes().GetIndexedFields()
			counts[[2]string{keyword(fields, contract.AttrState.GetName()), keyword(fields, contract.AttrPolicy.GetName())}]++
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return counts, nil
		}
	}
}

// keyword decodes one Keyword search attribute; "" when it is not set.
func keyword(fields map[string]*commonpb.Payload, name string) string {
	p, ok := fields[name]
	if !ok {
		return ""
	}
	var s string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err != nil {
		return ""
	}
	return s
}

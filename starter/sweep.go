package starter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rectifyhq/rectify/internal/contract"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

// SweepSchedule is one account and region swept on a timer.
type SweepSchedule struct {
	Input contract.SweepInput
	Every time.Duration
}

// EnsureSweep creates the Temporal Schedule of an account and region, or
// updates it to s. A sweep still running when the next is due is not
// overlapped: the due one is skipped.
func EnsureSweep(ctx context.Context, c client.Client, taskQueue string, s SweepSchedule) error {
	if s.Every <= 0 {
		return errors.New("sweep schedule: interval must be positive")
	}
	id := contract.SweepID(s.Input.Account, s.Input.Region)
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: s.Every}}}
	action := &client.ScheduleWorkflowAction{
		ID: id, Workflow: contract.SweepWorkflow, Args: []any{s.Input}, TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(contract.AttrAccount.ValueSet(s.Input.Account)),
	}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: id, Spec: spec, Action: action, Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP,
	})
	var exists *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &exists) || errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		err = c.ScheduleClient().GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				sched := in.Description.Schedule
				sched.Spec = &spec
				sched.Action = action
				if sched.Policy != nil {
					sched.Policy.Overlap = enums.SCHEDULE_OVERLAP_POLICY_SKIP
				}
				return &client.ScheduleUpdate{Schedule: &sched}, nil
			},
		})
	}
	if err != nil {
		return fmt.Errorf("sweep schedule %s: %w", id, err)
	}
	return nil
}

// TriggerSweep runs an account and region's sweep now, unless one runs.
func TriggerSweep(ctx context.Context, c client.Client, account, region string) error {
	id := contract.SweepID(account, region)
	if err := c.ScheduleClient().GetHandle(ctx, id).Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP}); err != nil {
		return fmt.Errorf("trigger sweep %s (create it with `rectify sweep schedule`): %w", id, err)
	}
	return nil
}

// SweepStatus is a schedule with the progress of its latest run.
type SweepStatus struct {
	ID       string                 `json:"id"`
	Paused   bool                   `json:"paused"`
	Next     time.Time              `json:"next,omitzero"`
	LastRun  string                 `json:"last_run,omitempty"`
	Status   string                 `json:"status,omitempty"`
	Progress contract.SweepProgress `json:"progress"`
}

// ListSweeps lists the sweep schedules with their latest progress.
func ListSweeps(ctx context.Context, c client.Client) ([]SweepStatus, error) {
	iter, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	var out []SweepStatus
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			return nil, fmt.Errorf("list schedules: %w", err)
		}
		if e.WorkflowType.Name != contract.SweepWorkflow {
			continue
		}
		st := SweepStatus{ID: e.ID, Paused: e.Paused}
		if len(e.NextActionTimes) > 0 {
			st.Next = e.NextActionTimes[0]
		}
		if n := len(e.RecentActions); n > 0 && e.RecentActions[n-1].StartWorkflowResult != nil {
			run := e.RecentActions[n-1].StartWorkflowResult
			st.LastRun = run.WorkflowID
			if d, err := c.DescribeWorkflowExecution(ctx, run.WorkflowID, ""); err == nil {
				info := d.GetWorkflowExecutionInfo()
				st.Status = info.GetStatus().String()
				if p, ok := info.GetMemo().GetFields()[contract.MemoProgress]; ok {
					_ = converter.GetDefaultDataConverter().FromPayload(p, &st.Progress)
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// PreviewSweep runs a sweep of in's account and region that changes
// nothing (contract.SweepInput.Preview) and waits for what it would do.
// Its ID is the schedule's with a /preview-<time> suffix, so it never
// collides with a scheduled run.
func PreviewSweep(ctx context.Context, c client.Client, taskQueue string, in contract.SweepInput) (contract.SweepProgress, error) {
	in.Preview = true
	id := fmt.Sprintf("%s/preview-%s", contract.SweepID(in.Account, in.Region), time.Now().UTC().Format("20060102T150405.000"))
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(contract.AttrAccount.ValueSet(in.Account)),
		StaticSummary:         fmt.Sprintf("Preview of a sweep of %s/%s: judge every resource, change nothing", in.Account, in.Region),
	}, contract.SweepWorkflow, in)
	if err != nil {
		return contract.SweepProgress{}, fmt.Errorf("start sweep preview %s: %w", id, err)
	}
	var p contract.SweepProgress
	if err := run.Get(ctx, &p); err != nil {
		return p, fmt.Errorf("sweep preview %s: %w", id, err)
	}
	return p, nil
}

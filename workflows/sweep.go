package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/service"
)

// Sweep lists every supported resource of an account and region, page by
// page, and feeds each to Evaluate through SignalWithStart, exactly as an
// event would. It catches drift that no event reported.
func Sweep(ctx workflow.Context, in contract.SweepInput) (contract.SweepProgress, error) {
	types := in.Types
	if len(types) == 0 {
		types = service.Registry.LiveTypes()
	}
	p := contract.SweepProgress{}
	if in.Position != nil {
		p = *in.Position
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, contract.AttrAccount.ValueSet(in.Account)); err != nil {
		return p, fmt.Errorf("upsert search attributes: %w", err)
	}
	var pause time.Duration
	if in.PagesPerSecond > 0 {
		pause = time.Duration(float64(time.Second) / in.PagesPerSecond)
	}
	change := contract.Change{Source: "sweep", EventName: contract.SweepWorkflow, EventTime: workflow.Now(ctx)}
	for p.TypeIndex < len(types) {
		var page activities.ListOutput
		list := activities.ListInput{Account: in.Account, Region: in.Region, Type: types[p.TypeIndex], Token: p.Token, Limit: in.PageSize}
		if err := workflow.ExecuteActivity(readOptions(ctx), a.ListResources, list).Get(ctx, &page); err != nil {
			return p, fmt.Errorf("list %s in %s/%s: %w", list.Type, in.Account, in.Region, err)
		}
		p.Pages++
		p.Listed += len(page.Refs)
		var d activities.DispatchInput
		for _, ref := range page.Refs {
			id := contract.EvaluateID(ref.ARN)
			d.Starts = append(d.Starts, activities.StartRequest{
				WorkflowID: id, Workflow: contract.EvaluateWorkflow, Signal: contract.SignalChanged, SignalArg: change,
				Input:    contract.EvaluateInput{Ref: ref, StartedWithAttributes: true},
				Keywords: map[string]string{contract.AttrResource.GetName(): ref.ARN, contract.AttrAccount.GetName(): ref.Account},
			})
		}
		if len(d.Starts) > 0 {
			if err := workflow.ExecuteActivity(readOptions(ctx), a.Dispatch, d).Get(ctx, nil); err != nil {
				return p, fmt.Errorf("feed evaluations: %w", err)
			}
			p.Evaluated += len(d.Starts)
		}
		if p.Token = page.Token; p.Token == "" {
			p.TypeIndex++
		}
		if err := workflow.UpsertMemo(ctx, map[string]any{contract.MemoProgress: p}); err != nil {
			return p, fmt.Errorf("upsert progress: %w", err)
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			next := in
			next.Position = &p
			return p, workflow.NewContinueAsNewError(ctx, Sweep, next)
		}
		if pause > 0 && p.TypeIndex < len(types) {
			if err := workflow.Sleep(ctx, pause); err != nil {
				return p, err
			}
		}
	}
	return p, nil
}

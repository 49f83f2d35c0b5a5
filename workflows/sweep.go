package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/internal/summary"
)

// Sweep lists every supported resource of an account and region, page by
// page, and feeds each to Evaluate through SignalWithStart, exactly as an
// event would. It catches drift that no event reported. A preview
// (in.Preview) judges each page instead and returns what a sweep would do,
// starting and changing nothing.
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
		what := fmt.Sprintf("list %s in %s/%s (page %d)", list.Type, in.Account, in.Region, p.Pages+1)
		if err := workflow.ExecuteActivity(withSummary(readOptions(ctx), what), a.ListResources, list).Get(ctx, &page); err != nil {
			return p, fmt.Errorf("list %s in %s/%s: %w", list.Type, in.Account, in.Region, err)
		}
		p.Pages++
		p.Listed += len(page.Refs)
		if in.Preview {
			if err := preview(ctx, page.Refs, &p); err != nil {
				return p, err
			}
		} else if err := feed(ctx, page.Refs, change, &p); err != nil {
			return p, err
		}
		if p.Token = page.Token; p.Token == "" {
			p.TypeIndex++
		}
		progress := p
		progress.Preview = nil // the result carries it; a memo is kept small
		if err := workflow.UpsertMemo(ctx, map[string]any{contract.MemoProgress: progress}); err != nil {
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

// feed hands a page of resources to their Evaluate workflows.
func feed(ctx workflow.Context, refs []resource.Ref, change contract.Change, p *contract.SweepProgress) error {
	if len(refs) == 0 {
		return nil
	}
	ns := workflow.GetInfo(ctx).Namespace
	var d activities.DispatchInput
	for _, ref := range refs {
		id := contract.EvaluateID(ref.ARN)
		d.Starts = append(d.Starts, activities.StartRequest{
			WorkflowID: id, Workflow: contract.EvaluateWorkflow, Signal: contract.SignalChanged, SignalArg: change,
			Input:    contract.EvaluateInput{Ref: ref, StartedWithAttributes: true, Generation: contract.Generation},
			Keywords: map[string]string{contract.AttrResource.GetName(): ref.ARN, contract.AttrAccount.GetName(): ref.Account},
			Summary:  summary.Evaluate(ref, change),
			Details:  summary.EvaluateDetails(ns, ref, change),
		})
	}
	what := fmt.Sprintf("start or signal the evaluation of %d resource(s)", len(d.Starts))
	if err := workflow.ExecuteActivity(withSummary(readOptions(ctx), what), a.Dispatch, d).Get(ctx, nil); err != nil {
		return fmt.Errorf("feed evaluations: %w", err)
	}
	p.Evaluated += len(d.Starts)
	return nil
}

// preview judges a page of resources and keeps what a sweep would do.
func preview(ctx workflow.Context, refs []resource.Ref, p *contract.SweepProgress) error {
	if len(refs) == 0 {
		return nil
	}
	var out activities.PreviewOutput
	what := fmt.Sprintf("preview %d resource(s): judge without acting", len(refs))
	if err := workflow.ExecuteActivity(withSummary(readOptions(ctx), what), a.PreviewResources, activities.PreviewInput{Refs: refs}).Get(ctx, &out); err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	p.Evaluated += len(refs)
	for _, item := range out.Items {
		if len(p.Preview) < contract.MaxPreviewItems {
			p.Preview = append(p.Preview, item)
		} else {
			p.PreviewDropped++
		}
	}
	return nil
}

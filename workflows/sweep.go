package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/activities"
)

// SweepWorkflow is the registered name of Sweep.
const SweepWorkflow = "Sweep"

// SweepID is the ID of the schedule, and the prefix of the workflows it
// starts, for one account and region.
func SweepID(account, region string) string { return "sweep/" + account + "/" + region }

// SweepInput is one account and region to sweep.
type SweepInput struct {
	Account string   `json:"account"`
	Region  string   `json:"region"`
	Types   []string `json:"types,omitempty"` // empty: every listable type
	// PagesPerSecond limits the list calls, so a sweep never eats the
	// account's API rate budget that remediations need.
	PagesPerSecond float64 `json:"pages_per_second,omitempty"`
	PageSize       int32   `json:"page_size,omitempty"`
	// Position carries progress across continue-as-new.
	Position *SweepProgress `json:"position,omitempty"`
}

// SweepProgress is where a sweep is and what it did, kept in the memo for
// the Temporal UI and `rectify sweep list`.
type SweepProgress struct {
	TypeIndex int    `json:"type_index"`
	Token     string `json:"token,omitempty"`
	Pages     int    `json:"pages"`
	Listed    int    `json:"listed"`
	// Evaluated counts resources handed to Evaluate; their verdicts show
	// as Remediation workflows (RectifyAccount = the swept account).
	Evaluated int `json:"evaluated"`
}

// MemoProgress is the memo key of SweepProgress.
const MemoProgress = "progress"

// Sweep lists every supported resource of an account and region, page by
// page, and feeds each to Evaluate through SignalWithStart, exactly as an
// event would. It catches drift that no event reported.
func Sweep(ctx workflow.Context, in SweepInput) (SweepProgress, error) {
	types := in.Types
	if len(types) == 0 {
		types = activities.ListTypes
	}
	p := SweepProgress{}
	if in.Position != nil {
		p = *in.Position
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrAccount.ValueSet(in.Account)); err != nil {
		return p, fmt.Errorf("upsert search attributes: %w", err)
	}
	var pause time.Duration
	if in.PagesPerSecond > 0 {
		pause = time.Duration(float64(time.Second) / in.PagesPerSecond)
	}
	change := Change{Source: "sweep", EventName: SweepWorkflow, EventTime: workflow.Now(ctx)}
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
			id := EvaluateID(ref.ARN)
			d.Starts = append(d.Starts, activities.StartRequest{
				WorkflowID: id, Workflow: EvaluateWorkflow, Signal: SignalChanged, SignalArg: change,
				Input:    EvaluateInput{Ref: ref, StartedWithAttributes: true},
				Keywords: map[string]string{AttrResource.GetName(): ref.ARN, AttrAccount.GetName(): ref.Account},
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
		if err := workflow.UpsertMemo(ctx, map[string]any{MemoProgress: p}); err != nil {
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

package activities

import (
	"context"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/summary"
)

// PreviewInput is one page of resources a sweep preview judges.
type PreviewInput struct {
	Refs []resource.Ref `json:"refs"`
}

// PreviewOutput is what a sweep would do with them.
type PreviewOutput struct {
	Items []contract.PreviewItem `json:"items"`
}

// PreviewResources reads and judges each resource exactly as an
// evaluation would (configuration, stages, exemptions), and says what a
// sweep would do with every violation. It starts, signals, records and
// changes nothing, and counts no metric: `rectify sweep trigger --preview`.
func (a *Activities) PreviewResources(ctx context.Context, in PreviewInput) (PreviewOutput, error) {
	var out PreviewOutput
	for _, ref := range in.Refs {
		judged, err := a.judge(ctx, ref)
		if err != nil {
			return out, err
		}
		for _, v := range judged.Violations {
			out.Items = append(out.Items, previewItem(ref, v))
		}
	}
	return out, nil
}

func previewItem(ref resource.Ref, v contract.Violation) contract.PreviewItem {
	planned := ""
	if v.Remediation != "" && v.Remediation != "none" {
		planned = Describe(v.Remediation, v.Params)
	}
	s := v.Settings
	item := contract.PreviewItem{
		ARN: ref.ARN, Type: ref.Type, PolicyID: v.PolicyID, Severity: v.Severity, Message: v.Message,
		Mode: s.Mode, Stage: s.Stage, PromotedMode: s.PromotedMode, Action: planned,
	}
	ex := ""
	if v.Exemption.Exempt {
		ex = v.Exemption.Reason
	}
	switch {
	case ex != "" || planned == "" || s.Mode == contract.ModeOff:
		item.Outcome = summary.Outcome(s, ex, planned)
	case s.Observed():
		item.Outcome = "would notify only; " + summary.Outcome(s, "", planned)
	case s.Mode == contract.ModeEnforce:
		item.Outcome, item.Changes = "would fix: "+planned, true
	case s.Mode == contract.ModeApprove:
		item.Outcome = "would ask approval to " + planned
	default:
		item.Outcome = "would notify only: " + planned
	}
	return item
}

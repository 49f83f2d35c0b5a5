package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/policies"
)

// EvaluateResource reads the live resource and evaluates every policy for
// its type. A resource that no longer exists passes every policy.
func (a *Activities) EvaluateResource(ctx context.Context, in EvaluateResourceInput) (EvaluateResourceOutput, error) {
	out, err := a.judge(ctx, in.Ref)
	if err != nil {
		return out, err
	}
	counts := map[[2]string]int{}
	for _, v := range out.Violations {
		counts[[2]string{v.PolicyID, v.Severity}]++
	}
	if out.Exists {
		a.Metrics.Evaluated(counts)
	}
	if in.HandOn == nil {
		return out, nil
	}
	for _, policyID := range out.Passing {
		r := *in.HandOn
		r.Violating, r.Deleted = false, !out.Exists
		running, err := a.signal(ctx, SignalRequest{WorkflowID: contract.RemediationID(policyID, in.Ref.ARN), Signal: contract.SignalRecheck, Arg: r})
		if err != nil {
			return out, fmt.Errorf("hand on the passing verdict of %s: %w", policyID, err)
		}
		if running {
			out.Signaled++
		}
	}
	out.HandedOn = true
	return out, nil
}

// judge reads a resource and evaluates every policy for its type, with
// each violation's settings resolved (configuration, stages, exemptions).
func (a *Activities) judge(ctx context.Context, ref resource.Ref) (EvaluateResourceOutput, error) {
	out := EvaluateResourceOutput{Revision: a.Policies.Revision()}
	applicable := a.policyIDs(ref.Type)
	res, exists, err := a.fetch(ctx, ref)
	if err != nil {
		return out, err
	}
	out.Exists = exists
	if !exists {
		out.Passing = applicable
		return out, nil
	}
	out.Name = res.Name
	found, err := a.Policies.Evaluate(ctx, res)
	if err != nil {
		return out, fmt.Errorf("evaluate %s: %w", ref.ARN, err)
	}
	var people []contract.StageRule
	if len(found) > 0 {
		if people, err = a.stageRules(ctx); err != nil {
			return out, fmt.Errorf("evaluate %s: %w", ref.ARN, err)
		}
	}
	for _, v := range found {
		out.Violations = append(out.Violations, a.violation(v, res, ref.Account, people))
	}
	for _, id := range applicable {
		if !slices.ContainsFunc(found, func(v policies.Violation) bool { return v.PolicyID == id }) {
			out.Passing = append(out.Passing, id)
		}
	}
	return out, nil
}

// VerifyPolicy re-reads the resource and re-evaluates one policy.
func (a *Activities) VerifyPolicy(ctx context.Context, in VerifyInput) (VerifyOutput, error) {
	if _, ok := a.Policies.Policy(in.PolicyID); !ok {
		return VerifyOutput{}, awserr.Permanent(ErrUnknownPolicy, "verify: no policy %q in this bundle (revision %s)", in.PolicyID, a.Policies.Revision())
	}
	res, exists, err := a.fetch(ctx, in.Ref)
	if err != nil || !exists {
		return VerifyOutput{Exists: exists}, err
	}
	found, err := a.Policies.EvaluatePolicy(ctx, in.PolicyID, res)
	if err != nil {
		return VerifyOutput{}, fmt.Errorf("verify %s on %s: %w", in.PolicyID, in.Ref.ARN, err)
	}
	out := VerifyOutput{Exists: true, Violating: len(found) > 0}
	if out.Violating {
		out.Message, out.Params = found[0].Message, found[0].Params
	}
	return out, nil
}

func (a *Activities) policyIDs(resourceType string) []string {
	var ids []string
	for _, m := range a.Policies.Policies() {
		if slices.Contains(m.ResourceTypes, resourceType) {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

// violation adds what the workflow needs to act: the configured settings,
// resolved now so the running workflow never sees a config change, the
// account's stage (people's stages over the configuration's), and whether
// the resource is exempt. An exemption that cannot be told forces a human
// decision here, so the workflow needs no rule of its own for it.
func (a *Activities) violation(v policies.Violation, res resource.Resource, account string, people []contract.StageRule) contract.Violation {
	var defaultMode contract.Mode
	if m, ok := a.Policies.Policy(v.PolicyID); ok {
		defaultMode = contract.Mode(m.DefaultMode)
	}
	s := a.rules().ViolationSettings(account, v.PolicyID, defaultMode)
	s.Audit = a.Audit != nil
	ex := exempt.For(res.Tags, res.TagsErr, a.rules().ExemptionRules(), res.ARN, v.PolicyID, a.now())
	if ex.Uncertain {
		// Whether a human exempted the resource cannot be told (its tags
		// could not be read, an exemption tag is malformed): neither fix it
		// on our own nor skip it, ask. AWS's own tag filter fails open here;
		// a typo or a missing permission must not decide either way.
		if s.Mode == contract.ModeEnforce {
			s.Mode = contract.ModeApprove
		}
		if s.TimeoutAction == contract.TimeoutRemediate {
			s.TimeoutAction = contract.TimeoutEscalate
		}
		v.Message += " (approval required: " + ex.Reason + ")"
		a.logger().Warn("exemption uncertain; the violation waits for approval", "policy", v.PolicyID, "resource", res.ARN, "mode", s.Mode, "reason", ex.Reason)
	}
	act, ok := a.registry().Action(v.Remediation)
	switch {
	case v.CannotFix != "" && v.Remediation != "" && v.Remediation != "none":
		// The policy knows the fix cannot work here: say why, and only
		// tell people, rather than fail the fix on every evaluation.
		v.Message += " (notify only: " + v.CannotFix + ")"
		if s.Mode != contract.ModeOff {
			s.Mode = contract.ModeNotify
		}
	case !ok && v.Remediation != "" && v.Remediation != "none":
		// A policy may name an action this version does not have (a user
		// policy, or a newer bundle): tell humans instead of failing.
		a.logger().Warn("remediation action not in the allow-list; notifying only", "policy", v.PolicyID, "action", v.Remediation)
		v.Message += " (remediation " + v.Remediation + " is not available in this rectify version; notify only)"
		v.Remediation = ""
	case ok && len(act.Missing(a.Options)) > 0:
		// The fix needs a destination or a key only the operator can give.
		missing := strings.Join(act.Missing(a.Options), ", ")
		v.Message += " (notify only until " + missing + " is set in the rectify config)"
		if s.Mode != contract.ModeOff {
			s.Mode = contract.ModeNotify
		}
	}
	s = applyStage(s, people, account, v.PolicyID)
	return contract.Violation{
		PolicyID: v.PolicyID, Title: v.Title, Severity: v.Severity, Message: v.Message,
		Controls: v.Controls, Remediation: v.Remediation, Params: v.Params, Revision: v.Revision,
		Settings:  s,
		Exemption: ex,
	}
}

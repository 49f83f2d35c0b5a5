package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/service"
)

// The activities know no resource kind themselves: reads, lists, tags and
// remediation actions come from the kind registry (internal/service), so
// a new kind adds nothing here.

// registry is the kind registry the activities use.
func (a *Activities) registry() *kind.Registry {
	if a.Kinds != nil {
		return a.Kinds
	}
	return service.Registry
}

// env is what a kind's reads and actions work with.
func (a *Activities) env() kind.Env {
	return kind.Env{AWS: a.AWS, Options: a.Options, Judge: a.judgeOne, Now: a.now}
}

// judgeOne evaluates one policy on a document for an action (kind.Env.Judge).
func (a *Activities) judgeOne(ctx context.Context, policyID string, r resource.Resource) ([]map[string]any, error) {
	found, err := a.Policies.EvaluatePolicy(ctx, policyID, r)
	if err != nil {
		return nil, err
	}
	params := make([]map[string]any, len(found))
	for i, v := range found {
		params[i] = v.Params
	}
	return params, nil
}

func (a *Activities) kind(op string, ref resource.Ref) (*kind.Kind, error) {
	k, ok := a.registry().Kind(ref.Type)
	if !ok || k.Fetch == nil {
		return nil, awserr.Permanent(awserr.UnsupportedResourceType, "%s %s: resource type %q is not supported", op, ref.ARN, ref.Type)
	}
	return k, nil
}

// fetch reads the live resource into the normalized model.
func (a *Activities) fetch(ctx context.Context, ref resource.Ref) (resource.Resource, bool, error) {
	k, err := a.kind("fetch", ref)
	if err != nil {
		return resource.Resource{}, false, err
	}
	return k.Fetch(ctx, a.env(), ref)
}

// ListInput asks for one page of the resources of a type.
type ListInput struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Type    string `json:"type"`
	Token   string `json:"token,omitempty"`
	// Limit is the page size (the API's maximum when 0).
	Limit int32 `json:"limit,omitempty"`
}

// ListOutput is one page; Token is empty on the last.
type ListOutput struct {
	Refs  []resource.Ref `json:"refs"`
	Token string         `json:"token,omitempty"`
}

// ListResources lists one page of the resources of a type in an account
// and region, for a sweep: what no event reported is found this way. A
// setting kind (one per region or account) is its one page, found without
// a call.
func (a *Activities) ListResources(ctx context.Context, in ListInput) (ListOutput, error) {
	k, err := a.kind("list", resource.Ref{Type: in.Type, ARN: in.Account + "/" + in.Region})
	if err != nil {
		return ListOutput{}, err
	}
	if k.Scope != kind.ScopeResource {
		return ListOutput{Refs: []resource.Ref{k.Setting(in.Account, in.Region)}}, nil
	}
	page, err := k.List(ctx, a.env(), kind.Page{Of: k, Account: in.Account, Region: in.Region, Token: in.Token, Limit: in.Limit})
	return ListOutput{Refs: page.Refs, Token: page.Token}, err
}

// TagExempt adds the policy to the resource's rectify:exempt tag with an
// expiry, so an undone fix is not re-applied by the next evaluation, and
// the exemption is visible and auditable where the resource lives. A kind
// that cannot carry tags gets UnsupportedResourceType with the config
// entry a human must add instead.
func (a *Activities) TagExempt(ctx context.Context, in TagExemptInput) error {
	k, err := a.kind("tag", in.Ref)
	if err != nil {
		return err
	}
	if !k.Taggable() {
		return awserr.Permanent(awserr.UnsupportedResourceType, "tag %s exempt: the %s cannot carry tags; add to the rectify config: exemptions: [{arn: %q, policies: [%s], reason: ..., owner: ..., expires: YYYY-MM-DD}]",
			in.Ref.ARN, k.Noun, in.Ref.ARN, in.PolicyID)
	}
	res, exists, err := k.Fetch(ctx, a.env(), in.Ref)
	if err != nil {
		return err
	}
	if !exists {
		return awserr.Permanent("NotFound", "tag %s exempt: it no longer exists", in.Ref.ARN)
	}
	merged := exemptTags(res.Tags, in.PolicyID, in.Until)
	set := map[string]string{TagExempt: merged[TagExempt], TagExemptUntil: merged[TagExemptUntil]}
	return k.Tag(ctx, a.env(), in.Ref, set)
}

// exemptTags returns tags with policyID added to rectify:exempt and the
// expiry set. An existing "all" stays "all"; the later expiry wins, so an
// undo never shortens an exemption a human gave.
func exemptTags(tags map[string]string, policyID string, until time.Time) map[string]string {
	out := make(map[string]string, len(tags)+2)
	for k, v := range tags {
		out[k] = v
	}
	var ids []string
	for _, id := range strings.Split(out[TagExempt], ",") {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if !slices.Contains(ids, "all") && !slices.Contains(ids, policyID) {
		ids = append(ids, policyID)
	}
	out[TagExempt] = strings.Join(ids, ",")
	untilStr := until.UTC().Format(time.RFC3339)
	if prev, err := exempt.ParseDate(out[TagExemptUntil]); err != nil || prev.Before(until) {
		out[TagExemptUntil] = untilStr
	}
	return out
}

// Describe says in plain words what an action will do with params. It is
// pure, so workflows may call it.
func Describe(name string, params map[string]any) string {
	act, ok := service.Registry.Action(name)
	if !ok {
		return "run unknown action " + name
	}
	return act.Describe(params)
}

// action looks an action up in the allow-list: nothing outside it can ever
// run, whatever a policy's params say.
func (a *Activities) action(name string) (*kind.Action, error) {
	act, ok := a.registry().Action(name)
	if !ok {
		return nil, awserr.Permanent(awserr.UnknownAction, "remediation action %q is not in the allow-list", name)
	}
	return act, nil
}

// Snapshot reads the prior state that Apply will change.
func (a *Activities) Snapshot(ctx context.Context, in ActionInput) (contract.Snapshot, error) {
	act, err := a.action(in.Action)
	if err != nil {
		return contract.Snapshot{}, err
	}
	data, err := act.Snapshot(ctx, a.env(), in.Ref, in.Params)
	if err != nil {
		return contract.Snapshot{}, err
	}
	b, err := json.Marshal(data)
	if err != nil {
		return contract.Snapshot{}, fmt.Errorf("encode snapshot of %s: %w", in.Ref.ARN, err)
	}
	return contract.Snapshot{Action: in.Action, Data: b}, nil
}

// Apply runs a remediation action.
func (a *Activities) Apply(ctx context.Context, in ActionInput) (ApplyOutput, error) {
	act, err := a.action(in.Action)
	if err != nil {
		return ApplyOutput{}, err
	}
	if missing := act.Missing(a.Options); len(missing) > 0 {
		return ApplyOutput{}, awserr.Permanent(awserr.InvalidParams, "%s on %s needs %s in the rectify config", in.Action, in.Ref.ARN, strings.Join(missing, ", "))
	}
	out, err := act.Apply(ctx, a.env(), in.Ref, in.Params)
	switch {
	case err != nil:
		a.Metrics.Remediated(in.Action, "failed")
	case out.Changed:
		a.Metrics.Remediated(in.Action, "changed")
	default:
		a.Metrics.Remediated(in.Action, "unchanged")
	}
	if err == nil {
		a.logger().Info("remediation applied", "action", in.Action, "resource", in.Ref.ARN, "account", in.Ref.Account, "changed", out.Changed, "summary", out.Summary)
	}
	return ApplyOutput{Changed: out.Changed, Summary: out.Summary}, err
}

// Undo restores a snapshot.
func (a *Activities) Undo(ctx context.Context, in UndoInput) error {
	act, err := a.action(in.Snapshot.Action)
	if err != nil {
		return err
	}
	if act.Undo == nil {
		return awserr.Permanent(contract.ErrNothingToUndo, "undo %s on %s: %s", in.Snapshot.Action, in.Ref.ARN, act.UndoNote)
	}
	if err := act.Undo(ctx, a.env(), in.Ref, in.Snapshot.Data); err != nil {
		return err
	}
	a.logger().Info("remediation undone", "action", in.Snapshot.Action, "resource", in.Ref.ARN, "account", in.Ref.Account)
	return nil
}

package policies

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/rectifyhq/rectify/internal/resource"
)

// Violation is one deny of one policy on one resource. Policy fields are
// copied from METADATA so that a Violation can travel through workflow state
// and findings on its own.
type Violation struct {
	PolicyID string `json:"policy_id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	// Params tell the remediation exactly what to change. Numbers arrive as
	// json.Number, so they survive a JSON round trip unchanged.
	Params      map[string]any `json:"params"`
	Remediation string         `json:"remediation"`
	Controls    []string       `json:"controls"`
	Revision    string         `json:"revision"`
	ResourceARN string         `json:"resource_arn"`
	// CannotFix, from the deny's optional "cannot_fix", says why no
	// remediation can fix this verdict: a prerequisite outside the
	// resource is missing (no trail delivers to CloudWatch Logs, so there
	// is no log group to filter). Such a violation is notify only, instead
	// of a fix that fails on every sweep.
	CannotFix string `json:"cannot_fix,omitempty"`
}

// Evaluate runs every policy whose resource_types contain r.Type and returns
// their violations, ordered by policy ID. A type no policy judges yields none.
//
// A policy that fails to evaluate does not hide the verdicts of the others:
// their violations are returned together with an error naming each failed
// policy. A caller must not read a policy that failed as passing.
func (s *Set) Evaluate(ctx context.Context, r resource.Resource) ([]Violation, error) {
	// OPA checks cancellation only now and then, so a short evaluation
	// could finish on a dead context; a caller that gave up must get an
	// error, not a verdict it may act on.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", resourceKey(r), err)
	}
	ps := s.byType[r.Type]
	if len(ps) == 0 {
		return nil, nil
	}
	input, err := inputValue(r)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: convert input: %w", resourceKey(r), err)
	}
	if out, ok := s.evalAll(ctx, ps, input, r); ok {
		return out, nil
	}
	// One policy failed or was undefined: judge each on its own, so the
	// error names the policy and the others still give their verdicts.
	var (
		out  []Violation
		errs []error
	)
	for _, p := range ps {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("evaluate %s: %w", resourceKey(r), err))
			break
		}
		vs, err := s.eval(ctx, p, input, r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, vs...)
	}
	return out, errors.Join(errs...)
}

// EvaluatePolicy runs one policy on r, for verification after a remediation.
// Asking a policy about a type it does not judge is an error rather than a
// pass, because a pass would close the violation.
func (s *Set) EvaluatePolicy(ctx context.Context, policyID string, r resource.Resource) ([]Violation, error) {
	p, ok := s.byID[policyID]
	if !ok {
		return nil, fmt.Errorf("evaluate policy %s: %w", policyID, ErrUnknownPolicy)
	}
	if !p.meta.appliesTo(r.Type) {
		return nil, fmt.Errorf("evaluate policy %s on %s: policy judges %v, not %s", policyID, resourceKey(r), p.meta.ResourceTypes, r.Type)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate policy %s on %s: %w", policyID, resourceKey(r), err)
	}
	input, err := inputValue(r)
	if err != nil {
		return nil, fmt.Errorf("evaluate policy %s on %s: convert input: %w", policyID, resourceKey(r), err)
	}
	return s.eval(ctx, p, input, r)
}

// evalAll judges r with every policy of its type in one Eval. It reports
// false when the per-policy path must decide instead: an evaluation error,
// a deny that is undefined or not a set, or a deny value off the contract.
func (s *Set) evalAll(ctx context.Context, ps []*policy, input ast.Value, r resource.Resource) ([]Violation, bool) {
	q, ok := s.byTypeQuery[r.Type]
	if !ok {
		return nil, false
	}
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil || len(rs) != 1 || len(rs[0].Expressions) != len(ps) {
		return nil, false
	}
	var out []Violation
	for i, p := range ps {
		vs, err := p.denies(rs[0].Expressions[i].Value, r, s.revision)
		if err != nil {
			return nil, false
		}
		s.logDecision(ctx, p, r, vs)
		out = append(out, vs...)
	}
	return out, true
}

func (s *Set) eval(ctx context.Context, p *policy, input ast.Value, r resource.Resource) ([]Violation, error) {
	rs, err := p.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("evaluate policy %s on %s: %w", p.meta.ID, resourceKey(r), err)
	}
	vs, err := p.violations(rs, r, s.revision)
	if err != nil {
		return nil, fmt.Errorf("evaluate policy %s on %s: %w", p.meta.ID, resourceKey(r), err)
	}
	s.logDecision(ctx, p, r, vs)
	return vs, nil
}

// logDecision logs one policy's verdict on r, with the bundle revision.
func (s *Set) logDecision(ctx context.Context, p *policy, r resource.Resource, vs []Violation) {
	if s.logger.Enabled(ctx, slog.LevelDebug) {
		decision := "pass"
		if len(vs) > 0 {
			decision = "deny"
		}
		s.logger.LogAttrs(ctx, slog.LevelDebug, "policy decision",
			slog.String("policy", p.meta.ID),
			slog.String("resource", resourceKey(r)),
			slog.String("revision", s.revision),
			slog.String("decision", decision),
			slog.Int("violations", len(vs)))
	}
}

// violations checks each deny value against the contract
// {"msg": string, "params": object} and turns it into a Violation.
func (p *policy) violations(rs rego.ResultSet, r resource.Resource, revision string) ([]Violation, error) {
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil // deny undefined: nothing matched
	}
	return p.denies(rs[0].Expressions[0].Value, r, revision)
}

// denies turns the value of one deny set into Violations.
func (p *policy) denies(value any, r resource.Resource, revision string) ([]Violation, error) {
	denies, ok := value.([]any)
	if !ok {
		return nil, fmt.Errorf("deny is %T, want a set of objects", value)
	}
	out := make([]Violation, 0, len(denies))
	for i, d := range denies {
		obj, ok := d.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: deny value %d is %T, want {\"msg\": string, \"params\": object}", p.meta.File, i, d)
		}
		msg, ok := obj["msg"].(string)
		if !ok || msg == "" {
			return nil, fmt.Errorf("%s: deny value %d has no string msg: %v", p.meta.File, i, d)
		}
		params := map[string]any{}
		if raw, present := obj["params"]; present {
			if params, ok = raw.(map[string]any); !ok {
				return nil, fmt.Errorf("%s: deny value %d has params of type %T, want an object", p.meta.File, i, raw)
			}
		}
		cannotFix := ""
		if raw, present := obj["cannot_fix"]; present {
			if cannotFix, ok = raw.(string); !ok || cannotFix == "" {
				return nil, fmt.Errorf("%s: deny value %d has cannot_fix %v, want a non-empty string (why no remediation can fix it)", p.meta.File, i, raw)
			}
		}
		out = append(out, Violation{
			CannotFix:   cannotFix,
			PolicyID:    p.meta.ID,
			Title:       p.meta.Title,
			Severity:    p.meta.Severity,
			Message:     msg,
			Params:      params,
			Remediation: p.meta.Remediation,
			Controls:    slices.Clone(p.meta.Controls),
			Revision:    revision,
			ResourceARN: r.ARN,
		})
	}
	return out, nil
}

// inputValue builds input = {"resource": r} as an AST value. It mirrors the
// JSON tags of resource.Resource field by field instead of going through
// encoding/json, which ast.InterfaceToValue would do for a struct; a test
// checks both give the same value so the two cannot drift apart. The two
// outer objects are built as AST directly: going through map[string]any
// first made each conversion about a fifth slower.
// Properties should hold map[string]any, []any, string, bool, int and nil:
// those convert directly, anything else still converts through JSON.
func inputValue(r resource.Resource) (ast.Value, error) {
	address, tags, props := ast.NullTerm(), ast.NullTerm(), ast.NullTerm()
	if r.Address != nil {
		address = ast.StringTerm(*r.Address)
	}
	if r.Tags != nil {
		v, err := ast.InterfaceToValue(r.Tags)
		if err != nil {
			return nil, err
		}
		tags = ast.NewTerm(v)
	}
	if r.Properties != nil {
		v, err := ast.InterfaceToValue(r.Properties)
		if err != nil {
			return nil, err
		}
		props = ast.NewTerm(v)
	}
	return ast.NewObject(ast.Item(ast.InternedTerm("resource"), ast.ObjectTerm(
		ast.Item(ast.InternedTerm("type"), ast.StringTerm(r.Type)),
		ast.Item(ast.InternedTerm("address"), address),
		ast.Item(ast.InternedTerm("arn"), ast.StringTerm(r.ARN)),
		ast.Item(ast.InternedTerm("id"), ast.StringTerm(r.ID)),
		ast.Item(ast.InternedTerm("name"), ast.StringTerm(r.Name)),
		ast.Item(ast.InternedTerm("account"), ast.StringTerm(r.Account)),
		ast.Item(ast.InternedTerm("region"), ast.StringTerm(r.Region)),
		ast.Item(ast.InternedTerm("tags"), tags),
		ast.Item(ast.InternedTerm("plane"), ast.StringTerm(string(r.Plane))),
		ast.Item(ast.InternedTerm("properties"), props),
	))), nil
}

// resourceKey names a resource in logs and errors: the ARN, or the Terraform
// address for a plan-plane resource that has no ARN yet.
func resourceKey(r resource.Resource) string {
	switch {
	case r.ARN != "":
		return r.ARN
	case r.Address != nil:
		return *r.Address
	default:
		return r.Type + "/" + r.ID
	}
}

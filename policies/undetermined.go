package policies

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/rectifyhq/rectify/internal/resource"
)

// undeterminedRule is the optional rule by which a policy says that its
// verdict on a resource depends on values unknown at plan time:
//
//	undetermined contains {"msg": string, "unknown": [string, ...]} if { ... }
//
// "unknown" names the properties the verdict waits for ("policy",
// "public_access_block.restrict_public_buckets"); it may be left out. The
// rule lives beside deny in the policy's package, so the policy that knows
// what it reads says what it cannot tell, and stock `opa test` tests it
// like deny. A deny wins: a resource a policy denies is failing, whatever
// else that policy cannot tell. Live resources have no unknowns; only the
// plan plane (rectify check) asks.
const undeterminedRule = "undetermined"

// Undetermined is a policy that cannot judge a planned resource until
// apply.
type Undetermined struct {
	PolicyID string   `json:"policy_id"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	Message  string   `json:"message"`
	Unknown  []string `json:"unknown"`
	Controls []string `json:"controls"`
}

// Assessment is every verdict of the policies that judge one resource.
type Assessment struct {
	Violations   []Violation
	Undetermined []Undetermined // policies that did not deny but could not tell
}

// assessQueries are prepared on the first Assess: a worker never asks.
type assessQueries struct {
	once    sync.Once
	err     error
	byType  map[string]rego.PreparedEvalQuery // deny and undetermined of every policy of a type
	byID    map[string]rego.PreparedEvalQuery // undetermined of one policy
	withUnd map[string]bool                   // package → defines undetermined
}

// undeterminedPackages finds the packages that define undetermined, and
// refuses one that is not a partial set.
func undeterminedPackages(modules map[string]*ast.Module) (map[string]bool, error) {
	out := map[string]bool{}
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		m := modules[name]
		for _, r := range m.Rules {
			if r.Head.Ref().String() != undeterminedRule {
				continue
			}
			if r.Head.RuleKind() != ast.MultiValue {
				return nil, fmt.Errorf("load policy %s:%d: undetermined must be a partial set: undetermined contains {\"msg\": ..., \"unknown\": [...]} if { ... }", name, r.Location.Row)
			}
			out[strings.TrimPrefix(m.Package.Path.String(), "data.")] = true
		}
	}
	return out, nil
}

func (s *Set) prepareAssess() error {
	a := s.assess
	a.once.Do(func() {
		a.byType = map[string]rego.PreparedEvalQuery{}
		a.byID = map[string]rego.PreparedEvalQuery{}
		for _, p := range s.policies {
			if !a.withUnd[p.meta.Package] {
				continue
			}
			ref, err := ruleRef(p.meta, undeterminedRule)
			if err != nil {
				a.err = err
				return
			}
			if a.byID[p.meta.ID], err = prepareQuery(s.compiler, ast.NewBody(ast.NewExpr(ast.NewTerm(ref))), s.printHook); err != nil {
				a.err = fmt.Errorf("load policy %s: prepare query %s: %w", p.meta.File, ref, err)
				return
			}
		}
		for t, ps := range s.byType {
			body := make(ast.Body, 0, 2*len(ps))
			for _, p := range ps {
				for _, rule := range []string{denyRule, undeterminedRule} {
					if rule == undeterminedRule && !a.withUnd[p.meta.Package] {
						continue
					}
					ref, err := ruleRef(p.meta, rule)
					if err != nil {
						a.err = err
						return
					}
					body.Append(ast.NewExpr(ast.NewTerm(ref)))
				}
			}
			q, err := prepareQuery(s.compiler, body, s.printHook)
			if err != nil {
				a.err = fmt.Errorf("load policies for %s: %w", t, err)
				return
			}
			a.byType[t] = q
		}
	})
	return a.err
}

// Assess runs every policy whose resource_types contain r.Type, as
// Evaluate does, and also asks each policy that defines undetermined
// whether its verdict waits for values unknown at plan time. An
// undetermined of a policy that denies r is dropped.
func (s *Set) Assess(ctx context.Context, r resource.Resource) (Assessment, error) {
	if err := ctx.Err(); err != nil {
		return Assessment{}, fmt.Errorf("evaluate %s: %w", resourceKey(r), err)
	}
	ps := s.byType[r.Type]
	if len(ps) == 0 {
		return Assessment{}, nil
	}
	if err := s.prepareAssess(); err != nil {
		return Assessment{}, err
	}
	input, err := inputValue(r)
	if err != nil {
		return Assessment{}, fmt.Errorf("evaluate %s: convert input: %w", resourceKey(r), err)
	}
	if out, ok := s.assessAll(ctx, ps, input, r); ok {
		return out, nil
	}
	// A policy failed: judge each on its own, so the error names it.
	var out Assessment
	var errs []error
	for _, p := range ps {
		vs, err := s.eval(ctx, p, input, r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out.Violations = append(out.Violations, vs...)
		if len(vs) > 0 || !s.assess.withUnd[p.meta.Package] {
			continue
		}
		rs, err := s.assess.byID[p.meta.ID].Eval(ctx, rego.EvalParsedInput(input))
		if err == nil && len(rs) == 1 && len(rs[0].Expressions) == 1 {
			var us []Undetermined
			if us, err = p.undetermined(rs[0].Expressions[0].Value); err == nil {
				out.Undetermined = append(out.Undetermined, us...)
				continue
			}
		}
		if err == nil {
			err = errors.New("undetermined is undefined")
		}
		errs = append(errs, fmt.Errorf("evaluate policy %s on %s: %w", p.meta.ID, resourceKey(r), err))
	}
	return out, errors.Join(errs...)
}

func (s *Set) assessAll(ctx context.Context, ps []*policy, input ast.Value, r resource.Resource) (Assessment, bool) {
	rs, err := s.assess.byType[r.Type].Eval(ctx, rego.EvalParsedInput(input))
	if err != nil || len(rs) != 1 {
		return Assessment{}, false
	}
	exprs := rs[0].Expressions
	var out Assessment
	i := 0
	for _, p := range ps {
		if i >= len(exprs) {
			return Assessment{}, false
		}
		vs, err := p.denies(exprs[i].Value, r, s.revision)
		if err != nil {
			return Assessment{}, false
		}
		i++
		s.logDecision(ctx, p, r, vs)
		out.Violations = append(out.Violations, vs...)
		if !s.assess.withUnd[p.meta.Package] {
			continue
		}
		if i >= len(exprs) {
			return Assessment{}, false
		}
		us, err := p.undetermined(exprs[i].Value)
		if err != nil {
			return Assessment{}, false
		}
		i++
		if len(vs) == 0 {
			out.Undetermined = append(out.Undetermined, us...)
		}
	}
	return out, i == len(exprs)
}

// undetermined checks each undetermined value against the contract.
func (p *policy) undetermined(value any) ([]Undetermined, error) {
	vals, ok := value.([]any)
	if !ok {
		return nil, fmt.Errorf("undetermined is %T, want a set of objects", value)
	}
	out := make([]Undetermined, 0, len(vals))
	for i, v := range vals {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: undetermined value %d is %T, want {\"msg\": string, \"unknown\": [string]}", p.meta.File, i, v)
		}
		msg, ok := obj["msg"].(string)
		if !ok || msg == "" {
			return nil, fmt.Errorf("%s: undetermined value %d has no string msg: %v", p.meta.File, i, v)
		}
		u := Undetermined{PolicyID: p.meta.ID, Title: p.meta.Title, Severity: p.meta.Severity, Message: msg, Unknown: []string{}, Controls: slices.Clone(p.meta.Controls)}
		if raw, present := obj["unknown"]; present {
			list, ok := raw.([]any)
			if !ok {
				return nil, fmt.Errorf("%s: undetermined value %d has unknown of type %T, want a list of property names", p.meta.File, i, raw)
			}
			for _, k := range list {
				name, ok := k.(string)
				if !ok {
					return nil, fmt.Errorf("%s: undetermined value %d: unknown holds %T, want strings", p.meta.File, i, k)
				}
				u.Unknown = append(u.Unknown, name)
			}
		}
		out = append(out, u)
	}
	return out, nil
}

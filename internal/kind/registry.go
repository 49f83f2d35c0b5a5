package kind

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// Registry indexes the kinds rectify knows. It is built once, from the
// service packages' declarations, and read by everything else.
type Registry struct {
	kinds    []*Kind
	byType   map[string]*Kind
	byConfig map[string]*Kind // lower-cased: old notifications spell AWS::EC2::VOLUME
	byASFF   map[string]*Kind // lower-cased
	actions  map[string]*Action
	owner    map[string][]*Kind // action name → the kinds it fixes
	calls    map[string]map[string][]Binding
}

// Binding is one kind's reading of one CloudTrail call.
type Binding struct {
	Kind *Kind
	Call *Call
}

// New indexes kinds, in the order sweeps list them. It refuses a
// declaration that would make a derived table ambiguous or incomplete:
// two kinds of one type, two actions of one name, an action without
// permissions, a live read without its permissions.
func New(kinds ...*Kind) (*Registry, error) {
	r := &Registry{
		byType: map[string]*Kind{}, byConfig: map[string]*Kind{}, byASFF: map[string]*Kind{},
		actions: map[string]*Action{}, owner: map[string][]*Kind{}, calls: map[string]map[string][]Binding{},
	}
	var errs []error
	for _, k := range kinds {
		if err := r.add(k); err != nil {
			errs = append(errs, fmt.Errorf("kind %s: %w", k.Type, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// MustNew is New for the package-level registry, where a bad declaration
// is a programming error that every test catches.
func MustNew(kinds ...*Kind) *Registry {
	r, err := New(kinds...)
	if err != nil {
		panic(err)
	}
	return r
}

func (r *Registry) add(k *Kind) error {
	switch {
	case k.Type == "" || k.Noun == "":
		return errors.New("no type or noun")
	case r.byType[k.Type] != nil:
		return errors.New("declared twice")
	case k.ARN == nil:
		return errors.New("no ARN builder")
	case k.Scope == ScopeResource && k.ParseARN == nil:
		return errors.New("no ARN parser")
	case k.Fetch != nil && len(k.Permissions.Read) == 0:
		return errors.New("Fetch without Permissions.Read")
	case k.List != nil && len(k.Permissions.List) == 0 && k.Scope == ScopeResource:
		return errors.New("List without Permissions.List")
	case k.Fetch != nil && k.Scope == ScopeResource && k.List == nil:
		return errors.New("Fetch without List: a sweep could never find what no event reported")
	case k.Tag != nil && len(k.Permissions.Tag) == 0:
		return errors.New("Tag without Permissions.Tag")
	}
	r.kinds = append(r.kinds, k)
	r.byType[k.Type] = k
	if k.ConfigType != "" {
		r.byConfig[strings.ToLower(k.ConfigType)] = k
	}
	if k.ASFFType != "" && k.ASFFType != "Other" {
		r.byASFF[strings.ToLower(k.ASFFType)] = k
	}
	for _, a := range k.Actions {
		if r.actions[a.Name] == a { // one action may fix several kinds
			r.owner[a.Name] = append(r.owner[a.Name], k)
			continue
		}
		switch {
		case r.actions[a.Name] != nil:
			return fmt.Errorf("action %s declared twice", a.Name)
		case len(a.Permissions) == 0:
			return fmt.Errorf("action %s has no permissions", a.Name)
		case a.Describe == nil || a.Snapshot == nil || a.Apply == nil:
			return fmt.Errorf("action %s lacks Describe, Snapshot or Apply", a.Name)
		case a.Undo == nil && a.UndoNote == "":
			return fmt.Errorf("action %s cannot be undone and says nothing about it (UndoNote)", a.Name)
		}
		r.actions[a.Name] = a
		r.owner[a.Name] = []*Kind{k}
	}
	for i := range k.Calls {
		c := &k.Calls[i]
		if c.Source == "" || len(c.Names) == 0 {
			return fmt.Errorf("call %d has no source or names", i)
		}
		if len(c.IDs) == 0 && c.Extract == nil && k.Scope == ScopeResource {
			return fmt.Errorf("call %s/%v says nowhere where it names the resource", c.Source, c.Names)
		}
		if r.calls[c.Source] == nil {
			r.calls[c.Source] = map[string][]Binding{}
		}
		for _, name := range c.Names {
			r.calls[c.Source][name] = append(r.calls[c.Source][name], Binding{k, c})
		}
	}
	return nil
}

// Kinds lists every kind, in declaration order.
func (r *Registry) Kinds() []*Kind { return slices.Clone(r.kinds) }

// Kind returns the kind of a Terraform type name.
func (r *Registry) Kind(typ string) (*Kind, bool) {
	k, ok := r.byType[typ]
	return k, ok
}

// LiveTypes are the types the worker can read live: events for any other
// type are counted and ignored by the starter.
func (r *Registry) LiveTypes() []string {
	var out []string
	for _, k := range r.kinds {
		if k.Fetch != nil {
			out = append(out, k.Type)
		}
	}
	return out
}

// ByConfigType returns the kind AWS Config calls typ (any case).
func (r *Registry) ByConfigType(typ string) (*Kind, bool) {
	k, ok := r.byConfig[strings.ToLower(typ)]
	return k, ok
}

// ByASFFType returns the kind Security Hub calls typ (any case).
func (r *Registry) ByASFFType(typ string) (*Kind, bool) {
	k, ok := r.byASFF[strings.ToLower(typ)]
	return k, ok
}

// Action returns an action of the allow-list.
func (r *Registry) Action(name string) (*Action, bool) {
	a, ok := r.actions[name]
	return a, ok
}

// ActionKinds are the kinds an action fixes.
func (r *Registry) ActionKinds(name string) []*Kind { return slices.Clone(r.owner[name]) }

// ActionNames lists the allow-list, sorted.
func (r *Registry) ActionNames() []string { return slices.Sorted(maps.Keys(r.actions)) }

// Calls returns the kinds that read one CloudTrail call.
func (r *Registry) Calls(source, name string) []Binding { return r.calls[source][name] }

// CloudTrailEventNames returns, by eventSource, the sorted eventNames that
// start an evaluation. The EventBridge rules in deploy/terraform must
// forward exactly these.
func (r *Registry) CloudTrailEventNames() map[string][]string {
	out := make(map[string][]string, len(r.calls))
	for source, byName := range r.calls {
		out[source] = slices.Sorted(maps.Keys(byName))
	}
	return out
}

// Plan returns the plan-plane declarations, each named by its document type.
func (r *Registry) Plan() []plan.Kind {
	var out []plan.Kind
	for _, k := range r.kinds {
		if k.Plan.Empty() {
			continue
		}
		p := k.Plan
		p.Type = k.Type
		out = append(out, p)
	}
	return out
}

// Permissions are the IAM actions each part of the worker calls in a target
// account, keyed "read:<type>", "list:<type>", "tag:<type>" and by action
// name. The member role in deploy/terraform grants exactly their union.
func (r *Registry) Permissions() map[string][]string {
	out := map[string][]string{}
	put := func(key string, acts []string) {
		if len(acts) > 0 {
			out[key] = slices.Clone(acts)
		}
	}
	for _, k := range r.kinds {
		put("read:"+k.Type, k.Permissions.Read)
		put("list:"+k.Type, k.Permissions.List)
		put("tag:"+k.Type, k.Permissions.Tag)
		for _, a := range k.Actions {
			put(a.Name, a.Permissions) // the same for every kind it fixes
		}
	}
	return out
}

// RequiredActions is the sorted union of Permissions.
func (r *Registry) RequiredActions() []string {
	seen := map[string]bool{}
	for _, acts := range r.Permissions() {
		for _, a := range acts {
			seen[a] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// OptionKeys are the remediation options every action declares, sorted:
// what the config's remediation section may set.
func (r *Registry) OptionKeys() []string {
	seen := map[string]bool{}
	for _, a := range r.actions {
		for _, o := range a.Options {
			seen[o.Key] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

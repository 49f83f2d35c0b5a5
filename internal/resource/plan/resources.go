package plan

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/resource"
)

// instance is one managed resource instance of the plan, in the form the
// normalizers read.
type Instance struct {
	addr   string
	module string // module instance address, "" for the root module
	typ    string
	name   string
	key    string // instance key as references write it ("0", `"a"`), "" if none
	// create is set for creates and replacements: the object starts from
	// AWS's defaults for a new resource, not from prior state.
	create bool
	// deleted is set for actions ["delete"]: after is nil, before holds
	// what is going away.
	deleted bool
	after   map[string]any // the known part of change.after
	// unknown names the top-level attributes after_unknown marks, which
	// tells an unknown apart from an attribute an older provider lacks.
	unknown map[string]bool
	before  map[string]any // change.before; nil on create
	cfg     *ConfigResource
	region  string
	// planned is when the plan was made; zero when the plan does not say
	// (before Terraform 1.5).
	planned time.Time
}

// Resources turns the plan into one resource document per modelled resource
// that exists after apply (creates, updates, replacements and no-ops;
// deletes and data sources are skipped), with Plane "plan" and Address set,
// sorted by address. Separate child resources are joined into their parent
// (see join.go); a child whose parent is not in the plan yields a document
// of the parent's type that holds only what the child says. Types rectify
// does not model are left out.
func Resources(p *Plan, kinds *Kinds) ([]resource.Resource, error) {
	b := &builder{
		kinds:    kinds,
		configs:  configIndex(p.Configuration.RootModule, ""),
		regions:  providerRegions(p.Configuration.ProviderConfig),
		planned:  plannedAt(p.Timestamp),
		byKey:    map[string]map[string]*parent{},
		byConfig: map[string][]*parent{},
	}
	insts, err := b.instances(p)
	if err != nil {
		return nil, err
	}
	var out []resource.Resource
	// Parents first, so that children in any order find them.
	for _, in := range insts {
		if in.deleted {
			continue
		}
		if k, ok := kinds.parents[in.typ]; ok {
			d, key, err := k.build(in)
			if err != nil {
				return nil, fmt.Errorf("plan %s: %w", in.addr, err)
			}
			b.add(&parent{inst: in, family: k.family, key: key, doc: d})
			continue
		}
		if k, ok := kinds.standalone[in.typ]; ok {
			r, err := k.build(in)
			if err != nil {
				return nil, fmt.Errorf("plan %s: %w", in.addr, err)
			}
			out = append(out, r)
		}
	}
	for _, in := range insts {
		if _, ok := kinds.children[in.typ]; ok {
			if err := b.join(in); err != nil {
				return nil, fmt.Errorf("plan %s: %w", in.addr, err)
			}
		}
	}
	for _, pa := range b.parents {
		out = append(out, pa.doc.Resource())
	}
	sort.Slice(out, func(i, j int) bool { return *out[i].Address < *out[j].Address })
	return out, nil
}

type builder struct {
	kinds    *Kinds
	configs  map[string]*ConfigResource // configModule + "|" + type.name
	regions  map[string]string          // provider_config_key → region
	parents  []*parent
	byKey    map[string]map[string]*parent // family → join value → parent
	byConfig map[string][]*parent          // module instance + "|" + type.name
	planned  time.Time
}

func (b *builder) add(pa *parent) {
	b.parents = append(b.parents, pa)
	if pa.key != "" {
		if b.byKey[pa.family] == nil {
			b.byKey[pa.family] = map[string]*parent{}
		}
		b.byKey[pa.family][pa.key] = pa
	}
	if pa.inst != nil {
		k := pa.inst.module + "|" + pa.inst.typ + "." + pa.inst.name
		b.byConfig[k] = append(b.byConfig[k], pa)
	}
}

// instances collects the managed instances of resource_changes, then any
// resource of planned_values that resource_changes does not list (older
// Terraform versions left out no-ops), in address order.
func (b *builder) instances(p *Plan) ([]*Instance, error) {
	seen := map[string]bool{}
	var out []*Instance
	for _, rc := range p.ResourceChanges {
		seen[rc.Address] = true
		if rc.Mode == "data" || !b.kinds.wanted(rc.Type) {
			continue
		}
		in, err := b.fromChange(rc)
		if err != nil {
			return nil, err
		}
		if in != nil {
			out = append(out, in)
		}
	}
	var walk func(m ValuesModule)
	walk = func(m ValuesModule) {
		for _, r := range m.Resources {
			if seen[r.Address] || r.Mode == "data" || !b.kinds.wanted(r.Type) {
				continue
			}
			out = append(out, b.newInstance(r.Address, m.Address, r.Type, r.Name, r.Index, r.Values))
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(p.PlannedValues.RootModule)
	sort.Slice(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out, nil
}

func (b *builder) fromChange(rc ResourceChange) (*Instance, error) {
	actions := rc.Change.Actions
	deleted := slices.Equal(actions, []string{"delete"})
	var after map[string]any
	if !deleted {
		k, ok := known(rc.Change.After, rc.Change.AfterUnknown)
		if after, _ = k.(map[string]any); !ok || after == nil {
			if len(actions) == 1 && actions[0] == "forget" {
				return nil, nil // removed from state, left alone in AWS: gone from our view
			}
			return nil, fmt.Errorf("plan %s: change.after is %T, want an object for actions %v", rc.Address, rc.Change.After, actions)
		}
	}
	in := b.newInstance(rc.Address, rc.ModuleAddress, rc.Type, rc.Name, rc.Index, after)
	if um, ok := rc.Change.AfterUnknown.(map[string]any); ok {
		for k, v := range um {
			if v == true {
				in.unknown[k] = true
			}
		}
	}
	in.deleted = deleted
	in.create = slices.Contains(actions, "create")
	in.before, _ = rc.Change.Before.(map[string]any)
	return in, nil
}

func (b *builder) newInstance(addr, module, typ, name string, index any, after map[string]any) *Instance {
	cfgKey := StripKeys(module) + "|" + typ + "." + name
	cfg := b.configs[cfgKey]
	region := ""
	if cfg != nil {
		region = b.regions[cfg.ProviderConfigKey]
		if region == "" {
			_, local, _ := strings.Cut(cfg.ProviderConfigKey, ":")
			region = b.regions[local]
		}
	}
	if region == "" {
		region = b.regions["aws"]
	}
	return &Instance{
		addr: addr, module: module, typ: typ, name: name, key: instanceKey(index),
		after: after, cfg: cfg, region: region, unknown: map[string]bool{}, planned: b.planned,
	}
}

// plannedAt reads the plan's timestamp; zero when absent or unreadable,
// which leaves ages unknown rather than failing the plan.
func plannedAt(ts string) time.Time {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return time.Time{}
	}
	return t
}

// configIndex maps every resource block to its module path and address.
func configIndex(m ConfigModule, path string) map[string]*ConfigResource {
	out := map[string]*ConfigResource{}
	for i := range m.Resources {
		r := &m.Resources[i]
		out[path+"|"+r.Type+"."+r.Name] = r
	}
	for name, call := range m.ModuleCalls {
		child := "module." + name
		if path != "" {
			child = path + "." + child
		}
		for k, v := range configIndex(call.Module, child) {
			out[k] = v
		}
	}
	return out
}

// providerRegions reads each provider block's region when it is a constant.
// A region from a variable is unknown here; documents then carry none, and
// no policy depends on it.
func providerRegions(pcs map[string]ProviderConfig) map[string]string {
	out := map[string]string{}
	for key, pc := range pcs {
		if pc.Name != "aws" {
			continue
		}
		if e, ok := pc.Expressions["region"].(map[string]any); ok {
			if s, ok := e["constant_value"].(string); ok {
				out[key] = s
			}
		}
	}
	return out
}

// references returns expressions.<attr>.references of the resource block.
// An attribute set from each.value (for_each = aws_s3_bucket.x) names its
// parent only in for_each_expression, so those references follow.
func (in *Instance) references(attr string) []string {
	if in.cfg == nil {
		return nil
	}
	e, _ := in.cfg.Expressions[attr].(map[string]any)
	out := refStrings(e)
	if slices.ContainsFunc(out, func(r string) bool { return strings.HasPrefix(r, "each.") }) {
		out = append(out, refStrings(in.cfg.ForEachExpression)...)
	}
	return out
}

func refStrings(expr map[string]any) []string {
	refs, _ := expr["references"].([]any)
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		if s, ok := r.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// configures reports whether the resource block sets attr (or writes a
// block of that name), as opposed to leaving it to the provider.
func (in *Instance) configures(attr string) bool {
	if in.cfg == nil {
		return true // no configuration to tell: assume the user set it
	}
	_, ok := in.cfg.Expressions[attr]
	return ok
}

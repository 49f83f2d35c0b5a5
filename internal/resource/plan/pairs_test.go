package plan_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/internal/service"
)

// A fixture pair is testdata/pairs/<policy id>/<violating|compliant>/ with
// plan.json (terraform show -json, generated from testdata/tf) and
// live.json: for each plan address, the document the live plane produces
// for the same configuration after apply.
const pairsDir = "testdata/pairs"

var pairCases = []string{"violating", "compliant"}

// liveEntry is one live document: the account and region, and under one
// more key (security_group, bucket, kms_key, ...) the state its kind's
// live normalizer reads, as that kind's Fetch reads it from the AWS APIs.
// The entry's kind is the type of the plan document at the same address,
// so every pair crosses the real normalizer of its kind (kind.Normalize).
// The key "resource" instead holds the exact live document.
type liveEntry map[string]json.RawMessage

func (e liveEntry) build(typ string) (resource.Resource, error) {
	var account, region string
	for key, dst := range map[string]*string{"account": &account, "region": &region} {
		if raw, ok := e[key]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return resource.Resource{}, fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	var states []string
	for key := range e {
		if key != "account" && key != "region" {
			states = append(states, key)
		}
	}
	if len(states) != 1 {
		return resource.Resource{}, fmt.Errorf("want one state besides account and region, found %v", states)
	}
	if states[0] == "resource" {
		var r resource.Resource
		if err := json.Unmarshal(e["resource"], &r); err != nil {
			return r, err
		}
		if r.Plane != resource.PlaneLive || r.Address != nil {
			return r, fmt.Errorf("resource must have plane live and address null")
		}
		return r, nil
	}
	k, ok := service.Registry.Kind(typ)
	if !ok || k.Normalize == nil {
		return resource.Resource{}, fmt.Errorf("%s has no live normalizer", typ)
	}
	return k.Normalize(account, region, e[states[0]])
}

type pair struct {
	policy, name string // name: <policy>/<case>
	plan         []resource.Resource
	live         map[string]resource.Resource // by plan address
}

func loadPair(t *testing.T, policyID, kase string) pair {
	t.Helper()
	dir := filepath.Join(pairsDir, policyID, kase)
	p := pair{policy: policyID, name: policyID + "/" + kase, live: map[string]resource.Resource{}}

	f, err := os.Open(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pl, err := plan.Parse(f)
	if err != nil {
		t.Fatalf("%s/plan.json: %v", dir, err)
	}
	if p.plan, err = plan.Resources(pl, service.Plan); err != nil {
		t.Fatalf("%s/plan.json: %v", dir, err)
	}

	raw, err := os.ReadFile(filepath.Join(dir, "live.json"))
	if err != nil {
		t.Fatal(err)
	}
	var entries map[string]liveEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		t.Fatalf("%s/live.json: %v", dir, err)
	}
	types := map[string]string{}
	for _, d := range p.plan {
		types[*d.Address] = d.Type
	}
	for addr, e := range entries {
		r, err := e.build(types[addr])
		if err != nil {
			t.Fatalf("%s/live.json: %s: %v", dir, addr, err)
		}
		p.live[addr] = r
	}
	return p
}

func pairPolicies(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(pairsDir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() {
			ids = append(ids, e.Name())
		}
	}
	return ids
}

// TestPairDocuments checks the documents themselves: every plan document
// has a live twin and says nothing the live one contradicts. A key absent
// from the plan document is unknown at plan time; a key present must hold
// the live value.
func TestPairDocuments(t *testing.T) {
	for _, id := range pairPolicies(t) {
		for _, kase := range pairCases {
			p := loadPair(t, id, kase)
			t.Run(p.name, func(t *testing.T) {
				seen := map[string]bool{}
				for _, pr := range p.plan {
					addr := *pr.Address
					seen[addr] = true
					lr, ok := p.live[addr]
					if !ok {
						t.Errorf("%s: no live document in live.json", addr)
						continue
					}
					if pr.Type != lr.Type {
						t.Errorf("%s: type %s in the plan, %s live", addr, pr.Type, lr.Type)
					}
					for _, f := range []struct{ name, plan, live string }{
						{"id", pr.ID, lr.ID}, {"arn", pr.ARN, lr.ARN}, {"name", pr.Name, lr.Name},
						{"account", pr.Account, lr.Account}, {"region", pr.Region, lr.Region},
					} {
						if f.plan != "" && f.plan != f.live {
							t.Errorf("%s: %s %q in the plan, %q live", addr, f.name, f.plan, f.live)
						}
					}
					if !reflect.DeepEqual(pr.Tags, lr.Tags) {
						t.Errorf("%s: tags %v in the plan, %v live", addr, pr.Tags, lr.Tags)
					}
					if why := subsumes(jsonValue(pr.Properties), jsonValue(lr.Properties), "properties"); why != "" {
						t.Errorf("%s: %s\nplan: %s\nlive: %s", addr, why, mustJSON(pr.Properties), mustJSON(lr.Properties))
					}
				}
				for addr := range p.live {
					if !seen[addr] {
						t.Errorf("live.json has %s, which the plan does not produce", addr)
					}
				}
			})
		}
	}
}

// subsumes reports why plan is not a known part of live ("" when it is):
// objects key by key, lists element by element in any order, scalars equal.
func subsumes(plan, live any, path string) string {
	switch p := plan.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: object in the plan, %v live", path, live)
		}
		for k, v := range p {
			lv, ok := l[k]
			if !ok {
				return fmt.Sprintf("%s.%s: known in the plan (%v), absent live", path, k, v)
			}
			if why := subsumes(v, lv, path+"."+k); why != "" {
				return why
			}
		}
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) != len(p) {
			return fmt.Sprintf("%s: %d elements in the plan, live has %v", path, len(p), live)
		}
		if !matchAll(p, l, make([]bool, len(l))) {
			return fmt.Sprintf("%s: no one-to-one match of plan elements %s to live %s", path, mustJSON(p), mustJSON(l))
		}
	default:
		if !reflect.DeepEqual(plan, live) {
			return fmt.Sprintf("%s: %v in the plan, %v live", path, plan, live)
		}
	}
	return ""
}

// matchAll pairs each plan element with a distinct live element it
// subsumes, backtracking: a plan rule whose peer is unknown fits several.
func matchAll(plan, live []any, used []bool) bool {
	if len(plan) == 0 {
		return true
	}
	for j, lv := range live {
		if !used[j] && subsumes(plan[0], lv, "") == "" {
			used[j] = true
			if matchAll(plan[1:], live, used) {
				return true
			}
			used[j] = false
		}
	}
	return false
}

// jsonValue round-trips through JSON so that ints, float64s and typed
// maps compare by value, as the policies see them.
func jsonValue(v any) any {
	var out any
	if err := json.Unmarshal([]byte(mustJSON(v)), &out); err != nil {
		panic(err)
	}
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

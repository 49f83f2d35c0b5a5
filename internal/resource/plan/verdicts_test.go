package plan_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/policies"
)

var (
	loadOnce sync.Once
	loaded   *policies.Set
	loadErr  error
)

func policySet(t testing.TB) *policies.Set {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = policies.Load(policies.WithLogger(slog.New(slog.DiscardHandler))) })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

// verdicts evaluates every document and returns, per address, the
// violations by policy id.
func verdicts(t *testing.T, s *policies.Set, docs map[string]resource.Resource) map[string]map[string]policies.Violation {
	t.Helper()
	out := map[string]map[string]policies.Violation{}
	for addr, r := range docs {
		vs, err := s.Evaluate(context.Background(), r)
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		out[addr] = map[string]policies.Violation{}
		for _, v := range vs {
			if _, dup := out[addr][v.PolicyID]; dup {
				t.Errorf("%s: %s denied twice; a pair should give one violation per policy", addr, v.PolicyID)
			}
			out[addr][v.PolicyID] = v
		}
	}
	return out
}

// TestPairVerdicts is the consistency rule: the same configuration, seen as
// a plan and seen live, gets the same verdict from every policy, with the
// same params except identities the plan cannot know yet.
func TestPairVerdicts(t *testing.T) {
	s := policySet(t)
	for _, id := range pairPolicies(t) {
		for _, kase := range pairCases {
			p := loadPair(t, id, kase)
			t.Run(p.name, func(t *testing.T) {
				planDocs := map[string]resource.Resource{}
				for _, r := range p.plan {
					planDocs[*r.Address] = r
				}
				pv, lv := verdicts(t, s, planDocs), verdicts(t, s, p.live)
				fired := false
				for _, addr := range sortedKeys(lv) {
					planIDs, liveIDs := sortedKeys(pv[addr]), sortedKeys(lv[addr])
					if !slices.Equal(planIDs, liveIDs) {
						t.Errorf("%s: plan denies %v, live denies %v", addr, planIDs, liveIDs)
						continue
					}
					for _, pid := range planIDs {
						if why := paramsAgree(pv[addr][pid].Params, lv[addr][pid].Params); why != "" {
							t.Errorf("%s: %s params differ: %s\nplan: %s\nlive: %s", addr, pid, why,
								mustJSON(pv[addr][pid].Params), mustJSON(lv[addr][pid].Params))
						}
						fired = fired || pid == p.policy
					}
				}
				switch {
				case kase == "violating" && !fired:
					t.Errorf("the violating pair does not violate %s", p.policy)
				case kase == "compliant" && fired:
					t.Errorf("the compliant pair violates %s", p.policy)
				}
			})
		}
	}
}

// paramsAgree compares params the way the documents compare: a value the
// plan has must match live, a null in the plan is an identity not known yet
// (the bucket of a bucket_prefix, a group id). Rule ids exist only once EC2
// has created the rules, so *rule_ids params are left out.
func paramsAgree(plan, live map[string]any) string {
	p, l := jsonValue(plan).(map[string]any), jsonValue(live).(map[string]any)
	for _, m := range []map[string]any{p, l} {
		for k := range m {
			if strings.HasSuffix(k, "rule_ids") {
				delete(m, k)
			}
		}
	}
	for k, v := range p {
		if v == nil {
			delete(p, k)
		}
	}
	for k := range l {
		if _, ok := p[k]; !ok && !identityParam(k) {
			return "params." + k + " is missing in the plan"
		}
	}
	return subsumes(p, l, "params")
}

// identityParam names params that hold ids AWS assigns on create.
func identityParam(k string) bool {
	return k == "group_id" || k == "key_id" || k == "name" || k == "bucket" || k == "subnet_id" || k == "instance_id" || k == "vpc_id"
}

// repoRoot is where policies.Metadata.File paths start.
const repoRoot = "../../.."

var testRule = regexp.MustCompile(`(?m)^test_[a-z0-9_]+`)

// TestEveryControlHasPairAndTests fails for a built-in control without its
// METADATA fields, its _test.rego tests, or a violating and a compliant
// fixture pair; and for a pair no control claims.
func TestEveryControlHasPairAndTests(t *testing.T) {
	s := policySet(t)
	metas := s.Policies()
	if len(metas) < 12 {
		t.Errorf("%d controls, want at least 12", len(metas))
	}
	ids := map[string]bool{}
	for _, m := range metas {
		ids[m.ID] = true
		t.Run(m.ID, func(t *testing.T) {
			if m.Title == "" || m.Description == "" || m.Severity == "" || len(m.ResourceTypes) == 0 ||
				m.Remediation == "" || m.DefaultMode == "" {
				t.Errorf("METADATA incomplete: %+v", m)
			}
			if len(m.Controls) == 0 {
				t.Errorf("%s: custom.controls lists no CIS or FSBP control", m.File)
			}
			if want := "rectify." + m.ID; m.Package != want {
				t.Errorf("package %s, want %s (one package per control, named after its id)", m.Package, want)
			}
			dir := filepath.Join(repoRoot, filepath.Dir(m.File))
			tests, err := filepath.Glob(filepath.Join(dir, "*_test.rego"))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, f := range tests {
				text, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(text), "package "+m.Package+"_test") {
					n += len(testRule.FindAll(text, -1))
				}
			}
			if n == 0 {
				t.Errorf("no test_ rules in package %s_test under %s", m.Package, dir)
			}
			// A control on kinds Terraform cannot express (no plan plane in
			// the registry, e.g. a public EBS snapshot), or of a property no
			// plan holds (METADATA planes: [live], e.g. when a credential was
			// last used), has no plan to pair; its METADATA description says
			// why.
			planned := slices.ContainsFunc(m.ResourceTypes, func(typ string) bool { return slices.Contains(service.Plan.Types(), typ) })
			if !planned || !m.Judges("plan") {
				if _, err := os.Stat(filepath.Join(pairsDir, m.ID)); err == nil {
					t.Errorf("%s: a fixture pair for a control no plan can express", filepath.Join(pairsDir, m.ID))
				}
				if !strings.Contains(m.Description, "Terraform") {
					t.Errorf("%s: live plane only, and the METADATA description does not say why Terraform cannot express it", m.File)
				}
				return
			}
			for _, kase := range pairCases {
				for _, f := range []string{"plan.json", "live.json"} {
					if _, err := os.Stat(filepath.Join(pairsDir, m.ID, kase, f)); err != nil {
						t.Errorf("missing fixture pair file: %v", err)
					}
				}
			}
		})
	}
	for _, id := range pairPolicies(t) {
		if !ids[id] {
			t.Errorf("%s/%s: no policy has this id", pairsDir, id)
		}
	}
}

package plan_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/live"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// A fixture pair is testdata/pairs/<policy id>/<violating|compliant>/ with
// plan.json (terraform show -json, generated from testdata/tf) and
// live.json: for each plan address, the document the live plane produces
// for the same configuration after apply.
const pairsDir = "testdata/pairs"

var pairCases = []string{"violating", "compliant"}

// liveEntry is one live document. Security groups and buckets are built
// through internal/resource/live from SDK types, so the pair crosses the
// real normalizers; the other types are written as the exact document
// their live normalizer must produce (internal/resource types.go).
type liveEntry struct {
	Account       string `json:"account"`
	Region        string `json:"region"`
	SecurityGroup *struct {
		Group ec2types.SecurityGroup       `json:"group"`
		Rules []ec2types.SecurityGroupRule `json:"rules"`
	} `json:"security_group"`
	Bucket *struct {
		Name              string
		PublicAccessBlock *s3types.PublicAccessBlockConfiguration
		// Encryption is GetBucketEncryption's configuration; Policy is
		// GetBucketPolicy's text as AWS returns it, NoPolicy its
		// NoSuchBucketPolicy.
		Encryption *s3types.ServerSideEncryptionConfiguration
		Policy     *string
		NoPolicy   bool
		Tags       map[string]string
	} `json:"bucket"`
	// KMS keys and trails: DescribeKey/GetKeyRotationStatus/ListResourceTags
	// and DescribeTrails/GetTrailStatus/ListTags, as live.KMSKey and
	// live.Trail read them.
	KMSKey   *live.KMSKeyState  `json:"kms_key"`
	Trail    *live.TrailState   `json:"trail"`
	Resource *resource.Resource `json:"resource"`

	// DescribeDBInstances' instance (its TagList the tags) and
	// GetEbsEncryptionByDefault's output, as live.DBInstance and
	// live.EBSEncryptionByDefault read them.
	DBInstance             *rdstypes.DBInstance                 `json:"db_instance"`
	EBSEncryptionByDefault *ec2.GetEbsEncryptionByDefaultOutput `json:"ebs_encryption_by_default"`

	// An IAM user, role or group: its path and tags, every page of
	// List*AttachedPolicies and each Get*Policy document URL-encoded as
	// IAM returns it, as live.IAMPrincipal reads them.
	IAM *live.IAMPrincipalState `json:"iam"`
}

func (e liveEntry) build() (resource.Resource, error) {
	switch {
	case e.SecurityGroup != nil:
		return live.SecurityGroup(e.Account, e.Region, e.SecurityGroup.Group, e.SecurityGroup.Rules), nil
	case e.Bucket != nil:
		state := live.BucketState{
			Name: e.Bucket.Name, PublicAccessBlock: e.Bucket.PublicAccessBlock,
			Encryption: e.Bucket.Encryption, Policy: e.Bucket.Policy, NoPolicy: e.Bucket.NoPolicy, Tags: e.Bucket.Tags,
		}
		if err := state.Check(); err != nil {
			return resource.Resource{}, err
		}
		return live.Bucket(e.Account, e.Region, state), nil
	case e.KMSKey != nil:
		return live.KMSKey(e.Account, e.Region, *e.KMSKey), nil
	case e.Trail != nil:
		return live.Trail(e.Account, *e.Trail), nil
	case e.DBInstance != nil:
		return live.DBInstance(e.Account, e.Region, *e.DBInstance, live.RDSTags(e.DBInstance.TagList)), nil
	case e.EBSEncryptionByDefault != nil:
		return live.EBSEncryptionByDefault(e.Account, e.Region, e.EBSEncryptionByDefault.EbsEncryptionByDefault), nil
	case e.IAM != nil:
		return live.IAMPrincipal(e.Account, e.Region, *e.IAM)
	case e.Resource != nil:
		if e.Resource.Plane != resource.PlaneLive || e.Resource.Address != nil {
			return *e.Resource, fmt.Errorf("resource must have plane live and address null")
		}
		return *e.Resource, nil
	}
	return resource.Resource{}, fmt.Errorf("want one of security_group, bucket or resource")
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
	if p.plan, err = plan.Resources(pl); err != nil {
		t.Fatalf("%s/plan.json: %v", dir, err)
	}

	raw, err := os.ReadFile(filepath.Join(dir, "live.json"))
	if err != nil {
		t.Fatal(err)
	}
	var entries map[string]liveEntry
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&entries); err != nil {
		t.Fatalf("%s/live.json: %v", dir, err)
	}
	for addr, e := range entries {
		r, err := e.build()
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

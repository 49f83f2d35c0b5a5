package plan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/service/ec2"
	"github.com/rectifyhq/rectify/internal/service/kms"
	"github.com/rectifyhq/rectify/internal/service/s3"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/policies"
)

// genPlan writes a `terraform show -json` plan of n resource changes in
// the proportions of a mid-size AWS estate, every resource a create, so
// that children join through configuration references as they do in CI:
// per unit of 26, 2 security groups with 4 rule resources, 2 buckets with a
// public access block, an encryption configuration and a policy each, 2
// roles with an attachment each, a KMS key, a DB instance, a trail and an
// EBS setting. About one resource in six violates a policy.
func genPlan(n int) []byte {
	var changes []map[string]any
	var config []map[string]any
	add := func(typ, name string, after, unknown, exprs map[string]any) {
		if len(changes) >= n {
			return
		}
		addr := typ + "." + name
		changes = append(changes, map[string]any{
			"address": addr, "mode": "managed", "type": typ, "name": name,
			"provider_name": "registry.terraform.io/hashicorp/aws",
			"change":        map[string]any{"actions": []string{"create"}, "before": nil, "after": after, "after_unknown": unknown},
		})
		config = append(config, map[string]any{
			"address": addr, "mode": "managed", "type": typ, "name": name, "provider_config_key": "aws", "expressions": exprs,
		})
	}
	ref := func(addr, attr string) map[string]any {
		return map[string]any{"references": []string{addr + "." + attr, addr}}
	}
	for i := 0; len(changes) < n; i++ {
		for g := range 2 {
			sg := fmt.Sprintf("sg%d_%d", i, g)
			add("aws_security_group", sg, map[string]any{"name": sg, "description": "tier", "vpc_id": "vpc-1", "tags": nil},
				map[string]any{"id": true, "arn": true, "ingress": true, "egress": true, "tags_all": true},
				map[string]any{"name": map[string]any{"constant_value": sg}})
			for r, port := range []int{443, 22, 5432, 8080} {
				cidr := "10.0.0.0/8"
				if (i+r)%7 == 0 {
					cidr = "0.0.0.0/0"
				}
				add("aws_vpc_security_group_ingress_rule", fmt.Sprintf("%s_r%d", sg, r),
					map[string]any{"cidr_ipv4": cidr, "from_port": port, "to_port": port, "ip_protocol": "tcp", "description": nil},
					map[string]any{"id": true, "security_group_id": true, "security_group_rule_id": true},
					map[string]any{"security_group_id": ref("aws_security_group."+sg, "id")})
			}
		}
		for k := range 2 {
			b := fmt.Sprintf("b%d_%d", i, k)
			name := "acme-" + b
			add("aws_s3_bucket", b, map[string]any{"bucket": name, "tags": map[string]any{"data-classification": "confidential"}},
				map[string]any{"id": true, "arn": true, "policy": true, "server_side_encryption_configuration": true, "tags_all": true},
				map[string]any{"bucket": map[string]any{"constant_value": name}})
			add("aws_s3_bucket_public_access_block", b, map[string]any{
				"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": i%5 != 0, "restrict_public_buckets": true,
			}, map[string]any{"bucket": true, "id": true}, map[string]any{"bucket": ref("aws_s3_bucket."+b, "id")})
			add("aws_s3_bucket_server_side_encryption_configuration", b, map[string]any{
				"rule": []any{map[string]any{"apply_server_side_encryption_by_default": []any{map[string]any{"sse_algorithm": "aws:kms"}}}},
			}, map[string]any{"bucket": true, "id": true, "rule": []any{map[string]any{"apply_server_side_encryption_by_default": []any{map[string]any{"kms_master_key_id": true}}}}},
				map[string]any{"bucket": ref("aws_s3_bucket."+b, "id")})
			doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": []string{"arn:aws:s3:::" + name, "arn:aws:s3:::" + name + "/*"},
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			}}})
			add("aws_s3_bucket_policy", b, map[string]any{"bucket": name, "policy": string(doc)},
				map[string]any{"id": true}, map[string]any{"bucket": map[string]any{"constant_value": name}})
		}
		for k := range 2 {
			role := fmt.Sprintf("role%d_%d", i, k)
			add("aws_iam_role", role, map[string]any{"name": role, "path": "/"},
				map[string]any{"id": true, "arn": true, "managed_policy_arns": true, "inline_policy": true},
				map[string]any{"name": map[string]any{"constant_value": role}})
			policy := "arn:aws:iam::aws:policy/ReadOnlyAccess"
			if i%10 == 0 && k == 0 {
				policy = "arn:aws:iam::aws:policy/AdministratorAccess"
			}
			add("aws_iam_role_policy_attachment", role, map[string]any{"role": role, "policy_arn": policy},
				map[string]any{"id": true}, map[string]any{"role": ref("aws_iam_role."+role, "name")})
		}
		add("aws_kms_key", fmt.Sprintf("k%d", i), map[string]any{
			"customer_master_key_spec": "SYMMETRIC_DEFAULT", "key_usage": "ENCRYPT_DECRYPT", "enable_key_rotation": i%3 != 0,
			"is_enabled": true, "custom_key_store_id": nil, "xks_key_id": nil,
		}, map[string]any{"id": true, "arn": true, "key_id": true}, map[string]any{})
		add("aws_db_instance", fmt.Sprintf("db%d", i), map[string]any{"identifier": fmt.Sprintf("db-%d", i), "engine": "postgres", "publicly_accessible": i%9 == 0},
			map[string]any{"id": true, "arn": true}, map[string]any{})
		add("aws_cloudtrail", fmt.Sprintf("t%d", i), map[string]any{"name": fmt.Sprintf("trail-%d", i), "enable_logging": true, "is_multi_region_trail": true},
			map[string]any{"id": true, "arn": true}, map[string]any{})
		add("aws_ebs_encryption_by_default", fmt.Sprintf("e%d", i), map[string]any{"enabled": true}, map[string]any{"id": true}, map[string]any{})
	}
	out, err := json.Marshal(map[string]any{
		"format_version": "1.2", "terraform_version": "1.11.4",
		"planned_values":   map[string]any{"root_module": map[string]any{}},
		"resource_changes": changes,
		"configuration": map[string]any{
			"provider_config": map[string]any{"aws": map[string]any{"name": "aws", "expressions": map[string]any{"region": map[string]any{"constant_value": "us-east-1"}}}},
			"root_module":     map[string]any{"resources": config},
		},
	})
	if err != nil {
		panic(err)
	}
	return out
}

// benchPlanSize is the plan BenchmarkCheckPlan judges.
const benchPlanSize = 5000

func TestGenPlan(t *testing.T) {
	// The generator's plan must itself be right, or the benchmarks measure
	// something else: every parent document, children joined, a sixth of
	// them violating.
	p, err := plan.Parse(bytes.NewReader(genPlan(benchPlanSize)))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ResourceChanges) != benchPlanSize {
		t.Fatalf("%d resource changes, want %d", len(p.ResourceChanges), benchPlanSize)
	}
	docs, err := plan.Resources(p, service.Plan)
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]int{}
	partial := 0 // the plan may end inside a unit
	for _, d := range docs {
		byType[d.Type]++
		if d.Type == ec2.TypeSecurityGroup && len(d.Properties["ingress"].([]any)) != 4 {
			if partial++; partial > 1 {
				t.Fatalf("%s: rules not joined: %v", *d.Address, d.Properties)
			}
		}
	}
	if d := byType[ec2.TypeSecurityGroup] - byType[s3.TypeBucket]; d < 0 || d > 2 || byType[kms.TypeKey] == 0 {
		t.Errorf("documents by type = %v", byType)
	}
	vs := evaluateDocs(t, policySet(t), docs, 1)
	if n := len(vs); n < len(docs)/8 || n > len(docs)/2 {
		t.Errorf("%d violations in %d documents", n, len(docs))
	}
}

// evaluateDocs judges docs on `workers` goroutines, as rectify check does.
func evaluateDocs(tb testing.TB, s *policies.Set, docs []resource.Resource, workers int) []policies.Violation {
	var (
		mu   sync.Mutex
		all  []policies.Violation
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			var mine []policies.Violation
			for i := int(next.Add(1) - 1); i < len(docs); i = int(next.Add(1) - 1) {
				vs, err := s.Evaluate(context.Background(), docs[i])
				if err != nil {
					tb.Error(err)
					return
				}
				mine = append(mine, vs...)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all
}

// BenchmarkCheckPlan is `rectify check` without the rendering: parse a
// 5,000-resource plan, normalize it and judge every document with the
// bundled policies, on one core and on all of them.
func BenchmarkCheckPlan(b *testing.B) {
	data := genPlan(benchPlanSize)
	s := policySet(b)
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				p, err := plan.Parse(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				docs, err := plan.Resources(p, service.Plan)
				if err != nil {
					b.Fatal(err)
				}
				evaluateDocs(b, s, docs, workers)
			}
			b.ReportMetric(float64(benchPlanSize*b.N)/b.Elapsed().Seconds(), "resources/s")
		})
	}
}

// BenchmarkCheckPlanStages splits one check into its stages, to show where
// the time goes.
func BenchmarkCheckPlanStages(b *testing.B) {
	data := genPlan(benchPlanSize)
	p, err := plan.Parse(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	docs, err := plan.Resources(p, service.Plan)
	if err != nil {
		b.Fatal(err)
	}
	s := policySet(b)
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := plan.Parse(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("normalize", func(b *testing.B) {
		for b.Loop() {
			if _, err := plan.Resources(p, service.Plan); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("evaluate", func(b *testing.B) {
		for b.Loop() {
			evaluateDocs(b, s, docs, 1)
		}
	})
}

// perResourceSample is the plan BenchmarkEvaluatePerResource draws from:
// ten units of the generator, about a hundred documents of every type. It
// is small on purpose: the worker judges one resource at a time with a
// small heap, and a 5,000-document heap makes every collection, and so
// every evaluation, slower.
const perResourceSample = 260

// BenchmarkEvaluatePerResource times Set.Evaluate (every bundled policy for
// the type, input converted to AST once) on each document of a generated
// plan, one at a time, and reports the median and 99th percentile over all
// of them, overall and per type.
func BenchmarkEvaluatePerResource(b *testing.B) {
	p, err := plan.Parse(bytes.NewReader(genPlan(perResourceSample)))
	if err != nil {
		b.Fatal(err)
	}
	docs, err := plan.Resources(p, service.Plan)
	if err != nil {
		b.Fatal(err)
	}
	s := policySet(b)
	groups := map[string][]resource.Resource{"all": docs}
	for _, d := range docs {
		groups[d.Type] = append(groups[d.Type], d)
	}
	for _, name := range sortedKeys(groups) {
		docs := groups[name]
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			var durs []time.Duration
			for b.Loop() {
				for _, d := range docs {
					start := time.Now()
					if _, err := s.Evaluate(ctx, d); err != nil {
						b.Fatal(err)
					}
					durs = append(durs, time.Since(start))
				}
			}
			slices.Sort(durs)
			us := func(q float64) float64 { return float64(durs[int(q*float64(len(durs)-1))].Nanoseconds()) / 1e3 }
			b.ReportMetric(us(0.50), "median-µs/resource")
			b.ReportMetric(us(0.99), "p99-µs/resource")
			b.ReportMetric(0, "ns/op") // one op is the whole set; the per-resource figures are the point
		})
	}
}

// BenchmarkEvaluatePolicy times each bundled policy alone on the first
// generated document of a type it judges, to find the expensive ones.
func BenchmarkEvaluatePolicy(b *testing.B) {
	p, err := plan.Parse(bytes.NewReader(genPlan(benchPlanSize)))
	if err != nil {
		b.Fatal(err)
	}
	docs, err := plan.Resources(p, service.Plan)
	if err != nil {
		b.Fatal(err)
	}
	first := map[string]resource.Resource{}
	for _, d := range docs {
		if _, ok := first[d.Type]; !ok {
			first[d.Type] = d
		}
	}
	s := policySet(b)
	for _, m := range s.Policies() {
		i := slices.IndexFunc(m.ResourceTypes, func(t string) bool { _, ok := first[t]; return ok })
		if i < 0 {
			continue
		}
		d := first[m.ResourceTypes[i]]
		b.Run(m.ID, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.EvaluatePolicy(context.Background(), m.ID, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

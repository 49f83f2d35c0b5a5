package policies

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/service/ec2"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/rectifyhq/rectify/internal/resource"
)

// typicalSG is a web tier group with five ingress rules and one egress rule,
// one of them SSH open to the world.
func typicalSG() resource.Resource {
	ref := ingress("sgr-5", "tcp", 5432, 5432, "")
	ref.CidrIpv4 = nil
	ref.ReferencedGroupInfo = &ec2types.ReferencedSecurityGroup{GroupId: aws.String("sg-app")}
	egress := ingress("sgr-6", "-1", -1, -1, "0.0.0.0/0")
	egress.IsEgress = aws.Bool(true)
	return securityGroup(
		ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 443, 443, "0.0.0.0/0"),
		ingress("sgr-3", "tcp", 443, 443, "::/0"),
		ingress("sgr-4", "tcp", 80, 80, "0.0.0.0/0"),
		ref,
		egress,
	)
}

var benchResources = []struct {
	name string
	r    resource.Resource
}{
	{"security_group", typicalSG()},
	{"bucket", bucket(nil)},
}

// BenchmarkEvaluate is the production path: one AST conversion per resource,
// then every prepared policy query for its type.
func BenchmarkEvaluate(b *testing.B) {
	s := mustLoad(b)
	ctx := context.Background()
	for _, br := range benchResources {
		b.Run(br.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if v, err := s.Evaluate(ctx, br.r); err != nil || len(v) != 1 {
					b.Fatalf("Evaluate = %v, %v", v, err)
				}
			}
		})
	}
}

// evaluateNoAST is the naive path: hand the Go struct to every query, which
// converts it (through JSON, since it is a struct) once per policy.
func (s *Set) evaluateNoAST(ctx context.Context, r resource.Resource) (int, error) {
	n := 0
	for _, p := range s.byType[r.Type] {
		rs, err := p.query.Eval(ctx, rego.EvalInput(map[string]any{"resource": r}))
		if err != nil {
			return 0, err
		}
		vs, err := p.violations(rs, r, s.revision)
		if err != nil {
			return 0, err
		}
		n += len(vs)
	}
	return n, nil
}

// BenchmarkEvaluateNoAST is the baseline for BenchmarkEvaluate: same
// queries, input converted inside each Eval.
func BenchmarkEvaluateNoAST(b *testing.B) {
	s := mustLoad(b)
	ctx := context.Background()
	for _, br := range benchResources {
		b.Run(br.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if n, err := s.evaluateNoAST(ctx, br.r); err != nil || n != 1 {
					b.Fatalf("evaluateNoAST = %d, %v", n, err)
				}
			}
		})
	}
}

// BenchmarkInputToAST isolates the conversion: inputValue against handing
// the struct to ast.InterfaceToValue (a JSON round trip).
func BenchmarkInputToAST(b *testing.B) {
	r := typicalSG()
	b.Run("inputValue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := inputValue(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("InterfaceToValue_struct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ast.InterfaceToValue(map[string]any{"resource": r}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// widePolicies is how many security group policies BenchmarkEvaluateWide
// adds, to model the planned 12+ controls judging one type.
const widePolicies = 12

// wideSet loads the built-ins plus widePolicies copies of the security group
// policy, and also prepares one combined query over all of them.
func wideSet(b *testing.B) (*Set, rego.PreparedEvalQuery) {
	b.Helper()
	text, err := builtin.ReadFile("aws/ec2/sg_public_admin_ports/policy.rego")
	if err != nil {
		b.Fatal(err)
	}
	files := map[string]string{}
	for i := range widePolicies {
		src := strings.Replace(string(text), "package rectify.aws.ec2.sg_public_admin_ports", fmt.Sprintf("package user.clone_%d", i), 1)
		src = strings.Replace(src, "id: aws.ec2.sg_public_admin_ports", fmt.Sprintf("id: user.clone_%d", i), 1)
		files[fmt.Sprintf("clone_%d/policy.rego", i)] = src
	}
	dir := writePolicies(b, files)
	s := mustLoad(b, WithDir(dir))

	// The combined alternative: one query binding every policy's deny.
	builtinSrcs, err := readSources(builtinRoot(), false)
	if err != nil {
		b.Fatal(err)
	}
	dirSrcs, err := readSources(dirRoot(dir), false)
	if err != nil {
		b.Fatal(err)
	}
	modules, err := parseSources(slices.Concat(builtinSrcs, dirSrcs))
	if err != nil {
		b.Fatal(err)
	}
	c, err := compile(modules, false)
	if err != nil {
		b.Fatal(err)
	}
	var exprs []string
	for i, p := range s.byType[ec2.TypeSecurityGroup] {
		exprs = append(exprs, fmt.Sprintf("p%d := data.%s.deny", i, p.meta.Package))
	}
	q, err := rego.New(rego.Compiler(c), rego.Query(strings.Join(exprs, "; "))).PrepareForEval(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return s, q
}

// BenchmarkEvaluateWide compares, for the 15 policies that judge one
// security group (3 built in, 12 clones): Evaluate (production: AST once,
// one prepared query over every policy of the type), per-policy queries
// converting per policy (naive), and a combined query built by hand that
// binds each deny to a variable.
func BenchmarkEvaluateWide(b *testing.B) {
	s, combined := wideSet(b)
	ctx := context.Background()
	r := typicalSG()
	// typicalSG opens SSH to the world: the original admin-ports policy and
	// its clones deny; data ports and the default-group policy pass.
	want := widePolicies + 1
	bindings := len(s.byType[ec2.TypeSecurityGroup])

	b.Run("evaluate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if v, err := s.Evaluate(ctx, r); err != nil || len(v) != want {
				b.Fatalf("Evaluate = %d violations, %v", len(v), err)
			}
		}
	})
	b.Run("per_policy_ast_each", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if n, err := s.evaluateNoAST(ctx, r); err != nil || n != want {
				b.Fatalf("evaluateNoAST = %d, %v", n, err)
			}
		}
	})
	b.Run("combined_query", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			input, err := inputValue(r)
			if err != nil {
				b.Fatal(err)
			}
			rs, err := combined.Eval(ctx, rego.EvalParsedInput(input))
			if err != nil || len(rs) != 1 || len(rs[0].Bindings) != bindings {
				b.Fatalf("combined = %v, %v", rs, err)
			}
		}
	})
}

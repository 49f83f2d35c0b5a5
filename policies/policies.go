// Package policies embeds, compiles and evaluates rectify's Rego policies.
//
// Each policy is one Rego v1 package under policies/ whose package-scope
// METADATA declares its id, severity, resource types, remediation, controls
// and default mode, and whose rules have the shape
//
//	deny contains {"msg": string, "params": object} if { ... }
//
// Layout: one control per directory,
// policies/<provider>/<service>/<control>/policy.rego with its
// policy_test.rego beside it, in package rectify.<custom.id> and
// rectify.<custom.id>_test. `opa test policies/` runs the tests with stock OPA;
// TestRego runs the same tests through OPA's tester package.
//
// A Set is compiled and its queries are prepared once per process; Evaluate
// converts each resource to AST once and runs every policy for its type.
// One prepared query per policy rather than one combined query per type:
// BenchmarkEvaluateWide puts the combined query at most ~15% ahead with 13
// policies on one type (policy bodies dominate), and separate queries keep one
// failing policy from hiding the verdicts of the rest and give EvaluatePolicy
// its query for free.
// The package does no I/O beyond reading policy files at Load.
package policies

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown/print"
)

// denyRule is the rule every policy package defines.
const denyRule = "deny"

// ErrUnknownPolicy is returned by EvaluatePolicy for an id no policy declares.
var ErrUnknownPolicy = errors.New("unknown policy")

// Set is a compiled, immutable set of policies. It is safe for concurrent use.
type Set struct {
	revision string
	logger   *slog.Logger
	policies []*policy // sorted by ID
	byID     map[string]*policy
	byType   map[string][]*policy // resource type → policies, sorted by ID
	// byTypeQuery evaluates every policy of a type in one Eval: one call
	// per resource instead of one per policy (rectify check judges
	// thousands of resources, and each Eval has a fixed cost).
	byTypeQuery map[string]rego.PreparedEvalQuery

	// What Assess prepares on first use.
	compiler  *ast.Compiler
	printHook print.Hook
	assess    *assessQueries
}

type policy struct {
	meta  Metadata
	query rego.PreparedEvalQuery
}

// Option configures Load.
type Option func(*config)

type config struct {
	dirs      []string
	logger    *slog.Logger
	printHook print.Hook
}

// WithDir adds the .rego files under dir (recursively; _test.rego files are
// skipped) to the embedded policies. They follow the same contract, and an id
// that collides with another policy is a load error rather than an override,
// so a user policy cannot silently replace a built-in one.
func WithDir(dir string) Option {
	return func(c *config) { c.dirs = append(c.dirs, dir) }
}

// WithLogger sets the logger for load events and per-decision debug lines.
// The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithPrintHook keeps Rego print() calls and sends their output to h. Without
// it the compiler erases print() calls, so they cost nothing in production.
func WithPrintHook(h print.Hook) Option {
	return func(c *config) { c.printHook = h }
}

// Load reads the embedded policies plus any WithDir directories, validates
// their METADATA, compiles them together and prepares one query per policy.
func Load(opts ...Option) (*Set, error) {
	cfg := config{logger: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}

	roots := []root{builtinRoot()}
	for _, d := range cfg.dirs {
		roots = append(roots, dirRoot(d))
	}
	var all [][]source
	for i, r := range roots {
		srcs, err := readSources(r, false)
		if err != nil {
			return nil, fmt.Errorf("load policies: %w", err)
		}
		if i > 0 && len(srcs) == 0 {
			// An empty user directory is almost always a wrong path.
			return nil, fmt.Errorf("load policy dir %s: no .rego files found", cfg.dirs[i-1])
		}
		all = append(all, srcs)
	}

	modules, err := parseSources(slices.Concat(all...))
	if err != nil {
		return nil, err
	}
	metas, err := policyMetadata(modules)
	if err != nil {
		return nil, err
	}
	compiler, err := compile(modules, cfg.printHook != nil)
	if err != nil {
		return nil, err
	}
	withUnd, err := undeterminedPackages(modules)
	if err != nil {
		return nil, err
	}

	s := &Set{
		revision: revision(all),
		logger:   cfg.logger,
		byID:     make(map[string]*policy, len(metas)),
		byType:   make(map[string][]*policy),

		byTypeQuery: make(map[string]rego.PreparedEvalQuery),

		compiler:  compiler,
		printHook: cfg.printHook,
		assess:    &assessQueries{withUnd: withUnd},
	}
	for _, m := range metas {
		q, err := prepare(compiler, m, cfg.printHook)
		if err != nil {
			return nil, err
		}
		p := &policy{meta: m, query: q}
		s.policies = append(s.policies, p)
		s.byID[m.ID] = p
		for _, t := range m.ResourceTypes {
			s.byType[t] = append(s.byType[t], p)
		}
	}
	for t, ps := range s.byType {
		q, err := prepareAll(compiler, ps, cfg.printHook)
		if err != nil {
			return nil, fmt.Errorf("load policies for %s: %w", t, err)
		}
		s.byTypeQuery[t] = q
	}
	s.logger.Info("policies loaded", "revision", s.revision, "policies", len(s.policies), "dirs", cfg.dirs)
	return s, nil
}

// Revision identifies the Rego sources this Set was compiled from: a hex
// prefix of their SHA-256. Every decision and Violation carries it.
func (s *Set) Revision() string { return s.revision }

// Policies returns every policy's metadata, sorted by ID.
func (s *Set) Policies() []Metadata {
	out := make([]Metadata, len(s.policies))
	for i, p := range s.policies {
		out[i] = p.meta.clone()
	}
	return out
}

// IDs returns every policy's id, sorted: what a configuration may name.
func (s *Set) IDs() []string {
	out := make([]string, len(s.policies))
	for i, p := range s.policies {
		out[i] = p.meta.ID
	}
	return out
}

// Policy returns the metadata of the policy with the given id.
func (s *Set) Policy(id string) (Metadata, bool) {
	p, ok := s.byID[id]
	if !ok {
		return Metadata{}, false
	}
	return p.meta.clone(), true
}

// parserOptions pins Rego v1 whatever the OPA default becomes, and keeps the
// METADATA comments that carry each policy's contract.
var parserOptions = ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true}

func parseSources(srcs []source) (map[string]*ast.Module, error) {
	modules := make(map[string]*ast.Module, len(srcs))
	for _, src := range srcs {
		m, err := ast.ParseModuleWithOpts(src.Name, string(src.Text), parserOptions)
		if err != nil {
			return nil, fmt.Errorf("load policy %s: %w", src.Name, err)
		}
		if m == nil { // an empty file holds nothing to evaluate
			continue
		}
		modules[src.Name] = m
	}
	return modules, nil
}

// policyMetadata groups modules by package and decides what each package is.
// A package that defines deny is a policy and needs exactly one package-scope
// METADATA block; a package without deny and without custom.id is a library
// that policies may import. Anything in between is an authoring mistake.
func policyMetadata(modules map[string]*ast.Module) ([]Metadata, error) {
	type pkgInfo struct {
		files    []string // sorted
		denyFile string
		meta     []*ast.Annotations
		metaFile []string
	}
	pkgs := map[string]*pkgInfo{}
	names := make([]string, 0, len(modules))
	for name := range modules {
		names = append(names, name)
	}
	sort.Strings(names)

	for _, name := range names {
		m := modules[name]
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		info := pkgs[pkg]
		if info == nil {
			info = &pkgInfo{}
			pkgs[pkg] = info
		}
		info.files = append(info.files, name)
		for _, r := range m.Rules {
			if r.Head.Ref().String() != denyRule {
				continue
			}
			if r.Head.RuleKind() != ast.MultiValue {
				return nil, fmt.Errorf("load policy %s:%d: deny must be a partial set: deny contains {\"msg\": ..., \"params\": {...}} if { ... }", name, r.Location.Row)
			}
			if info.denyFile == "" {
				info.denyFile = name
			}
		}
		for _, a := range m.Annotations {
			if a.Scope == "package" {
				info.meta = append(info.meta, a)
				info.metaFile = append(info.metaFile, name)
			}
		}
	}

	var metas []Metadata
	seen := map[string]string{} // id → file
	pkgNames := make([]string, 0, len(pkgs))
	for pkg := range pkgs {
		pkgNames = append(pkgNames, pkg)
	}
	sort.Strings(pkgNames)
	for _, pkg := range pkgNames {
		info := pkgs[pkg]
		if len(info.meta) > 1 {
			return nil, fmt.Errorf("load policy %s: package %s has METADATA blocks in %s; keep exactly one", info.metaFile[1], pkg, strings.Join(info.metaFile, " and "))
		}
		hasDeny := info.denyFile != ""
		if len(info.meta) == 0 {
			if hasDeny {
				return nil, fmt.Errorf("load policy %s: package %s defines deny but has no package-scope # METADATA block above its package line (title, description, custom.id, custom.severity, ...)", info.denyFile, pkg)
			}
			continue // library
		}
		a, file := info.meta[0], info.metaFile[0]
		if _, ok := a.Custom["id"]; !ok && !hasDeny {
			continue // a documented library
		}
		if !hasDeny {
			return nil, fmt.Errorf("load policy %s: package %s declares custom.id but defines no deny rule", file, pkg)
		}
		meta, err := parseMetadata(a, pkg, file)
		if err != nil {
			return nil, fmt.Errorf("load policy %s: %w", file, err)
		}
		if other, dup := seen[meta.ID]; dup {
			return nil, fmt.Errorf("load policy %s: policy id %s is already declared in %s", file, meta.ID, other)
		}
		seen[meta.ID] = file
		metas = append(metas, meta)
	}
	sort.Slice(metas, func(i, j int) bool { return metas[i].ID < metas[j].ID })
	return metas, nil
}

// excludedBuiltins are left out of the compiler's capabilities. A verdict
// must depend on the resource alone (the consistency rule between the plan
// and live planes), and evaluation runs once per resource in sweeps, so
// network calls and clocks or randomness have no place in a policy. Stock
// `opa test` still accepts them; this only makes Load refuse them.
var excludedBuiltins = []string{
	"http.send", "net.lookup_ip_addr", "opa.runtime",
	"rand.intn", "time.now_ns", "uuid.rfc4122",
}

func capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(caps.Builtins, func(b *ast.Builtin) bool {
		return slices.Contains(excludedBuiltins, b.Name)
	})
	return caps
}

func newCompiler(enablePrint bool) *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(capabilities()).
		WithDefaultRegoVersion(ast.RegoV1).
		WithEnablePrintStatements(enablePrint)
}

// compile compiles every module together, so policies can share libraries
// and each prepared query reuses the one compiler instead of recompiling.
func compile(modules map[string]*ast.Module, enablePrint bool) (*ast.Compiler, error) {
	c := newCompiler(enablePrint)
	c.Compile(modules)
	if c.Failed() {
		return nil, fmt.Errorf("compile policies: %w", annotateExcluded(c.Errors))
	}
	return c, nil
}

// annotateExcluded points out the built-ins that stock OPA has but rectify
// refuses; ast.Errors already name file and line for each problem.
func annotateExcluded(errs ast.Errors) ast.Errors {
	for _, e := range errs {
		for _, b := range excludedBuiltins {
			if strings.HasSuffix(e.Message, "undefined function "+b) {
				e.Message += " (rectify policies may not call network, clock or random built-ins: a verdict must depend on the resource alone)"
			}
		}
	}
	return errs
}

func prepare(c *ast.Compiler, m Metadata, hook print.Hook) (rego.PreparedEvalQuery, error) {
	ref, err := denyRef(m)
	if err != nil {
		return rego.PreparedEvalQuery{}, err
	}
	q, err := prepareQuery(c, ast.NewBody(ast.NewExpr(ast.NewTerm(ref))), hook)
	if err != nil {
		return rego.PreparedEvalQuery{}, fmt.Errorf("load policy %s: prepare query %s: %w", m.File, ref, err)
	}
	return q, nil
}

// prepareAll prepares one query whose expressions are the deny sets of ps,
// in order.
func prepareAll(c *ast.Compiler, ps []*policy, hook print.Hook) (rego.PreparedEvalQuery, error) {
	body := make(ast.Body, 0, len(ps))
	for _, p := range ps {
		ref, err := denyRef(p.meta)
		if err != nil {
			return rego.PreparedEvalQuery{}, err
		}
		body.Append(ast.NewExpr(ast.NewTerm(ref)))
	}
	return prepareQuery(c, body, hook)
}

func denyRef(m Metadata) (ast.Ref, error) { return ruleRef(m, denyRule) }

// ruleRef is data.<package>.<rule> of a policy.
func ruleRef(m Metadata, rule string) (ast.Ref, error) {
	pkg, err := ast.ParseRef("data." + m.Package)
	if err != nil {
		return nil, fmt.Errorf("load policy %s: package %s: %w", m.File, m.Package, err)
	}
	return pkg.Append(ast.StringTerm(rule)), nil
}

func prepareQuery(c *ast.Compiler, body ast.Body, hook print.Hook) (rego.PreparedEvalQuery, error) {
	opts := []func(*rego.Rego){
		rego.Compiler(c),
		rego.ParsedQuery(body),
		rego.SetRegoVersion(ast.RegoV1),
	}
	if hook != nil {
		opts = append(opts, rego.EnablePrintStatements(true), rego.PrintHook(hook))
	}
	return rego.New(opts...).PrepareForEval(context.Background())
}

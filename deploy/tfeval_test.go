package deploy

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"sigs.k8s.io/yaml"
)

// A small, plan-free Terraform evaluator. Providers cannot be downloaded
// here, so `terraform plan` is out of reach; instead the module is parsed
// with hcl/v2 and every local, resource argument, output, variable
// validation and precondition is evaluated in a context where data sources
// and resource attributes that AWS would compute are fakes with
// recognisable values ("arn:fake:aws_sqs_queue.events"). What Terraform
// itself decides (jsonencode'd policies, event patterns, for_each keys) is
// evaluated for real, so the tests read the same JSON AWS would receive.
//
// Anything the evaluator does not know (a function, a data source, a block)
// fails the test instead of being skipped: the modules stay inside what is
// checked.

// testAccount is the account id the fake aws_caller_identity reports.
const testAccount = "111111111111"

// fakeData are the attributes of the data sources the modules read.
var fakeData = map[string]map[string]cty.Value{
	"aws_partition": {
		"id": cty.StringVal("aws"), "partition": cty.StringVal("aws"), "dns_suffix": cty.StringVal("amazonaws.com"),
	},
	"aws_caller_identity": {
		"id": cty.StringVal(testAccount), "account_id": cty.StringVal(testAccount),
		"arn": cty.StringVal("arn:aws:iam::" + testAccount + ":role/terraform"), "user_id": cty.StringVal("AROATEST"),
	},
	"aws_region": {
		"id": cty.StringVal("us-east-1"), "name": cty.StringVal("us-east-1"), "region": cty.StringVal("us-east-1"),
	},
}

// fakeComputed returns the attributes AWS computes for a resource, in the
// provider's format for the types the modules create (so an ARN passed to
// another module's validation looks real), else recognisable placeholders.
func fakeComputed(typ, addr string, args map[string]cty.Value) map[string]string {
	arg := func(name, dflt string) string {
		if v, ok := args[name]; ok && !v.IsNull() && v.Type() == cty.String {
			return v.AsString()
		}
		return dflt
	}
	name := arg("name", strings.ReplaceAll(addr, ".", "-"))
	region := "us-east-1"
	switch typ {
	case "aws_iam_role":
		return map[string]string{"arn": "arn:aws:iam::" + testAccount + ":role" + arg("path", "/") + name, "id": name, "name": name, "unique_id": "AROA" + strings.ToUpper(name)}
	case "aws_sqs_queue":
		url := "https://sqs." + region + ".amazonaws.com/" + testAccount + "/" + name
		return map[string]string{"arn": "arn:aws:sqs:" + region + ":" + testAccount + ":" + name, "id": url, "url": url}
	case "aws_cloudwatch_event_rule":
		return map[string]string{"arn": "arn:aws:events:" + region + ":" + testAccount + ":rule/" + name, "id": name}
	}
	return map[string]string{"arn": "arn:fake:" + addr, "id": "id:" + addr}
}

// metaArgs are resource and module arguments that are Terraform's, not the
// provider's.
var metaArgs = []string{"count", "for_each", "depends_on", "provider", "providers", "source", "version"}

type tfModule struct {
	dir       string
	variables map[string]*hclsyntax.Block
	locals    map[string]*hclsyntax.Attribute
	resources []*tfResource // managed resources and data sources
	outputs   map[string]*hclsyntax.Block
	calls     map[string]*hclsyntax.Block // module blocks
}

type tfResource struct {
	data      bool
	typ, name string
	block     *hclsyntax.Block
}

func (r *tfResource) addr() string {
	if r.data {
		return "data." + r.typ + "." + r.name
	}
	return r.typ + "." + r.name
}

// loadModule parses every .tf file of a module directory.
func loadModule(t *testing.T, dir string) *tfModule {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("module %s: no .tf files (%v)", dir, err)
	}
	m := &tfModule{
		dir:       dir,
		variables: map[string]*hclsyntax.Block{},
		locals:    map[string]*hclsyntax.Attribute{},
		outputs:   map[string]*hclsyntax.Block{},
		calls:     map[string]*hclsyntax.Block{},
	}
	seen := map[string]bool{}
	unique := func(file, kind, name string) {
		if seen[kind+" "+name] {
			t.Fatalf("%s: %s %q declared twice in module %s", file, kind, name, dir)
		}
		seen[kind+" "+name] = true
	}
	p := hclparse.NewParser()
	for _, file := range files {
		f, diags := p.ParseHCLFile(file)
		if diags.HasErrors() {
			t.Fatalf("parse %s: %s", file, diags.Error())
		}
		for _, b := range f.Body.(*hclsyntax.Body).Blocks {
			switch b.Type {
			case "variable":
				unique(file, "variable", b.Labels[0])
				m.variables[b.Labels[0]] = b
			case "output":
				unique(file, "output", b.Labels[0])
				m.outputs[b.Labels[0]] = b
			case "module":
				unique(file, "module", b.Labels[0])
				m.calls[b.Labels[0]] = b
			case "locals":
				for name, a := range b.Body.Attributes {
					unique(file, "local", name)
					m.locals[name] = a
				}
			case "resource", "data":
				r := &tfResource{data: b.Type == "data", typ: b.Labels[0], name: b.Labels[1], block: b}
				unique(file, b.Type, r.addr())
				for _, nested := range b.Body.Blocks {
					if nested.Type == "dynamic" {
						t.Fatalf("%s: %s uses a dynamic block, which this test's evaluator does not expand", file, r.addr())
					}
				}
				m.resources = append(m.resources, r)
			case "terraform", "provider":
				// Versions and provider configuration: nothing to evaluate.
			default:
				t.Fatalf("%s: block %q is not understood by this test's evaluator", file, b.Type)
			}
		}
	}
	return m
}

// tfInstance is one instance of a resource: its evaluated arguments, the
// object other expressions see, and the each/count it was evaluated with.
type tfInstance struct {
	addr  string
	attrs map[string]cty.Value
	value cty.Value
	scope map[string]cty.Value // "each" or "count"
}

// str returns a string argument of the instance.
func (i tfInstance) str(t *testing.T, name string) string {
	t.Helper()
	v, ok := i.attrs[name]
	if !ok || v.IsNull() {
		t.Fatalf("%s: argument %s is not set", i.addr, name)
	}
	if v.Type() != cty.String {
		t.Fatalf("%s: argument %s is %s, not a string", i.addr, name, v.Type().FriendlyName())
	}
	return v.AsString()
}

// get returns a string attribute, argument or computed (arn, id).
func (i tfInstance) get(t *testing.T, name string) string {
	t.Helper()
	if !i.value.Type().HasAttribute(name) {
		t.Fatalf("%s has no attribute %s", i.addr, name)
	}
	return i.value.GetAttr(name).AsString()
}

type tfEval struct {
	t         *testing.T
	m         *tfModule
	vars      map[string]cty.Value
	locals    map[string]cty.Value
	instances map[string][]tfInstance // by resource address
	objects   map[string]cty.Value    // by resource address: what references see
	modules   map[string]cty.Value    // module call → its outputs
	children  map[string]*tfEval
	outputs   map[string]cty.Value
	// failures are the variable validations and preconditions that do not
	// hold for the inputs given.
	failures []string
}

// evalModule evaluates the module in dir with the given variables (others
// take their defaults) and fails the test if a validation or precondition
// does not hold.
func evalModule(t *testing.T, dir string, inputs map[string]cty.Value) *tfEval {
	t.Helper()
	e := newEval(t, loadModule(t, dir), inputs)
	if len(e.failures) > 0 {
		t.Fatalf("module %s with %v:\n  %s", dir, inputNames(inputs), strings.Join(e.failures, "\n  "))
	}
	return e
}

func inputNames(inputs map[string]cty.Value) []string { return slices.Sorted(maps.Keys(inputs)) }

func newEval(t *testing.T, m *tfModule, inputs map[string]cty.Value) *tfEval {
	t.Helper()
	e := &tfEval{
		t: t, m: m,
		vars: map[string]cty.Value{}, locals: map[string]cty.Value{},
		instances: map[string][]tfInstance{}, objects: map[string]cty.Value{},
		modules: map[string]cty.Value{}, children: map[string]*tfEval{}, outputs: map[string]cty.Value{},
	}
	for name := range inputs {
		if m.variables[name] == nil {
			t.Fatalf("module %s has no variable %q", m.dir, name)
		}
	}
	for name, b := range m.variables {
		e.vars[name] = e.variable(name, b, inputs)
	}
	e.validate()

	// Evaluate in passes until nothing is left: the order of references is
	// not the order of declaration.
	pendingLocals := maps.Clone(m.locals)
	pendingResources := slices.Clone(m.resources)
	pendingCalls := maps.Clone(m.calls)
	errs := map[string]hcl.Diagnostics{}
	for progress := true; progress; {
		progress = false
		for name, a := range pendingLocals {
			v, diags := a.Expr.Value(e.ctx(nil))
			if diags.HasErrors() {
				errs["local."+name] = diags
				continue
			}
			e.locals[name] = v
			delete(pendingLocals, name)
			delete(errs, "local."+name)
			progress = true
		}
		pendingResources = slices.DeleteFunc(pendingResources, func(r *tfResource) bool {
			diags := e.instantiate(r)
			if diags.HasErrors() {
				errs[r.addr()] = diags
				return false
			}
			delete(errs, r.addr())
			progress = true
			return true
		})
		for name, b := range pendingCalls {
			diags := e.call(name, b)
			if diags.HasErrors() {
				errs["module."+name] = diags
				continue
			}
			delete(pendingCalls, name)
			delete(errs, "module."+name)
			progress = true
		}
	}
	if len(errs) > 0 {
		var msgs []string
		for _, addr := range slices.Sorted(maps.Keys(errs)) {
			msgs = append(msgs, addr+": "+errs[addr].Error())
		}
		t.Fatalf("module %s does not evaluate:\n  %s", m.dir, strings.Join(msgs, "\n  "))
	}
	for name, b := range m.outputs {
		attrs := b.Body.Attributes
		if attrs["value"] == nil {
			t.Fatalf("module %s: output %s has no value", m.dir, name)
		}
		v, diags := attrs["value"].Expr.Value(e.ctx(nil))
		if diags.HasErrors() {
			t.Fatalf("module %s: output %s: %s", m.dir, name, diags.Error())
		}
		e.outputs[name] = v
	}
	e.preconditions()
	return e
}

// variable is the value of one input: given, or the default, converted to
// the declared type.
func (e *tfEval) variable(name string, b *hclsyntax.Block, inputs map[string]cty.Value) cty.Value {
	t := e.t
	t.Helper()
	ty := cty.DynamicPseudoType
	if a := b.Body.Attributes["type"]; a != nil {
		var diags hcl.Diagnostics
		if ty, diags = typeexpr.TypeConstraint(a.Expr); diags.HasErrors() {
			t.Fatalf("module %s: variable %s: type: %s", e.m.dir, name, diags.Error())
		}
	}
	v, given := inputs[name]
	if !given {
		d := b.Body.Attributes["default"]
		if d == nil {
			t.Fatalf("module %s: variable %s has no default: give the test a value for it", e.m.dir, name)
		}
		var diags hcl.Diagnostics
		if v, diags = d.Expr.Value(nil); diags.HasErrors() {
			t.Fatalf("module %s: variable %s: default: %s", e.m.dir, name, diags.Error())
		}
	}
	if v.IsNull() {
		return cty.NullVal(ty)
	}
	v, err := convert.Convert(v, ty)
	if err != nil {
		t.Fatalf("module %s: variable %s: %v", e.m.dir, name, err)
	}
	return v
}

// validate checks every variable's validation blocks against its value.
func (e *tfEval) validate() {
	for _, name := range slices.Sorted(maps.Keys(e.m.variables)) {
		for _, vb := range e.m.variables[name].Body.Blocks {
			if vb.Type == "validation" {
				e.check("variable "+name, vb, nil)
			}
		}
	}
}

// preconditions checks every resource's lifecycle preconditions for each
// of its instances.
func (e *tfEval) preconditions() {
	for _, r := range e.m.resources {
		for _, lb := range r.block.Body.Blocks {
			if lb.Type != "lifecycle" {
				continue
			}
			for _, pb := range lb.Body.Blocks {
				if pb.Type != "precondition" {
					continue
				}
				for _, inst := range e.instances[r.addr()] {
					e.check(inst.addr, pb, inst.scope)
				}
			}
		}
	}
}

// check evaluates a condition/error_message block and records a failure.
func (e *tfEval) check(where string, b *hclsyntax.Block, scope map[string]cty.Value) {
	cond, diags := b.Body.Attributes["condition"].Expr.Value(e.ctx(scope))
	if diags.HasErrors() {
		e.t.Fatalf("module %s: %s: condition: %s", e.m.dir, where, diags.Error())
	}
	if cond.IsNull() || cond.Type() != cty.Bool {
		e.t.Fatalf("module %s: %s: condition is not a bool", e.m.dir, where)
	}
	if cond.False() {
		msg, _ := b.Body.Attributes["error_message"].Expr.Value(e.ctx(scope))
		e.failures = append(e.failures, fmt.Sprintf("%s: %s", where, msg.AsString()))
	}
}

// ctx is the evaluation context with everything known so far.
func (e *tfEval) ctx(scope map[string]cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":    objectOrEmpty(e.vars),
		"local":  objectOrEmpty(e.locals),
		"module": objectOrEmpty(e.modules),
		"path":   cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(e.m.dir), "root": cty.StringVal(e.m.dir), "cwd": cty.StringVal(".")}),
	}
	byType := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	for addr, v := range e.objects {
		parts := strings.Split(addr, ".")
		target := byType
		if parts[0] == "data" {
			target, parts = data, parts[1:]
		}
		if target[parts[0]] == nil {
			target[parts[0]] = map[string]cty.Value{}
		}
		target[parts[0]][parts[1]] = v
	}
	for typ, names := range byType {
		vars[typ] = cty.ObjectVal(names)
	}
	dataTypes := map[string]cty.Value{}
	for typ, names := range data {
		dataTypes[typ] = cty.ObjectVal(names)
	}
	vars["data"] = objectOrEmpty(dataTypes)
	maps.Copy(vars, scope)
	return &hcl.EvalContext{Variables: vars, Functions: tfFunctions}
}

func objectOrEmpty(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// instantiate evaluates a resource's count or for_each and then the
// arguments of each instance.
func (e *tfEval) instantiate(r *tfResource) hcl.Diagnostics {
	attrs := r.block.Body.Attributes
	type key struct {
		suffix string
		scope  map[string]cty.Value
		each   cty.Value // for_each key, for the object of instances
	}
	var keys []key
	kind := "single"
	switch {
	case attrs["count"] != nil:
		kind = "count"
		v, diags := attrs["count"].Expr.Value(e.ctx(nil))
		if diags.HasErrors() {
			return diags
		}
		var n int
		if err := gocty(v, &n); err != nil {
			return diagnostic(r.addr()+": count", err)
		}
		for i := range n {
			keys = append(keys, key{suffix: fmt.Sprintf("[%d]", i), scope: map[string]cty.Value{
				"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))}),
			}})
		}
	case attrs["for_each"] != nil:
		kind = "for_each"
		v, diags := attrs["for_each"].Expr.Value(e.ctx(nil))
		if diags.HasErrors() {
			return diags
		}
		if v.IsNull() || !(v.Type().IsSetType() || v.Type().IsMapType() || v.Type().IsObjectType()) {
			return diagnostic(r.addr()+": for_each", fmt.Errorf("want a set of strings or a map, got %s", v.Type().FriendlyName()))
		}
		for it := v.ElementIterator(); it.Next(); {
			k, val := it.Element()
			if v.Type().IsSetType() {
				if k.Type() != cty.String {
					return diagnostic(r.addr()+": for_each", fmt.Errorf("a set must hold strings, not %s", k.Type().FriendlyName()))
				}
				val = k
			}
			keys = append(keys, key{suffix: fmt.Sprintf("[%q]", k.AsString()), each: k, scope: map[string]cty.Value{
				"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": val}),
			}})
		}
	default:
		keys = []key{{}}
	}

	var insts []tfInstance
	for _, k := range keys {
		addr := r.addr() + k.suffix
		inst := tfInstance{addr: addr, attrs: map[string]cty.Value{}, scope: k.scope}
		for name, a := range attrs {
			if slices.Contains(metaArgs, name) {
				continue
			}
			v, diags := a.Expr.Value(e.ctx(k.scope))
			if diags.HasErrors() {
				return diags
			}
			inst.attrs[name] = v
		}
		// Nested blocks (rule { default_retention { ... } }) are
		// arguments too: each type becomes a list of objects.
		blocks, diags := e.blocks(r.block.Body, k.scope)
		if diags.HasErrors() {
			return diags
		}
		maps.Copy(inst.attrs, blocks)
		obj := maps.Clone(inst.attrs)
		if r.data {
			fake, ok := fakeData[r.typ]
			if !ok {
				return diagnostic(addr, fmt.Errorf("no fake for data source %s in this test's evaluator", r.typ))
			}
			maps.Copy(obj, fake)
		}
		for name, v := range fakeComputed(r.typ, addr, inst.attrs) {
			if _, ok := obj[name]; !ok {
				obj[name] = cty.StringVal(v)
			}
		}
		inst.value = cty.ObjectVal(obj)
		insts = append(insts, inst)
	}
	e.instances[r.addr()] = insts
	switch kind {
	case "single":
		e.objects[r.addr()] = insts[0].value
	case "count":
		vals := make([]cty.Value, len(insts))
		for i, inst := range insts {
			vals[i] = inst.value
		}
		e.objects[r.addr()] = tupleOrEmpty(vals)
	case "for_each":
		vals := map[string]cty.Value{}
		for i, inst := range insts {
			vals[keys[i].each.AsString()] = inst.value
		}
		e.objects[r.addr()] = objectOrEmpty(vals)
	}
	return nil
}

// blocks evaluates the nested blocks of a body (but lifecycle, which is
// Terraform's) into one tuple of objects per block type.
func (e *tfEval) blocks(body *hclsyntax.Body, scope map[string]cty.Value) (map[string]cty.Value, hcl.Diagnostics) {
	byType := map[string][]cty.Value{}
	for _, b := range body.Blocks {
		if b.Type == "lifecycle" {
			continue
		}
		obj := map[string]cty.Value{}
		for name, a := range b.Body.Attributes {
			v, diags := a.Expr.Value(e.ctx(scope))
			if diags.HasErrors() {
				return nil, diags
			}
			obj[name] = v
		}
		nested, diags := e.blocks(b.Body, scope)
		if diags.HasErrors() {
			return nil, diags
		}
		maps.Copy(obj, nested)
		byType[b.Type] = append(byType[b.Type], objectOrEmpty(obj))
	}
	out := map[string]cty.Value{}
	for typ, vals := range byType {
		out[typ] = tupleOrEmpty(vals)
	}
	return out, nil
}

func tupleOrEmpty(vals []cty.Value) cty.Value {
	if len(vals) == 0 {
		return cty.EmptyTupleVal
	}
	return cty.TupleVal(vals)
}

// call evaluates a local module call: its arguments, then the module
// itself with them, whose outputs become module.<name>.
func (e *tfEval) call(name string, b *hclsyntax.Block) hcl.Diagnostics {
	src := b.Body.Attributes["source"]
	if src == nil {
		return diagnostic("module."+name, fmt.Errorf("no source"))
	}
	sv, diags := src.Expr.Value(nil)
	if diags.HasErrors() {
		return diags
	}
	source := sv.AsString()
	if !strings.HasPrefix(source, "./") && !strings.HasPrefix(source, "../") {
		e.t.Fatalf("module %s: module.%s: source %q is not a local path", e.m.dir, name, source)
	}
	inputs := map[string]cty.Value{}
	for arg, a := range b.Body.Attributes {
		if slices.Contains(metaArgs, arg) {
			continue
		}
		v, diags := a.Expr.Value(e.ctx(nil))
		if diags.HasErrors() {
			return diags
		}
		inputs[arg] = v
	}
	child := newEval(e.t, loadModule(e.t, filepath.Join(e.m.dir, source)), inputs)
	for _, f := range child.failures {
		e.failures = append(e.failures, "module."+name+": "+f)
	}
	e.children[name] = child
	e.modules[name] = objectOrEmpty(child.outputs)
	return nil
}

// instances returns the instances of a resource, failing if it is not declared.
func (e *tfEval) resource(addr string) []tfInstance {
	e.t.Helper()
	insts, ok := e.instances[addr]
	if !ok {
		e.t.Fatalf("module %s declares no %s", e.m.dir, addr)
	}
	return insts
}

// one returns the single instance of a resource.
func (e *tfEval) one(addr string) tfInstance {
	e.t.Helper()
	insts := e.resource(addr)
	if len(insts) != 1 {
		e.t.Fatalf("module %s: %s has %d instances, want 1", e.m.dir, addr, len(insts))
	}
	return insts[0]
}

// ofType returns every instance of every resource of a type.
func (e *tfEval) ofType(typ string) []tfInstance {
	var out []tfInstance
	for _, r := range e.m.resources {
		if !r.data && r.typ == typ {
			out = append(out, e.instances[r.addr()]...)
		}
	}
	return out
}

// local returns a local value as Go data (through JSON).
func (e *tfEval) local(name string, into any) {
	e.t.Helper()
	v, ok := e.locals[name]
	if !ok {
		e.t.Fatalf("module %s has no local %s", e.m.dir, name)
	}
	fromCty(e.t, v, into)
}

// fromCty converts a value to Go data through its JSON form.
func fromCty(t *testing.T, v cty.Value, into any) {
	t.Helper()
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		t.Fatalf("marshal %s: %v", v.Type().FriendlyName(), err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

func gocty(v cty.Value, into *int) error {
	if v.IsNull() || v.Type() != cty.Number {
		return fmt.Errorf("want a number, got %s", v.Type().FriendlyName())
	}
	bf := v.AsBigFloat()
	i, acc := bf.Int64()
	if acc != 0 || i < 0 {
		return fmt.Errorf("want a whole number >= 0, got %s", bf.String())
	}
	*into = int(i)
	return nil
}

func diagnostic(where string, err error) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: where, Detail: err.Error()}}
}

// tfFunctions are the Terraform functions the modules may use.
var tfFunctions = map[string]function.Function{
	"alltrue":     allAnyTrue(true),
	"anytrue":     allAnyTrue(false),
	"can":         tryfunc.CanFunc,
	"coalesce":    stdlib.CoalesceFunc,
	"concat":      stdlib.ConcatFunc,
	"contains":    stdlib.ContainsFunc,
	"distinct":    stdlib.DistinctFunc,
	"element":     stdlib.ElementFunc,
	"endswith":    stringTest(strings.HasSuffix),
	"flatten":     stdlib.FlattenFunc,
	"floor":       stdlib.FloorFunc,
	"format":      stdlib.FormatFunc,
	"join":        stdlib.JoinFunc,
	"jsondecode":  stdlib.JSONDecodeFunc,
	"jsonencode":  stdlib.JSONEncodeFunc,
	"keys":        stdlib.KeysFunc,
	"length":      tfLength,
	"lookup":      stdlib.LookupFunc,
	"lower":       stdlib.LowerFunc,
	"merge":       stdlib.MergeFunc,
	"regex":       stdlib.RegexFunc,
	"replace":     stdlib.ReplaceFunc,
	"setsubtract": stdlib.SetSubtractFunc,
	"sort":        stdlib.SortFunc,
	"split":       stdlib.SplitFunc,
	"startswith":  stringTest(strings.HasPrefix),
	"tolist":      convertTo(cty.List(cty.DynamicPseudoType)),
	"tomap":       convertTo(cty.Map(cty.DynamicPseudoType)),
	"toset":       convertTo(cty.Set(cty.DynamicPseudoType)),
	"trimprefix":  stdlib.TrimPrefixFunc,
	"trimsuffix":  stdlib.TrimSuffixFunc,
	"try":         tryfunc.TryFunc,
	"upper":       stdlib.UpperFunc,
	"values":      stdlib.ValuesFunc,
	"yamlencode":  yamlEncode,
}

// tfLength is Terraform's length: of a collection, or of a string.
var tfLength = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].Type() == cty.String {
			return stdlib.Strlen(args[0])
		}
		return stdlib.Length(args[0])
	},
})

func convertTo(ty cty.Type) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true}},
		Type: func(args []cty.Value) (cty.Type, error) {
			v, err := convert.Convert(args[0], ty)
			if err != nil {
				return cty.NilType, err
			}
			return v.Type(), nil
		},
		Impl: func(args []cty.Value, ret cty.Type) (cty.Value, error) { return convert.Convert(args[0], ret) },
	})
}

func allAnyTrue(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, v := it.Element()
				if v.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

func stringTest(test func(s, affix string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "s", Type: cty.String}, {Name: "affix", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(test(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

var yamlEncode = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		b, err := ctyjson.Marshal(args[0], args[0].Type())
		if err != nil {
			return cty.NilVal, err
		}
		y, err := yaml.JSONToYAML(b)
		return cty.StringVal(string(y)), err
	},
})

// repoRoot is the repository root, from this package's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

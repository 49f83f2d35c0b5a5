package policies

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/tester"
)

// TestRego runs every _test.rego through OPA's tester, with the same
// compiler settings Load uses, so `go test` alone proves what `opa test
// policies/` proves and also that tests avoid the excluded built-ins.
func TestRego(t *testing.T) {
	srcs, err := readSources(builtinRoot(), true)
	if err != nil {
		t.Fatal(err)
	}
	modules, err := parseSources(srcs)
	if err != nil {
		t.Fatal(err)
	}
	metas, err := policyMetadata(modules)
	if err != nil {
		t.Fatal(err)
	}

	ch, err := tester.NewRunner().
		SetCompiler(newCompiler(true)).
		SetModules(modules).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true). // a test that trips a built-in error is a bug, not a pass
		RunTests(context.Background(), nil)
	if err != nil {
		t.Fatalf("compile policies and tests: %v", err)
	}

	tested := map[string]int{} // policy package → tests run
	ran := 0
	for r := range ch {
		switch {
		case r.Skip:
			t.Logf("skipped %s.%s", r.Package, r.Name)
			continue
		case !r.Pass():
			t.Errorf("%s (%s)\n%s", r, r.Location, r.Output)
		}
		ran++
		tested[strings.TrimSuffix(strings.TrimPrefix(r.Package, "data."), "_test")]++
	}
	if ran == 0 {
		t.Fatal("no Rego tests ran; test rules must be named test_* in *_test.rego files")
	}
	t.Logf("%d Rego tests ran", ran)

	// Every policy ships with tests in its own <package>_test package.
	for _, m := range metas {
		if tested[m.Package] == 0 {
			t.Errorf("policy %s (%s) has no tests in package %s_test", m.ID, m.File, m.Package)
		}
	}
	if !slices.ContainsFunc(srcs, func(s source) bool { return isTestFile(s.Name) }) {
		t.Error("no _test.rego files were embedded")
	}
}

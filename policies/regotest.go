package policies

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego test rule (test_* in a
// *_test.rego file).
type TestResult struct {
	Package  string        `json:"package"` // without "data."
	Name     string        `json:"name"`
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Pass     bool          `json:"pass"`
	Skip     bool          `json:"skip,omitempty"`
	Error    string        `json:"error,omitempty"` // the test could not run
	Duration time.Duration `json:"duration_ns"`
	Output   string        `json:"output,omitempty"` // print() output
}

// RunTests runs the Rego tests of dir through OPA's tester, or those of the
// embedded bundle when dir is "". A directory is loaded as `opa test DIR`
// loads it (policies, tests, and JSON/YAML data documents), with two
// differences that make a pass here mean the policies will also load into
// rectify: Rego v1 only, and without the network, clock and random
// built-ins. Policy packages must keep the METADATA contract too. Results
// are sorted by package and test name.
func RunTests(ctx context.Context, dir string) ([]TestResult, error) {
	modules, store, err := testModules(dir)
	if err != nil {
		return nil, err
	}
	if len(modules) == 0 {
		return nil, fmt.Errorf("test policies %s: no .rego files found", dir)
	}
	if _, err := policyMetadata(modules); err != nil {
		return nil, err
	}
	ch, err := tester.NewRunner().
		SetCompiler(newCompiler(true)).
		SetModules(modules).
		SetStore(store).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true). // a test that trips a built-in error is a bug, not a pass
		RunTests(ctx, nil)
	if err != nil {
		var errs ast.Errors
		if errors.As(err, &errs) {
			return nil, fmt.Errorf("compile policies and tests: %w", annotateExcluded(errs))
		}
		return nil, fmt.Errorf("compile policies and tests: %w", err)
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{
			Package:  strings.TrimPrefix(r.Package, "data."),
			Name:     r.Name,
			Pass:     r.Pass(),
			Skip:     r.Skip,
			Duration: r.Duration,
			Output:   string(r.Output),
		}
		if r.Location != nil {
			tr.File, tr.Line = r.Location.File, r.Location.Row
		}
		if r.Error != nil {
			tr.Error = r.Error.Error()
		}
		out = append(out, tr)
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Package != out[j].Package {
			return out[i].Package < out[j].Package
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

func testModules(dir string) (map[string]*ast.Module, storage.Store, error) {
	if dir == "" {
		srcs, err := readSources(builtinRoot(), true)
		if err != nil {
			return nil, nil, err
		}
		modules, err := parseSources(srcs)
		return modules, inmem.New(), err
	}
	res, err := loader.NewFileLoader().
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotation(true).
		Filtered([]string{dir}, hiddenFiles)
	if err != nil {
		return nil, nil, fmt.Errorf("load policy dir %s: %w", dir, err)
	}
	return res.ParsedModules(), inmem.NewFromObject(res.Documents), nil
}

// hiddenFiles skips dot files and directories (.git, editor state), as
// `opa test` users expect.
func hiddenFiles(_ string, info fs.FileInfo, depth int) bool {
	return depth > 0 && strings.HasPrefix(info.Name(), ".")
}

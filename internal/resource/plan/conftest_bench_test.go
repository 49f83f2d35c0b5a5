package plan_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/internal/service"
)

// The binaries make builds: make bin/rectify bin/conftest.
var (
	rectifyBin  = filepath.Join("..", "..", "..", "bin", "rectify")
	conftestBin = filepath.Join("..", "..", "..", "bin", "conftest")
)

// conftestWrapper hands each document to every bundled policy, the way
// rectify evaluates them, because conftest gives a policy the whole file as
// its input. It is the only Rego conftest runs that rectify does not.
const conftestWrapper = `package main

import rego.v1

deny contains msg if {
	some doc in input.documents
	vs := [v | some svc, name; v := data.rectify.aws[svc][name].deny[_]] with input as doc
	some v in vs
	msg := sprintf("%s: %s", [doc.resource.address, v.msg])
}
`

// BenchmarkCheckVsConftest times `rectify check` on a 5,000-resource plan
// against conftest evaluating the same bundled Rego on the same resources,
// both as processes started the way CI starts them, in one run.
//
// The comparison leans towards conftest: our policies judge normalized
// documents, so conftest is handed the documents rectify's normalizer made
// from the plan (written to a file beforehand), while rectify check parses
// the plan, joins and normalizes it inside its timed run. Both must report
// the same number of violations, or the figures are not compared.
func BenchmarkCheckVsConftest(b *testing.B) {
	for _, bin := range []string{rectifyBin, conftestBin} {
		if _, err := os.Stat(bin); err != nil {
			b.Fatalf("%s is missing: run `make bench` (it builds bin/rectify and bin/conftest): %v", bin, err)
		}
	}
	dir := b.TempDir()
	data := genPlan(benchPlanSize)
	planFile := filepath.Join(dir, "plan.json")
	docsFile := filepath.Join(dir, "documents.json")
	policyDir := filepath.Join(dir, "policy")
	must(b, os.WriteFile(planFile, data, 0o644))
	writeDocuments(b, data, docsFile)
	copyPolicies(b, filepath.Join("..", "..", "..", "policies"), policyDir)
	must(b, os.WriteFile(filepath.Join(policyDir, "conftest_main.rego"), []byte(conftestWrapper), 0o644))

	runs := []struct {
		name  string
		cmd   []string
		env   []string
		count func(out []byte) (int, error)
	}{
		{"rectify check", []string{rectifyBin, "check", "--format", "json", planFile}, nil, rectifyViolations},
		{"rectify check (1 core)", []string{rectifyBin, "check", "--format", "json", planFile}, []string{"GOMAXPROCS=1"}, rectifyViolations},
		{"conftest test", []string{conftestBin, "test", "--no-color", "--policy", policyDir, docsFile}, nil, conftestFailures},
	}
	const rounds = 5
	times := make([][]time.Duration, len(runs))
	counts := make([]int, len(runs))
	for range b.N {
		for round := range rounds {
			// Interleaved, so a noisy moment on the machine hits every tool.
			for i, r := range runs {
				cmd := exec.Command(r.cmd[0], r.cmd[1:]...)
				cmd.Env = append(os.Environ(), r.env...)
				start := time.Now()
				out, err := cmd.Output()
				elapsed := time.Since(start)
				var exit *exec.ExitError
				if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: violations found
					b.Fatalf("%s: %v\n%s", strings.Join(r.cmd, " "), err, out)
				}
				n, err := r.count(out)
				if err != nil {
					b.Fatalf("%s: %v", r.name, err)
				}
				if round > 0 && n != counts[i] {
					b.Fatalf("%s found %d violations, then %d", r.name, counts[i], n)
				}
				counts[i] = n
				times[i] = append(times[i], elapsed)
			}
		}
	}
	if !(counts[0] == counts[1] && counts[1] == counts[2]) {
		b.Fatalf("the tools disagree: rectify %d, rectify (1 core) %d, conftest %d violations", counts[0], counts[1], counts[2])
	}
	median := func(ds []time.Duration) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[len(s)/2]
	}
	base := median(times[2])
	fmt.Printf("\ncheck of a %d-resource plan, %d violations each, median of %d runs:\n", benchPlanSize, counts[0], len(times[0]))
	for i, r := range runs {
		m := median(times[i])
		fmt.Printf("  %-24s %8s  %.2fx conftest\n", r.name, m.Round(time.Millisecond), float64(m)/float64(base))
	}
	fmt.Println()
	b.ReportMetric(float64(median(times[0]))/float64(base), "rectify/conftest")
	b.ReportMetric(float64(median(times[1]))/float64(base), "rectify-1core/conftest")
}

// writeDocuments writes {"documents": [{"resource": doc}, ...]}, the input
// the conftest wrapper iterates.
func writeDocuments(b *testing.B, data []byte, path string) {
	p, err := plan.Parse(bytes.NewReader(data))
	must(b, err)
	docs, err := plan.Resources(p, service.Plan)
	must(b, err)
	wrapped := make([]map[string]any, len(docs))
	for i, d := range docs {
		wrapped[i] = map[string]any{"resource": d}
	}
	out, err := json.Marshal(map[string]any{"documents": wrapped})
	must(b, err)
	must(b, os.WriteFile(path, out, 0o644))
}

// copyPolicies copies the bundled Rego without its tests: conftest would
// otherwise load test rules as policies of their packages.
func copyPolicies(b *testing.B, from, to string) {
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") || strings.HasSuffix(path, "_test.rego") {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, src, 0o644)
	})
	must(b, err)
}

func rectifyViolations(out []byte) (int, error) {
	var report struct {
		Summary struct {
			Violations int `json:"violations"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		return 0, fmt.Errorf("decode rectify check --format json: %w", err)
	}
	return report.Summary.Violations, nil
}

var conftestSummary = regexp.MustCompile(`(\d+) failures?`)

func conftestFailures(out []byte) (int, error) {
	m := conftestSummary.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no failure count in conftest output: %.300s", out)
	}
	return strconv.Atoi(string(m[1]))
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

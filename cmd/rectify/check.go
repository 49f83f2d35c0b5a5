package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/internal/suggest"
	"github.com/rectifyhq/rectify/internal/tfsource"
	"github.com/rectifyhq/rectify/policies"
)

// checkFormats are the values --format takes, each with its renderer.
var checkFormats = map[string]func(io.Writer, *checkReport) error{
	"text":  writeCheckText,
	"json":  writeCheckJSON,
	"sarif": writeCheckSARIF,
	"junit": writeCheckJUnit,
}

type checkOptions struct {
	format     string
	policyDirs []string
	threshold  string
	maxSize    string           // --max-plan-size, e.g. "256MiB"
	now        func() time.Time // exemption expiry; a test pins it

	sourceDir          string   // --source-dir: locate resources in .tf files
	only, skip         []string // --policy, --skip-policy: ids or globs
	failOnUndetermined bool
	printInput         bool
}

func newCheckCmd() *cobra.Command { return checkCmd(time.Now) }

// checkCmd takes the clock that decides whether an exemption has expired.
func checkCmd(now func() time.Time) *cobra.Command {
	o := checkOptions{now: now}
	cmd := &cobra.Command{
		Use:   "check PLAN.json|-",
		Short: "Judge a Terraform plan with the policies rectify enforces on live resources",
		Long: "Judge a Terraform plan in CI with the same Rego policies rectify enforces on live\n" +
			"resources, before the change reaches AWS.\n\n" +
			"PLAN.json is the output of `terraform show -json PLANFILE` (- reads standard input).\n" +
			"Resources are normalized as the live plane sees them: separate resources such as\n" +
			"aws_security_group_rule or aws_s3_bucket_public_access_block are joined into their\n" +
			"parent, values unknown until apply are left out and never cause a violation, and\n" +
			"deleted resources and data sources are skipped.\n\n" +
			"Resource types judged (your --policy-dir policies too):\n  " + strings.Join(service.Plan.Types(), ", ") + ".\n\n" +
			"A policy whose verdict depends on a value unknown until apply (a bucket policy that\n" +
			"names the ARN of a bucket created in the same plan, a rule whose CIDR comes from a\n" +
			"new VPC) reports the resource as undetermined: shown in every format, failing the\n" +
			"check only with --fail-on-undetermined.\n\n" +
			"--source-dir DIR reads the configuration's .tf files (and the modules it calls, local\n" +
			"or installed by terraform init) so that every format points at the resource block,\n" +
			"file:line, rather than into the plan JSON. Run from the repository root with a DIR\n" +
			"relative to it, as GitHub code scanning expects.\n\n" +
			"A resource tagged rectify:exempt (\"all\" or a comma list of policy ids, optionally\n" +
			"with rectify:exempt-until, an RFC 3339 date) has its violations reported as\n" +
			"suppressed; they do not fail the check.\n\n" +
			"A plan larger than --max-plan-size is refused before it is read: checking one takes\n" +
			"about ten times its size in memory (a 200 MB plan peaked at 2.1 GB).\n\n" +
			"Exit status: 0 when no unsuppressed violation is at or above --severity-threshold,\n" +
			"1 when one is (or an undetermined verdict, with --fail-on-undetermined), 2 when the\n" +
			"input, a flag or a policy is wrong.",
		Example: "  terraform plan -out=tfplan && terraform show -json tfplan > plan.json\n" +
			"  rectify check plan.json\n" +
			"  rectify check --format sarif plan.json > rectify.sarif\n" +
			"  terraform show -json tfplan | rectify check --severity-threshold HIGH --format junit - > rectify.xml\n" +
			"  rectify check --policy-dir ./policies plan.json\n" +
			"  rectify check --source-dir infra --format sarif infra/plan.json > rectify.sarif\n" +
			"  rectify check --policy 'aws.s3.*' --skip-policy aws.s3.bucket_policy_tls plan.json\n" +
			"  rectify check --print-input plan.json | jq '.[0].resource'",
		Args: cobra.ExactArgs(1),
		// Violations and bad input are not usage mistakes.
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "output format: text, json, sarif or junit")
	f.StringArrayVar(&o.policyDirs, "policy-dir", nil, "directory of your own Rego policies, added to the built-in ones (repeatable)")
	f.StringVar(&o.threshold, "severity-threshold", "INFORMATIONAL",
		"lowest severity that fails the check: "+strings.Join(policies.Severities, ", "))
	f.StringVar(&o.maxSize, "max-plan-size", defaultMaxPlanSize,
		"refuse a plan larger than this (bytes, or with KiB, MiB, GiB, KB, MB, GB)")
	f.StringVar(&o.sourceDir, "source-dir", "", "the configuration's directory: point every finding at its resource block (file:line)")
	f.StringSliceVar(&o.only, "policy", nil, "check only these policies: ids or globs such as 'aws.s3.*' (repeatable, or comma-separated)")
	f.StringSliceVar(&o.skip, "skip-policy", nil, "do not check these policies: ids or globs (repeatable, or comma-separated)")
	f.BoolVar(&o.failOnUndetermined, "fail-on-undetermined", false, "fail the check on verdicts that depend on values unknown until apply, as on violations")
	f.BoolVar(&o.printInput, "print-input", false, "print the normalized documents the policies read ({\"resource\": ...} each) and exit")
	return cmd
}

// inputError exits 2: the caller asked for something rectify cannot do.
func inputError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func runCheck(ctx context.Context, stdin io.Reader, stdout io.Writer, name string, o checkOptions) error {
	render, ok := checkFormats[o.format]
	if !ok {
		return inputError("check: --format %q: want text, json, sarif or junit", o.format)
	}
	threshold := strings.ToUpper(strings.TrimSpace(o.threshold))
	if !slices.Contains(policies.Severities, threshold) {
		return inputError("check: --severity-threshold %q: want one of %s", o.threshold, strings.Join(policies.Severities, ", "))
	}

	maxSize, err := parseByteSize(o.maxSize)
	if err != nil {
		return inputError("check: --max-plan-size %q: %w", o.maxSize, err)
	}
	data, err := readPlanInput(stdin, name, maxSize)
	if err != nil {
		return inputError("check: %w", err)
	}
	// SARIF points into the plan's text, so decode a UTF-16 plan once here.
	if data, err = plan.UTF8Text(data); err != nil {
		return inputError("check %s: %w", checkDisplayName(name), err)
	}
	defer collectLate(len(data))()

	// Compiling the policies needs nothing from the plan, so it runs on
	// another core while the plan is parsed and normalized. A plan error
	// still wins over a policy error, as when they ran one after another.
	loaded := make(chan policyLoad, 1)
	go func() {
		opts := []policies.Option{policies.WithLogger(slog.New(slog.DiscardHandler))}
		for _, d := range o.policyDirs {
			opts = append(opts, policies.WithDir(d))
		}
		set, err := policies.Load(opts...)
		loaded <- policyLoad{set, err}
	}()

	p, err := plan.ParseBytes(data)
	if err != nil {
		return inputError("check %s: %w", checkDisplayName(name), err)
	}
	docs, err := plan.Resources(p, service.Plan)
	if err != nil {
		return inputError("check %s: %w", checkDisplayName(name), err)
	}
	if o.printInput {
		// Before the policies: someone writing one wants the input even
		// while their policy does not compile.
		return printCheckInput(stdout, docs)
	}
	var sources *tfsource.Index
	if o.sourceDir != "" {
		if sources, err = tfsource.Load(o.sourceDir); err != nil {
			return inputError("check --source-dir: %w", err)
		}
	}

	l := <-loaded
	if l.err != nil {
		return inputError("check: %w", l.err)
	}
	set := l.set
	selected, err := selectPolicies(set.IDs(), o.only, o.skip)
	if err != nil {
		return inputError("check: %w", err)
	}

	if ctx == nil {
		ctx = context.Background()
	}
	report, err := buildCheckReport(ctx, set, docs, reportSettings{
		threshold: threshold, now: o.now(), selected: selected,
		failOnUndetermined: o.failOnUndetermined, sources: sources, created: createdByPlan(p),
	})
	if err != nil {
		return inputError("check %s: %w", checkDisplayName(name), err)
	}
	report.Plan = checkDisplayName(name)
	report.SourceDir = o.sourceDir
	report.planText = data
	if err := render(stdout, report); err != nil {
		return inputError("check: write %s output: %w", o.format, err)
	}
	if n := report.Summary.Blocking; n > 0 {
		what := "violation(s)"
		if o.failOnUndetermined {
			what = "violation(s) or undetermined verdict(s)"
		}
		return &exitError{code: 1, err: fmt.Errorf("check %s: %d %s at or above %s", checkDisplayName(name), n, what, threshold)}
	}
	return nil
}

// createdByPlan is the addresses of the resources the plan creates (or
// replaces) that are judged as their own document. Only their
// undetermined verdicts are reported: the normalizer fills in every
// property a new resource has by default (public access block on, no
// bucket policy, SSE-S3), so what is still absent from such a document is
// a value this plan sets but does not know yet. A resource that already
// exists, or one known only through a joined child (a policy on a bucket
// managed elsewhere), lacks what the plan does not manage; that is not
// unknown, and the live plane judges it once applied.
func createdByPlan(p *plan.Plan) map[string]bool {
	out := map[string]bool{}
	for _, rc := range p.ResourceChanges {
		if slices.Contains(rc.Change.Actions, "create") && !service.Plan.Joined(rc.Type) {
			out[rc.Address] = true
		}
	}
	return out
}

// selectPolicies is the set of policy ids --policy and --skip-policy
// leave (nil: every policy). Each value is an id or a path.Match glob
// ("aws.s3.*"); an id no policy declares, or a glob that matches none, is
// refused with the nearest id, since a typo would silently check nothing.
func selectPolicies(ids, only, skip []string) (map[string]bool, error) {
	if len(only) == 0 && len(skip) == 0 {
		return nil, nil
	}
	match := func(flag string, values []string) (map[string]bool, error) {
		out := map[string]bool{}
		for _, v := range values {
			v = strings.TrimSpace(v)
			if !strings.ContainsAny(v, "*?[") {
				if !slices.Contains(ids, v) {
					return nil, fmt.Errorf("--%s %s: no such policy%s", flag, v, suggest.Hint(v, ids))
				}
				out[v] = true
				continue
			}
			if _, err := path.Match(v, ""); err != nil {
				return nil, fmt.Errorf("--%s %q: %w", flag, v, err)
			}
			n := 0
			for _, id := range ids {
				if ok, _ := path.Match(v, id); ok {
					out[id] = true
					n++
				}
			}
			if n == 0 {
				return nil, fmt.Errorf("--%s %q matches no policy%s", flag, v, suggest.Hint(v, ids))
			}
		}
		return out, nil
	}
	include, err := match("policy", only)
	if err != nil {
		return nil, err
	}
	exclude, err := match("skip-policy", skip)
	if err != nil {
		return nil, err
	}
	selected := map[string]bool{}
	for _, id := range ids {
		if (len(only) == 0 || include[id]) && !exclude[id] {
			selected[id] = true
		}
	}
	if len(selected) == 0 {
		return nil, errors.New("--policy and --skip-policy leave no policy to check")
	}
	return selected, nil
}

// printCheckInput writes the documents as the policies read them, one
// {"resource": ...} per element: what `opa eval -i` takes for input.
func printCheckInput(w io.Writer, docs []resource.Resource) error {
	inputs := make([]map[string]resource.Resource, len(docs))
	for i, d := range docs {
		inputs[i] = map[string]resource.Resource{"resource": d}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(inputs); err != nil {
		return inputError("check: write the input: %w", err)
	}
	return nil
}

// collectLate turns the garbage collector off below a memory limit sized to
// what checking a plan of planSize bytes allocates in all (about 30 times
// its size; 48 leaves room), unless GOGC or GOMEMLIMIT says otherwise. A
// check is one short process whose garbage dies with it: collecting at the
// default pace took over a quarter of its instructions for a 5,000-resource
// plan, to peak at 115 MB instead of 153 MB. Past the limit the runtime
// collects as usual. The returned func restores the previous settings.
//
// Only while that limit stays under collectLateMax: for a large plan the
// garbage is the memory. A 208 MB plan peaked at 4.8 GB resident with the
// collector off below 10 GB, and at 1.9 GB, sooner (40 s instead of 49 s),
// at the default pace.
func collectLate(planSize int) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	want := 64<<20 + 48*int64(planSize)
	if want > collectLateMax {
		return func() {}
	}
	limit := debug.SetMemoryLimit(want)
	percent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

// collectLateMax caps the memory collectLate lets garbage fill: plans up to
// about 20 MB, thousands of resources, which is most of them.
const collectLateMax = 1 << 30

type policyLoad struct {
	set *policies.Set
	err error
}

// defaultMaxPlanSize is --max-plan-size unless given. Checking a plan takes
// about ten times its size at peak (a 208 MB generated plan of 330,000
// resource changes: 2.1 GB resident), so 256 MiB keeps a check under about
// 3 GB, which a 7 GB CI runner has to spare. Plans of tens of thousands of
// resources are tens of megabytes.
const defaultMaxPlanSize = "256MiB"

// readPlanInput reads the plan, refusing one larger than limit bytes: a
// regular file by its size before reading, standard input once it has read
// past the limit.
func readPlanInput(stdin io.Reader, name string, limit int64) ([]byte, error) {
	r := stdin
	size := 0
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("read plan: %w", err)
		}
		defer f.Close()
		r = f
		// Read a file into one buffer of its size (and room to see EOF),
		// rather than growing one through copies as io.ReadAll does.
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if fi.Size() > limit {
				return nil, tooLarge(name, fi.Size(), limit)
			}
			size = int(fi.Size()) + bytes.MinRead
		}
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	data := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", checkDisplayName(name), err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(name, -1, limit)
	}
	return data, nil
}

// tooLarge refuses a plan of size bytes (-1: more than limit, on a stream).
func tooLarge(name string, size, limit int64) error {
	is, need := "is larger than", "more than "+formatBytes(10*limit)
	if size >= 0 {
		is, need = "is "+formatBytes(size)+", larger than", "about "+formatBytes(10*size)
	}
	return fmt.Errorf("plan %s %s --max-plan-size %s: checking it would take %s of memory (ten times the plan); raise --max-plan-size if this machine has that, or check the configuration in parts",
		checkDisplayName(name), is, formatBytes(limit), need)
}

// byteUnits are the suffixes --max-plan-size takes, longest first.
var byteUnits = []struct {
	suffix string
	factor int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1},
}

// parseByteSize reads "256MiB", "1GB" or a number of bytes.
func parseByteSize(s string) (int64, error) {
	num, factor := strings.TrimSpace(s), int64(1)
	for _, u := range byteUnits {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, factor = strings.TrimSpace(n), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 1 || n > math.MaxInt64/factor {
		return 0, errors.New("want a positive size such as 256MiB, 1GiB or 500000000")
	}
	return n * factor, nil
}

// formatBytes writes n in the largest binary unit it reaches, with one
// decimal unless it is a whole number of them.
func formatBytes(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size {
			if n%u.size == 0 {
				return strconv.FormatInt(n/u.size, 10) + " " + u.name
			}
			return strconv.FormatFloat(float64(n)/float64(u.size), 'f', 1, 64) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func checkDisplayName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return name
}

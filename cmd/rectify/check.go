package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/internal/service"
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
			"A resource tagged rectify:exempt (\"all\" or a comma list of policy ids, optionally\n" +
			"with rectify:exempt-until, an RFC 3339 date) has its violations reported as\n" +
			"suppressed; they do not fail the check.\n\n" +
			"A plan larger than --max-plan-size is refused before it is read: checking one takes\n" +
			"about ten times its size in memory (a 200 MB plan peaked at 2.1 GB).\n\n" +
			"Exit status: 0 when no unsuppressed violation is at or above --severity-threshold,\n" +
			"1 when one is, 2 when the input, a flag or a policy is wrong.",
		Example: "  terraform plan -out=tfplan && terraform show -json tfplan > plan.json\n" +
			"  rectify check plan.json\n" +
			"  rectify check --format sarif plan.json > rectify.sarif\n" +
			"  terraform show -json tfplan | rectify check --severity-threshold HIGH --format junit - > rectify.xml\n" +
			"  rectify check --policy-dir ./policies plan.json",
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

	l := <-loaded
	if l.err != nil {
		return inputError("check: %w", l.err)
	}
	set := l.set

	if ctx == nil {
		ctx = context.Background()
	}
	report, err := buildCheckReport(ctx, set, docs, threshold, o.now())
	if err != nil {
		return inputError("check %s: %w", checkDisplayName(name), err)
	}
	report.Plan = checkDisplayName(name)
	report.planText = data
	if err := render(stdout, report); err != nil {
		return inputError("check: write %s output: %w", o.format, err)
	}
	if n := report.Summary.Blocking; n > 0 {
		return &exitError{code: 1, err: fmt.Errorf("check %s: %d violation(s) at or above %s", checkDisplayName(name), n, threshold)}
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

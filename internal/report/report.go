// Package report turns the audit trail into what rectify's users are judged
// on: per control and per account, how many violations were found, how
// they ended, how long a fix took (mean time to remediate) and how long
// the misconfiguration was really there, what is still open, which
// exemptions run out, and how often humans overrode rectify, with a plain
// recommendation for controls still asking humans. Evidence lists every
// violation of one control for an auditor.
//
// It reads the audit trail (internal/audit), so it outlives Temporal's
// retention, and takes from Temporal visibility only what is still open.
// `rectify report` is a thin command over it.
package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/exempt"
)

// Defaults of the recommendation and the exemption warning.
const (
	// DefaultMinDecisions: fewer decisions than this are too few to trust
	// a control to fix on its own.
	DefaultMinDecisions = 5
	// DefaultMaxOverrideRate: more overrides than this share of decisions
	// say humans still disagree with the fix.
	DefaultMaxOverrideRate = 0.05
	// DefaultExpiringWithin flags exemptions that end this soon.
	DefaultExpiringWithin = 14 * 24 * time.Hour
)

// Recommendations for approve- and notify-mode controls.
const (
	ReadyToEnforce = "ready to enforce"
	KeepApproving  = "keep approving"
)

// ModeMixed is the mode of a row whose violations ran in several modes (a
// total, or a control whose mode changed in the period).
const ModeMixed = "mixed"

// AllAccounts and AllControls name the total rows.
const (
	AllAccounts = "all"
	AllControls = "all controls"
)

// Input is what a report is built from.
type Input struct {
	Records []audit.Record
	// Running are the Remediation workflows Temporal lists as running
	// (nil when Temporal was not asked).
	Running []Running
	// Rules are the configuration's exemptions.
	Rules []exempt.Rule
	// Source says where the records came from, for the report's header.
	Source Source
}

// Running is a Remediation workflow Temporal visibility lists as running.
type Running struct {
	WorkflowID string    `json:"workflow_id"`
	RunID      string    `json:"run_id"`
	FirstRunID string    `json:"first_run_id,omitempty"`
	Policy     string    `json:"policy"`
	Account    string    `json:"account"`
	Resource   string    `json:"resource"`
	Severity   string    `json:"severity,omitempty"`
	State      string    `json:"state"`
	Started    time.Time `json:"started"`
}

// Options filter and tune a report. The zero value reports everything up
// to now with the defaults.
type Options struct {
	Now, Since      time.Time
	Account, Policy string
	MinDecisions    int
	MaxOverrideRate float64
	ExpiringWithin  time.Duration
}

func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.MinDecisions <= 0 {
		o.MinDecisions = DefaultMinDecisions
	}
	if o.MaxOverrideRate <= 0 {
		o.MaxOverrideRate = DefaultMaxOverrideRate
	}
	if o.ExpiringWithin <= 0 {
		o.ExpiringWithin = DefaultExpiringWithin
	}
	return o
}

// Source is where the report's data came from.
type Source struct {
	Trail      string             `json:"trail"` // s3://bucket/prefix
	Records    int                `json:"records"`
	Violations int                `json:"violations"`
	Unreadable []audit.Unreadable `json:"unreadable,omitempty"`
	// Temporal is "ok", or why the open violations come from the trail
	// alone.
	Temporal         string `json:"temporal"`
	OpenFromTemporal int    `json:"open_from_temporal"`
}

// Period is what a report covers.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Report is the whole report; its JSON is the --format json output.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	Period      Period    `json:"period"`
	Account     string    `json:"account,omitempty"`
	Policy      string    `json:"policy,omitempty"`
	Source      Source    `json:"source"`
	// Rows are per control and account; the rows of control AllControls
	// total each account, and of account AllAccounts each control (when
	// there is more than one account).
	Rows       []Row       `json:"rows"`
	Open       []Open      `json:"open"`
	Exemptions []Exemption `json:"exemptions"`
	// MTTR is the mean time to remediate over the period, bucket by bucket.
	MTTR            []Point `json:"mttr_over_time"`
	MinDecisions    int     `json:"min_decisions"`
	MaxOverrideRate float64 `json:"max_override_rate"`
}

// Row is one control in one account. Its JSON fields, in order, are the
// columns of --format csv. Times are in seconds; null when nothing was
// remediated.
type Row struct {
	Control            string   `json:"control"`
	Account            string   `json:"account"`
	Policies           string   `json:"policies"` // ;-separated
	Mode               string   `json:"mode"`
	Detected           int      `json:"detected"`
	FixedAutomatically int      `json:"fixed_automatically"`
	Approved           int      `json:"approved"`
	Rejected           int      `json:"rejected"`
	Expired            int      `json:"expired"`
	Undone             int      `json:"undone"`
	Escalated          int      `json:"escalated"`
	Suppressed         int      `json:"suppressed"`
	ClosedByOthers     int      `json:"closed_by_others"`
	Failed             int      `json:"failed"`
	Notified           int      `json:"notified"`
	Open               int      `json:"open"`
	Remediated         int      `json:"remediated"`
	MTTRMean           *float64 `json:"mttr_mean_seconds"`
	MTTRP50            *float64 `json:"mttr_p50_seconds"`
	MTTRP90            *float64 `json:"mttr_p90_seconds"`
	ExposureMean       *float64 `json:"exposure_mean_seconds"`
	ExposureMax        *float64 `json:"exposure_max_seconds"`
	Decisions          int      `json:"decisions"`
	Overrides          int      `json:"overrides"`
	OverrideRate       *float64 `json:"override_rate"`
	Recommendation     string   `json:"recommendation"`
	Basis              string   `json:"recommendation_basis"`
}

// Open is a violation still there as far as rectify knows.
type Open struct {
	Policy     string    `json:"policy"`
	Controls   string    `json:"controls"`
	Account    string    `json:"account"`
	Resource   string    `json:"resource"`
	State      string    `json:"state"`
	DetectedAt time.Time `json:"detected_at"`
	AgeSeconds float64   `json:"age_seconds"`
	WorkflowID string    `json:"workflow_id"`
	// From is "audit" or "temporal" (a running violation the trail does
	// not hold, or holds behind its state).
	From string `json:"from"`
}

// Exemption is one exemption in force or recently ended.
type Exemption struct {
	Source   string `json:"source"` // config, tag or undo
	Resource string `json:"resource"`
	Policies string `json:"policies"`
	Owner    string `json:"owner"`
	Reason   string `json:"reason"`
	Expires  string `json:"expires"`
	// DaysLeft is whole days to the expiry (negative: expired); null when
	// it never ends or cannot be read.
	DaysLeft     *int `json:"days_left"`
	ExpiringSoon bool `json:"expiring_soon"`
	Expired      bool `json:"expired"`
}

// Point is the MTTR of the fixes verified in one time bucket.
type Point struct {
	Start    time.Time `json:"start"`
	Fixes    int       `json:"fixes"`
	MTTRMean float64   `json:"mttr_mean_seconds"`
}

// Build makes the report.
func Build(in Input, opts Options) Report {
	opts = opts.withDefaults()
	all := group(keep(in.Records, opts))
	running := keepRunning(in.Running, opts)
	applyRunning(all, running)
	rep := Report{
		GeneratedAt: opts.Now.UTC(), Period: Period{From: opts.Since.UTC(), To: opts.Now.UTC()},
		Account: opts.Account, Policy: opts.Policy, Source: in.Source,
		MinDecisions: opts.MinDecisions, MaxOverrideRate: opts.MaxOverrideRate,
	}
	rep.Source.Records, rep.Source.Violations = len(in.Records), len(all)
	rep.Rows = rows(all, opts)
	rep.Open, rep.Source.OpenFromTemporal = open(all, running, opts.Now)
	rep.Exemptions = exemptions(all, in.Rules, opts)
	rep.MTTR = mttrSeries(all, opts)
	return rep
}

// keep applies the account and policy filters and the period.
func keep(records []audit.Record, opts Options) []audit.Record {
	out := make([]audit.Record, 0, len(records))
	for _, r := range records {
		if (opts.Account == "" || r.Account == opts.Account) && (opts.Policy == "" || r.PolicyID == opts.Policy) &&
			!r.Time.Before(opts.Since) && !r.Time.After(opts.Now) {
			out = append(out, r)
		}
	}
	audit.Sort(out)
	return out
}

func keepRunning(running []Running, opts Options) []Running {
	var out []Running
	for _, w := range running {
		if (opts.Account == "" || w.Account == opts.Account) && (opts.Policy == "" || w.Policy == opts.Policy) {
			out = append(out, w)
		}
	}
	return out
}

// applyRunning lets a running workflow's state (which leads its record)
// stand for its violation's.
func applyRunning(all []*violation, running []Running) {
	for _, w := range running {
		for _, v := range all {
			if v.workflowID == w.WorkflowID && !v.superseded && (w.FirstRunID == "" || w.FirstRunID == v.id) && w.State != "" {
				v.state, v.stateFrom = w.State, fromTemporal
			}
		}
	}
}

// rowKey is one row of the table.
type rowKey struct{ control, account string }

func rows(all []*violation, opts Options) []Row {
	groups := map[rowKey][]*violation{}
	accounts := map[string]bool{}
	for _, v := range all {
		accounts[v.account] = true
		groups[rowKey{AllControls, v.account}] = append(groups[rowKey{AllControls, v.account}], v)
		for _, c := range v.controls {
			groups[rowKey{c, v.account}] = append(groups[rowKey{c, v.account}], v)
		}
	}
	if len(accounts) > 1 {
		for _, v := range all {
			for _, c := range v.controls {
				groups[rowKey{c, AllAccounts}] = append(groups[rowKey{c, AllAccounts}], v)
			}
		}
	}
	keys := slices.SortedFunc(maps.Keys(groups), func(a, b rowKey) int {
		if (a.control == AllControls) != (b.control == AllControls) {
			if a.control == AllControls {
				return 1
			}
			return -1
		}
		if c := strings.Compare(a.control, b.control); c != 0 {
			return c
		}
		if (a.account == AllAccounts) != (b.account == AllAccounts) {
			if a.account == AllAccounts {
				return 1
			}
			return -1
		}
		return strings.Compare(a.account, b.account)
	})
	out := make([]Row, 0, len(keys))
	for _, k := range keys {
		out = append(out, row(k, groups[k], opts))
	}
	return out
}

func row(k rowKey, vs []*violation, opts Options) Row {
	r := Row{Control: k.control, Account: k.account}
	policies, modes := map[string]bool{}, map[string]bool{}
	var ttr, exposure []float64
	for _, v := range vs {
		policies[v.policy] = true
		modes[v.mode] = true
		r.Detected += b2i(v.detected)
		r.Approved += b2i(v.humanApproved != nil)
		r.FixedAutomatically += b2i(v.resolved != nil && v.humanApproved == nil)
		r.Rejected += b2i(v.rejected != nil)
		r.Expired += b2i(v.expired != nil)
		r.Undone += b2i(v.undone != nil)
		r.Escalated += b2i(v.escalated != nil)
		r.Suppressed += b2i(v.suppressed != nil)
		r.ClosedByOthers += b2i(v.closed != nil)
		r.Failed += b2i(v.failed != nil)
		r.Notified += b2i(v.notified != nil)
		r.Open += b2i(v.open())
		r.Decisions += v.decisions()
		r.Overrides += v.overrides()
		if d, ok := v.ttr(); ok {
			ttr = append(ttr, d.Seconds())
		}
		if d, ok := v.exposure(); ok {
			exposure = append(exposure, d.Seconds())
		}
	}
	r.Policies = strings.Join(slices.Sorted(maps.Keys(policies)), ";")
	r.Mode = ModeMixed
	if len(modes) == 1 {
		r.Mode = slices.Collect(maps.Keys(modes))[0]
	}
	r.Remediated = len(ttr)
	if len(ttr) > 0 {
		r.MTTRMean, r.MTTRP50, r.MTTRP90 = ptr(mean(ttr)), ptr(quantile(ttr, 0.5)), ptr(quantile(ttr, 0.9))
	}
	if len(exposure) > 0 {
		r.ExposureMean, r.ExposureMax = ptr(mean(exposure)), ptr(slices.Max(exposure))
	}
	if r.Decisions > 0 {
		r.OverrideRate = ptr(float64(r.Overrides) / float64(r.Decisions))
	}
	r.Recommendation, r.Basis = recommend(r, opts)
	return r
}

// recommend says whether a control that asks humans (approve) or only
// tells them (notify) could fix on its own: enough decisions, and humans
// rarely overrode them.
func recommend(r Row, opts Options) (string, string) {
	counts := fmt.Sprintf("%d approved, %d rejected, %d undone: %d %s, override rate %s",
		r.Approved, r.Rejected, r.Undone, r.Decisions, plural(r.Decisions, "decision", "decisions"), percent(r.OverrideRate))
	switch r.Mode {
	case string(contract.ModeNotify):
		return KeepApproving, fmt.Sprintf("notify mode: %d notified and no human decisions yet; run it in approve mode to gather them (%d needed)",
			r.Notified, opts.MinDecisions)
	case string(contract.ModeApprove):
		switch {
		case r.Decisions < opts.MinDecisions:
			return KeepApproving, fmt.Sprintf("%s; fewer than the %d decisions needed", counts, opts.MinDecisions)
		case r.OverrideRate != nil && *r.OverrideRate > opts.MaxOverrideRate:
			return KeepApproving, fmt.Sprintf("%s; above the %s allowed", counts, percent(&opts.MaxOverrideRate))
		}
		return ReadyToEnforce, fmt.Sprintf("%s; at most %s allowed", counts, percent(&opts.MaxOverrideRate))
	}
	return "", ""
}

// open lists what is still open, oldest first: violations of the trail,
// and running workflows the trail does not hold (their records are still
// in flight, or the trail was off when they began).
func open(all []*violation, running []Running, now time.Time) ([]Open, int) {
	out := []Open{}
	known := map[string]bool{}
	for _, v := range all {
		known[v.workflowID] = true
		if v.open() {
			out = append(out, Open{
				Policy: v.policy, Controls: strings.Join(v.controls, "; "), Account: v.account, Resource: v.resource.ARN,
				State: v.state, DetectedAt: v.detectedAt.UTC(), AgeSeconds: now.Sub(v.detectedAt).Seconds(), WorkflowID: v.workflowID, From: v.stateFrom,
			})
		}
	}
	n := 0
	for _, w := range running {
		if known[w.WorkflowID] || !slices.Contains(openStates, w.State) {
			continue
		}
		n++
		out = append(out, Open{
			Policy: w.Policy, Account: w.Account, Resource: w.Resource, State: w.State, DetectedAt: w.Started.UTC(),
			AgeSeconds: now.Sub(w.Started).Seconds(), WorkflowID: w.WorkflowID, From: fromTemporal,
		})
	}
	slices.SortStableFunc(out, func(a, b Open) int { return a.DetectedAt.Compare(b.DetectedAt) })
	return out, n
}

// exemptions lists the configuration's rules and the exemptions the trail
// recorded (tags, undos), the latest per resource and policy, soonest
// expiry first.
func exemptions(all []*violation, rules []exempt.Rule, opts Options) []Exemption {
	out := []Exemption{}
	for _, r := range rules {
		if opts.Policy != "" && !slices.Contains(r.Policies, opts.Policy) && !slices.Contains(r.Policies, "all") {
			continue
		}
		out = append(out, exemption(audit.ExemptByConfig, r.ARN, strings.Join(r.Policies, ";"), r.Owner, r.Reason, r.Expires, opts))
	}
	type key struct{ resource, policy string }
	latest := map[key]*audit.Record{}
	for _, v := range all {
		for i := range v.records {
			r := &v.records[i]
			if r.Exemption == nil || r.Exemption.Source == audit.ExemptByConfig {
				continue // the configuration lists its own rules
			}
			k := key{r.Resource.ARN, r.PolicyID}
			if l, ok := latest[k]; !ok || r.Time.After(l.Time) {
				latest[k] = r
			}
		}
	}
	for _, r := range latest {
		e := r.Exemption
		out = append(out, exemption(e.Source, r.Resource.ARN, r.PolicyID, e.Owner, e.Reason, e.Until, opts))
	}
	slices.SortStableFunc(out, func(a, b Exemption) int {
		switch {
		case a.DaysLeft == nil && b.DaysLeft == nil:
			return cmp.Compare(a.Resource, b.Resource)
		case a.DaysLeft == nil:
			return 1
		case b.DaysLeft == nil:
			return -1
		}
		return cmp.Or(cmp.Compare(*a.DaysLeft, *b.DaysLeft), cmp.Compare(a.Resource, b.Resource))
	})
	return out
}

func exemption(source, resource, policies, owner, reason, expires string, opts Options) Exemption {
	e := Exemption{Source: source, Resource: resource, Policies: policies, Owner: owner, Reason: reason, Expires: expires}
	if until, err := exempt.ParseDate(expires); err == nil {
		left := until.Sub(opts.Now)
		days := int(math.Floor(left.Hours() / 24))
		e.DaysLeft = &days
		e.Expired = left <= 0
		e.ExpiringSoon = !e.Expired && left <= opts.ExpiringWithin
	}
	return e
}

// mttrSeries buckets the verified fixes by when they were verified, in a
// bucket width that gives at most about 30 points over the period.
func mttrSeries(all []*violation, opts Options) []Point {
	var fixes []*violation
	for _, v := range all {
		if _, ok := v.ttr(); ok {
			fixes = append(fixes, v)
		}
	}
	out := []Point{}
	if len(fixes) == 0 {
		return out
	}
	from := opts.Since
	if from.IsZero() {
		from = slices.MinFunc(fixes, func(a, b *violation) int { return a.resolved.Time.Compare(b.resolved.Time) }).resolved.Time
	}
	width := bucketWidth(opts.Now.Sub(from))
	sums := map[time.Time][]float64{}
	for _, v := range fixes {
		d, _ := v.ttr()
		start := v.resolved.Time.UTC().Truncate(width)
		sums[start] = append(sums[start], d.Seconds())
	}
	for _, start := range slices.SortedFunc(maps.Keys(sums), time.Time.Compare) {
		out = append(out, Point{Start: start, Fixes: len(sums[start]), MTTRMean: mean(sums[start])})
	}
	return out
}

// bucketWidth is the first of a few round widths that cuts span into at
// most 30 buckets.
func bucketWidth(span time.Duration) time.Duration {
	for _, w := range []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
		if span/w <= 30 {
			return w
		}
	}
	return 30 * 24 * time.Hour
}

func mean(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// quantile is the nearest-rank quantile: the smallest value with at least
// q of the values at or below it.
func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ptr[T any](v T) *T { return &v }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func percent(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", *p*100)
}

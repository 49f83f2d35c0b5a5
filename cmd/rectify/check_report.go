package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/tfsource"
	"github.com/rectifyhq/rectify/policies"
)

// checkReport is what `rectify check` found; every --format renders it.
type checkReport struct {
	Plan      string `json:"plan"`
	Revision  string `json:"revision"`
	Threshold string `json:"severity_threshold"`
	// FailOnUndetermined: undetermined verdicts block like violations.
	FailOnUndetermined bool `json:"fail_on_undetermined"`
	// SourceDir is --source-dir; locations then point into its .tf files.
	SourceDir string            `json:"source_dir,omitempty"`
	Summary   checkSummary      `json:"summary"`
	Resources []checkedResource `json:"resources"`
	Findings  []checkFinding    `json:"findings"`

	policies []policies.Metadata // rules for SARIF, test cases for JUnit
	planText []byte              // to point SARIF locations into the plan
}

type checkSummary struct {
	Resources  int `json:"resources"`
	Policies   int `json:"policies"`
	Violations int `json:"violations"` // suppressed ones included
	// Undetermined counts the verdicts that wait for values unknown until
	// apply (suppressed ones included).
	Undetermined int `json:"undetermined"`
	Blocking     int `json:"blocking"`   // unsuppressed, at or above the threshold
	Suppressed   int `json:"suppressed"` // violations and undetermined
}

// checkedResource is one plan document and the policies that judged it.
type checkedResource struct {
	Address  string   `json:"address"`
	Type     string   `json:"type"`
	Policies []string `json:"policies"`
	// Location is the resource's block in --source-dir, when found.
	Location *tfsource.Location `json:"location,omitempty"`
}

// Finding statuses: a policy denies the resource, or cannot tell until
// apply.
const (
	statusViolation    = "violation"
	statusUndetermined = "undetermined"
)

// checkFinding is one violation of one policy by one resource.
type checkFinding struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	// Status is "violation" or "undetermined" (the verdict waits for the
	// values Unknown names, unknown until apply).
	Status      string         `json:"status"`
	Unknown     []string       `json:"unknown,omitempty"`
	PolicyID    string         `json:"policy_id"`
	Title       string         `json:"title"`
	Severity    string         `json:"severity"`
	Message     string         `json:"message"`
	Controls    []string       `json:"controls"`
	Remediation string         `json:"remediation"`
	Params      map[string]any `json:"params"`
	// Suppressed by an exemption tag; Reason says which, or why an
	// exemption that exists did not apply (expired, unreadable date).
	Suppressed bool   `json:"suppressed"`
	Reason     string `json:"reason,omitempty"`
	Blocking   bool   `json:"blocking"`
	// Location is the resource's block in --source-dir, when found.
	Location *tfsource.Location `json:"location,omitempty"`
}

// reportSettings are the choices of one check beyond the plan.
type reportSettings struct {
	threshold          string
	now                time.Time
	selected           map[string]bool // policies to report; nil: all
	failOnUndetermined bool
	sources            *tfsource.Index // nil without --source-dir
	// created holds the addresses whose undetermined verdicts are
	// reported (createdByPlan).
	created map[string]bool
}

func buildCheckReport(ctx context.Context, set *policies.Set, docs []resource.Resource, rs reportSettings) (*checkReport, error) {
	var metas []policies.Metadata
	for _, m := range set.Policies() {
		// A live-only control (when a credential was last used) has
		// nothing to judge in a plan: listing it as checked, or as passed,
		// would claim what no plan can show.
		if !m.Judges("plan") {
			continue
		}
		if rs.selected == nil || rs.selected[m.ID] {
			metas = append(metas, m)
		}
	}
	byType := map[string][]string{}
	for _, m := range metas {
		for _, t := range m.ResourceTypes {
			byType[t] = append(byType[t], m.ID)
		}
	}
	r := &checkReport{
		Revision:           set.Revision(),
		Threshold:          rs.threshold,
		FailOnUndetermined: rs.failOnUndetermined,
		Resources:          []checkedResource{},
		Findings:           []checkFinding{},
		policies:           metas,
	}
	r.Summary.Resources, r.Summary.Policies = len(docs), len(metas)
	minRank := slices.Index(policies.Severities, rs.threshold)

	verdicts, err := evaluateAll(ctx, set, docs)
	if err != nil {
		return nil, err
	}
	for i, doc := range docs {
		addr := *doc.Address
		var loc *tfsource.Location
		if l, ok := rs.sources.Locate(addr); ok {
			loc = &l
		}
		r.Resources = append(r.Resources, checkedResource{Address: addr, Type: doc.Type, Policies: byType[doc.Type], Location: loc})
		add := func(f checkFinding) {
			if rs.selected != nil && !rs.selected[f.PolicyID] {
				return
			}
			ex := exempt.FromTags(doc.Tags, f.PolicyID, rs.now)
			f.Address, f.Type, f.Location = addr, doc.Type, loc
			f.Suppressed, f.Reason = ex.Exempt, ex.Reason
			counts := f.Status == statusViolation || rs.failOnUndetermined
			f.Blocking = counts && !f.Suppressed && slices.Index(policies.Severities, f.Severity) >= minRank
			if f.Status == statusViolation {
				r.Summary.Violations++
			} else {
				r.Summary.Undetermined++
			}
			if f.Suppressed {
				r.Summary.Suppressed++
			}
			if f.Blocking {
				r.Summary.Blocking++
			}
			r.Findings = append(r.Findings, f)
		}
		for _, v := range verdicts[i].Violations {
			add(checkFinding{
				Status: statusViolation, PolicyID: v.PolicyID, Title: v.Title,
				Severity: v.Severity, Message: v.Message, Controls: v.Controls,
				Remediation: v.Remediation, Params: v.Params,
			})
		}
		for _, u := range verdicts[i].Undetermined {
			if !rs.created[addr] {
				continue
			}
			add(checkFinding{
				Status: statusUndetermined, Unknown: u.Unknown, PolicyID: u.PolicyID, Title: u.Title,
				Severity: u.Severity, Message: u.Message, Controls: u.Controls, Params: map[string]any{},
			})
		}
	}
	return r, nil
}

// evaluateAll runs the documents through the set on every core: the Set is
// safe for concurrent use and a plan is judged resource by resource.
func evaluateAll(ctx context.Context, set *policies.Set, docs []resource.Resource) ([]policies.Assessment, error) {
	out := make([]policies.Assessment, len(docs))
	errs := make([]error, len(docs))
	checkParallel(len(docs), func(i int) {
		a, err := set.Assess(ctx, docs[i])
		if err != nil {
			// A policy that failed says nothing: reporting the resource
			// as passing would let the plan through unjudged.
			err = fmt.Errorf("%s: %w", *docs[i].Address, err)
		}
		out[i], errs[i] = a, err
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func writeCheckJSON(w io.Writer, r *checkReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// checkParallel calls fn(i) for every i in [0, n) on GOMAXPROCS goroutines.
func checkParallel(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// sortFindings orders one resource's findings most severe first, then by
// policy id.
func sortFindings(fs []checkFinding) {
	slices.SortStableFunc(fs, func(a, b checkFinding) int {
		ra, rb := slices.Index(policies.Severities, a.Severity), slices.Index(policies.Severities, b.Severity)
		if ra != rb {
			return rb - ra
		}
		return strings.Compare(a.PolicyID, b.PolicyID)
	})
}

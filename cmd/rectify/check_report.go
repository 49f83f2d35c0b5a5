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
	"github.com/rectifyhq/rectify/policies"
)

// checkReport is what `rectify check` found; every --format renders it.
type checkReport struct {
	Plan      string            `json:"plan"`
	Revision  string            `json:"revision"`
	Threshold string            `json:"severity_threshold"`
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
	Blocking   int `json:"blocking"`   // unsuppressed, at or above the threshold
	Suppressed int `json:"suppressed"`
}

// checkedResource is one plan document and the policies that judged it.
type checkedResource struct {
	Address  string   `json:"address"`
	Type     string   `json:"type"`
	Policies []string `json:"policies"`
}

// checkFinding is one violation of one policy by one resource.
type checkFinding struct {
	Address     string         `json:"address"`
	Type        string         `json:"type"`
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
}

func buildCheckReport(ctx context.Context, set *policies.Set, docs []resource.Resource, threshold string, now time.Time) (*checkReport, error) {
	metas := set.Policies()
	byType := map[string][]string{}
	for _, m := range metas {
		for _, t := range m.ResourceTypes {
			byType[t] = append(byType[t], m.ID)
		}
	}
	r := &checkReport{
		Revision:  set.Revision(),
		Threshold: threshold,
		Resources: []checkedResource{},
		Findings:  []checkFinding{},
		policies:  metas,
	}
	r.Summary.Resources, r.Summary.Policies = len(docs), len(metas)
	minRank := slices.Index(policies.Severities, threshold)

	verdicts, err := evaluateAll(ctx, set, docs)
	if err != nil {
		return nil, err
	}
	for i, doc := range docs {
		addr := *doc.Address
		r.Resources = append(r.Resources, checkedResource{Address: addr, Type: doc.Type, Policies: byType[doc.Type]})
		for _, v := range verdicts[i] {
			ex := exempt.FromTags(doc.Tags, v.PolicyID, now)
			f := checkFinding{
				Address: addr, Type: doc.Type, PolicyID: v.PolicyID, Title: v.Title,
				Severity: v.Severity, Message: v.Message, Controls: v.Controls,
				Remediation: v.Remediation, Params: v.Params,
				Suppressed: ex.Exempt, Reason: ex.Reason,
			}
			f.Blocking = !f.Suppressed && slices.Index(policies.Severities, f.Severity) >= minRank
			r.Summary.Violations++
			if f.Suppressed {
				r.Summary.Suppressed++
			}
			if f.Blocking {
				r.Summary.Blocking++
			}
			r.Findings = append(r.Findings, f)
		}
	}
	return r, nil
}

// evaluateAll runs the documents through the set on every core: the Set is
// safe for concurrent use and a plan is judged resource by resource.
func evaluateAll(ctx context.Context, set *policies.Set, docs []resource.Resource) ([][]policies.Violation, error) {
	out := make([][]policies.Violation, len(docs))
	errs := make([]error, len(docs))
	checkParallel(len(docs), func(i int) {
		vs, err := set.Evaluate(ctx, docs[i])
		if err != nil {
			// A policy that failed says nothing: reporting the resource
			// as passing would let the plan through unjudged.
			err = fmt.Errorf("%s: %w", *docs[i].Address, err)
		}
		out[i], errs[i] = vs, err
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

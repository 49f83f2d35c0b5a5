package deploy

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/metrics"
)

const dashboardFile = "grafana/rectify.json"

type grafanaDashboard struct {
	Title      string
	UID        string
	Panels     []grafanaPanel
	Templating struct {
		List []struct {
			Name  string
			Type  string
			Query any
		}
	}
}

type grafanaPanel struct {
	ID         int
	Type       string
	Title      string
	Datasource *grafanaDatasource
	Targets    []struct {
		RefID      string `json:"refId"`
		Expr       string
		Datasource *grafanaDatasource
	}
	GridPos struct{ H, W, X, Y int }
	Panels  []grafanaPanel // a collapsed row's panels
}

type grafanaDatasource struct {
	Type string
	UID  string
}

// requiredMetrics must each be on the dashboard.
var requiredMetrics = []string{
	"rectify_events_received_total", "rectify_events_ignored_total", "rectify_evaluations_total", "rectify_evaluations_failed_total",
	"rectify_violations_total", "rectify_remediations_total", "rectify_approval_wait_seconds",
	"rectify_detection_to_verified_seconds", "rectify_securityhub_batch_size",
	"rectify_sqs_receive_lag_seconds", "rectify_dlq_depth", "rectify_open_violations", "rectify_decisions_total",
	"temporal_workflow_completed", "temporal_workflow_failed", "temporal_activity_execution_failed",
}

var metricName = regexp.MustCompile(`\b(?:rectify|temporal)_[a-z0-9_]+\b`)

// The dashboard parses, every panel queries a Prometheus datasource with at
// least one expression, and every metric it names is one that rectify or
// the Temporal SDK exports under that name.
func TestGrafanaDashboard(t *testing.T) {
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.UID == "" || d.Title == "" {
		t.Error("dashboard needs a uid and a title")
	}
	variables := map[string]string{}
	for _, v := range d.Templating.List {
		variables[v.Name] = v.Type
	}

	known := exportedMetrics(t)
	seen := map[string]bool{}
	ids := map[int]bool{}
	var boxes [][4]int
	var walk func(ps []grafanaPanel)
	walk = func(ps []grafanaPanel) {
		for _, p := range ps {
			at := p.Title
			if ids[p.ID] || p.ID == 0 {
				t.Errorf("panel %q: id %d missing or reused", at, p.ID)
			}
			ids[p.ID] = true
			g := p.GridPos
			if g.W <= 0 || g.H <= 0 || g.X < 0 || g.X+g.W > 24 {
				t.Errorf("panel %q: gridPos %+v outside the 24-column grid", at, g)
			}
			for _, o := range boxes {
				if g.X < o[0]+o[2] && o[0] < g.X+g.W && g.Y < o[1]+o[3] && o[1] < g.Y+g.H {
					t.Errorf("panel %q overlaps another panel", at)
				}
			}
			boxes = append(boxes, [4]int{g.X, g.Y, g.W, g.H})
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			checkDatasource(t, at, p.Datasource, variables)
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no targets", at)
			}
			refs := map[string]bool{}
			for _, tg := range p.Targets {
				if strings.TrimSpace(tg.Expr) == "" {
					t.Errorf("panel %q: target %s has no expr", at, tg.RefID)
				}
				if tg.RefID == "" || refs[tg.RefID] {
					t.Errorf("panel %q: refId %q missing or reused", at, tg.RefID)
				}
				refs[tg.RefID] = true
				if tg.Datasource != nil {
					checkDatasource(t, at, tg.Datasource, variables)
				}
				if err := balanced(tg.Expr); err != "" {
					t.Errorf("panel %q: %s in %s", at, err, tg.Expr)
				}
				for _, m := range metricName.FindAllString(tg.Expr, -1) {
					base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m, "_bucket"), "_sum"), "_count")
					seen[base] = true
					if !known[base] {
						t.Errorf("panel %q queries %s, which neither rectify (internal/metrics) nor the Temporal SDK exports", at, m)
					}
				}
			}
		}
	}
	walk(d.Panels)
	for _, m := range requiredMetrics {
		if !seen[m] {
			t.Errorf("no panel shows %s", m)
		}
	}
}

func checkDatasource(t *testing.T, at string, ds *grafanaDatasource, variables map[string]string) {
	t.Helper()
	switch {
	case ds == nil || ds.UID == "":
		t.Errorf("panel %q has no datasource", at)
	case ds.Type != "prometheus":
		t.Errorf("panel %q: datasource type %q, want prometheus", at, ds.Type)
	case strings.HasPrefix(ds.UID, "$"):
		name := strings.Trim(strings.TrimPrefix(ds.UID, "$"), "{}")
		if variables[name] != "datasource" {
			t.Errorf("panel %q: datasource %s is not a datasource variable", at, ds.UID)
		}
	}
}

// balanced reports unbalanced brackets or quotes in a PromQL expression.
func balanced(expr string) string {
	var stack []rune
	pairs := map[rune]rune{')': '(', ']': '[', '}': '{'}
	inQuote := false
	for _, r := range expr {
		switch {
		case r == '"':
			inQuote = !inQuote
		case inQuote:
		case r == '(' || r == '[' || r == '{':
			stack = append(stack, r)
		case pairs[r] != 0:
			if len(stack) == 0 || stack[len(stack)-1] != pairs[r] {
				return "unbalanced " + string(r)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if inQuote {
		return "unterminated string"
	}
	if len(stack) > 0 {
		return "unclosed " + string(stack)
	}
	return ""
}

// exportedMetrics are the metric names a scrape can show: rectify's own,
// read from a registry after every metric has been touched, and the Temporal
// SDK's, read from the SDK's constants (timers become <name>_seconds
// histograms through internal/metrics' handler).
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	m := metrics.New()
	m.Received()
	m.Ignored("read-only call")
	m.Started()
	m.Refused()
	m.Unparseable()
	m.Evaluated(map[[2]string]int{{"aws.test", "HIGH"}: 1})
	m.EvaluationFailed("auth")
	m.Remediated("test", "changed")
	m.FindingsBatch(1)
	m.ReceiveLag(1)
	m.SetDLQDepth(1)
	m.SetOpenViolations(map[[2]string]int{{contract.StateAwaitingApproval, "aws.test"}: 1})
	h := m.TemporalHandler()
	h.Timer(contract.TimerApprovalWait).Record(time.Second)
	h.Timer(contract.TimerDetectionToVerified).Record(time.Second)
	h.Counter(contract.CounterDecisions).Inc(1)
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range families {
		known[f.GetName()] = true
	}

	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "go.temporal.io/sdk")
	cmd.Dir = repoRoot(t)
	dir, err := cmd.Output()
	if err != nil {
		t.Fatalf("locate the Temporal SDK: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "internal", "common", "metrics", "constants.go"))
	if err != nil {
		t.Fatalf("the Temporal SDK's metric names moved: %v", err)
	}
	consts := map[string]string{}
	decl := regexp.MustCompile(`(?m)^\s*(\w+)\s*=\s*(?:(\w+)\s*\+\s*)?"([a-z_]+)"`)
	for _, d := range decl.FindAllStringSubmatch(string(src), -1) {
		consts[d[1]] = consts[d[2]] + d[3]
	}
	sdk := 0
	for _, name := range consts {
		if !strings.HasPrefix(name, "temporal_") || name == "temporal_" {
			continue
		}
		sdk++
		if strings.HasSuffix(name, "_latency") {
			name += "_seconds"
		}
		known[name] = true
	}
	if sdk < 20 || !known["temporal_workflow_completed"] {
		t.Fatalf("read %d Temporal SDK metric names; the constants file changed shape", sdk)
	}
	return known
}

// The outcome panels: mean time to remediate is the histogram's sum over
// its count, and the override rate is rejections and undos over the
// decisions, with the decision values the workflows record.
func TestGrafanaOutcomePanels(t *testing.T) {
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	exprs := map[string]string{}
	for _, p := range d.Panels {
		if len(p.Targets) > 0 {
			exprs[p.Title] = p.Targets[0].Expr
		}
	}
	mttr := exprs["Mean time to remediate, by policy"]
	if !strings.Contains(mttr, "rectify_detection_to_verified_seconds_sum") || !strings.Contains(mttr, "/ sum by (policy) (increase(rectify_detection_to_verified_seconds_count") {
		t.Errorf("MTTR panel expr %q: want the sum of detection-to-verified over its count, by policy", mttr)
	}
	override := exprs["Override rate, by policy"]
	num, den, ok := strings.Cut(override, " / ")
	if !ok {
		t.Fatalf("override panel expr %q: want a ratio", override)
	}
	decisions := regexp.MustCompile(`decision=~"([^"]+)"`)
	values := func(expr string) []string {
		m := decisions.FindStringSubmatch(expr)
		if m == nil {
			t.Fatalf("no decision matcher in %q", expr)
		}
		return strings.Split(m[1], "|")
	}
	if got, want := values(num), []string{contract.DecisionReject, contract.DecisionUndo}; !equalSets(got, want) {
		t.Errorf("override rate counts %v, want the overrides %v", got, want)
	}
	if got, want := values(den), []string{contract.DecisionApprove, contract.DecisionReject, contract.DecisionAuto}; !equalSets(got, want) {
		t.Errorf("override rate divides by %v, want the decisions %v", got, want)
	}
	if !strings.Contains(exprs["Decisions, by kind"], "rectify_decisions_total") {
		t.Error("no panel shows the decisions by kind")
	}
}

func equalSets(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

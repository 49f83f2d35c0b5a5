package metrics

import (
	"maps"
	"math"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/rectifyhq/rectify/internal/contract"
)

// scrape serves m's handler and parses the exposition format, as
// Prometheus does.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape status %d: %s", rec.Code, rec.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse scrape: %v", err)
	}
	return families
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestTemporalHandlerOnRegistry(t *testing.T) {
	m := New()
	h := m.TemporalHandler()
	h.WithTags(map[string]string{"namespace": "default", "task_queue": "q"}).Counter("temporal_request").Inc(2)
	// Same name, different tag set: must not break the scrape.
	h.WithTags(map[string]string{"namespace": "default", "operation": "Poll"}).Counter("temporal_request").Inc(1)
	h.Gauge("temporal_worker_task_slots_available").Update(7)
	m.Received()
	m.Ignored("read-only call")
	m.Remediated("ec2_revoke_ingress", "changed")
	m.Evaluated(map[[2]string]int{{"p1", "HIGH"}: 2})
	m.EvaluationFailed("auth")

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`temporal_request{namespace="default",operation="",task_queue="q"} 2`,
		`temporal_request{namespace="default",operation="Poll",task_queue=""} 1`,
		`temporal_worker_task_slots_available 7`,
		`rectify_events_received_total 1`,
		`rectify_events_ignored_total{reason="read-only call"} 1`,
		`rectify_remediations_total{action="ec2_revoke_ingress",outcome="changed"} 1`,
		`rectify_violations_total{policy="p1",severity="HIGH"} 2`,
		`rectify_evaluations_total 1`,
		`rectify_evaluations_failed_total{reason="auth"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

// TestWorkflowTimers: the workflows' timers, recorded through the SDK
// handler with the SDK's tags, land in rectify's histograms with their own
// help, buckets that reach days, and only policy and severity as labels.
func TestWorkflowTimers(t *testing.T) {
	m := New(Worker)
	// The tags the SDK puts on a workflow's metrics handler, then ours.
	wf := m.TemporalHandler().WithTags(map[string]string{
		"namespace": "default", "client_name": "temporal_go", "worker_type": "none", "activity_type": "none",
		"task_queue": "rectify", "workflow_type": "Remediation",
	}).WithTags(map[string]string{"policy": "aws.s3.public_access_block", "severity": "HIGH"})
	wf.Timer(contract.TimerApprovalWait).Record(534 * time.Second)
	wf.Timer(contract.TimerApprovalWait).Record(3 * 24 * time.Hour)
	wf.Timer(contract.TimerDetectionToVerified).Record(1500 * time.Millisecond)

	fams := scrape(t, m)
	tests := []struct {
		name    string
		buckets []float64
		le      float64 // upper bound of the bucket the first observation falls in
		count   uint64
	}{
		{"rectify_approval_wait_seconds", ApprovalWaitBuckets, 600, 2},
		{"rectify_detection_to_verified_seconds", DetectionToVerifiedBuckets, 2, 1},
	}
	for _, tt := range tests {
		f := fams[tt.name]
		if f == nil || f.GetType() != dto.MetricType_HISTOGRAM || len(f.GetMetric()) != 1 {
			t.Fatalf("%s: %v", tt.name, f)
		}
		if strings.HasPrefix(f.GetHelp(), "Temporal SDK metric") || f.GetHelp() == "" {
			t.Errorf("%s: help %q is not its own", tt.name, f.GetHelp())
		}
		met := f.GetMetric()[0]
		if got := labels(met); !maps.Equal(got, map[string]string{"policy": "aws.s3.public_access_block", "severity": "HIGH"}) {
			t.Errorf("%s: labels %v, want policy and severity only", tt.name, got)
		}
		h := met.GetHistogram()
		if h.GetSampleCount() != tt.count {
			t.Errorf("%s: count %d, want %d", tt.name, h.GetSampleCount(), tt.count)
		}
		var bounds []float64
		for _, b := range h.GetBucket() {
			bounds = append(bounds, b.GetUpperBound())
			// The first observation is in the first bucket at or above
			// its value, not only in +Inf.
			below := b.GetUpperBound() < tt.le
			if below && b.GetCumulativeCount() != 0 || !below && b.GetCumulativeCount() == 0 {
				t.Errorf("%s: bucket le=%g holds %d", tt.name, b.GetUpperBound(), b.GetCumulativeCount())
			}
		}
		if !slices.Equal(bounds, append(slices.Clone(tt.buckets), math.Inf(1))) {
			t.Errorf("%s: buckets %v", tt.name, bounds)
		}
	}
	// The 3-day wait is inside the buckets too.
	if b := fams["rectify_approval_wait_seconds"].GetMetric()[0].GetHistogram().GetBucket(); b[len(b)-2].GetCumulativeCount() != 2 {
		t.Errorf("a 3-day approval wait is only in +Inf: %v", b[len(b)-2])
	}
}

// TestParts: each process exports its own metrics only, each with help.
func TestParts(t *testing.T) {
	starterOnly := []string{"rectify_events_received_total", "rectify_dlq_depth", "rectify_starter_paused", "rectify_open_violations"}
	workerOnly := []string{"rectify_evaluations_total", "rectify_securityhub_batch_size", "rectify_approval_wait_seconds"}
	for _, tt := range []struct {
		name      string
		m         *Metrics
		want, not []string
	}{
		{"worker", New(Worker), workerOnly, starterOnly},
		{"starter", New(Starter), starterOnly, workerOnly},
		{"both", New(), append(slices.Clone(workerOnly), starterOnly...), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			// Touch everything: recording a metric of another part must
			// not make it appear.
			m.Received()
			m.SetDLQDepth(3)
			m.Resumed()
			m.SetOpenViolations(map[[2]string]int{{"AwaitingApproval", "aws.s3.public_access_block"}: 2})
			m.Evaluated(map[[2]string]int{{"p", "HIGH"}: 1})
			m.FindingsBatch(4)
			m.ApprovalWait.WithLabelValues("p", "HIGH").Observe(1)
			fams := scrape(t, m)
			for _, n := range tt.want {
				if fams[n] == nil {
					t.Errorf("%s does not export %s", tt.name, n)
				}
			}
			for _, n := range tt.not {
				if fams[n] != nil {
					t.Errorf("%s exports %s, which it does not produce", tt.name, n)
				}
			}
			helps := map[string]string{}
			for n, f := range fams {
				if !strings.HasPrefix(n, "rectify_") {
					continue
				}
				if other, dup := helps[f.GetHelp()]; dup || f.GetHelp() == "" {
					t.Errorf("%s: help %q is empty or shared with %s", n, f.GetHelp(), other)
				}
				helps[f.GetHelp()] = n
			}
		})
	}
}

// TestOpenViolations: a refresh replaces the counts whole; a pair no
// longer counted leaves the scrape.
func TestOpenViolations(t *testing.T) {
	m := New(Starter)
	m.SetOpenViolations(map[[2]string]int{{"AwaitingApproval", "a"}: 2, {"Resolved", "b"}: 1})
	m.SetOpenViolations(map[[2]string]int{{"AwaitingApproval", "a"}: 1})
	f := scrape(t, m)["rectify_open_violations"]
	if f == nil || f.GetType() != dto.MetricType_GAUGE || len(f.GetMetric()) != 1 {
		t.Fatalf("gauge = %v", f)
	}
	met := f.GetMetric()[0]
	if !maps.Equal(labels(met), map[string]string{"state": "AwaitingApproval", "policy": "a"}) || met.GetGauge().GetValue() != 1 {
		t.Errorf("series %v = %g", labels(met), met.GetGauge().GetValue())
	}
}

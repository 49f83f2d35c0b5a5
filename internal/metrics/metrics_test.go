package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTemporalHandlerOnRegistry(t *testing.T) {
	m := New()
	h := m.TemporalHandler()
	h.WithTags(map[string]string{"namespace": "default", "task_queue": "q"}).Counter("temporal_request").Inc(2)
	// Same name, different tag set: must not break the scrape.
	h.WithTags(map[string]string{"namespace": "default", "operation": "Poll"}).Counter("temporal_request").Inc(1)
	h.Gauge("temporal_worker_task_slots_available").Update(7)
	h.WithTags(map[string]string{"policy": "p1"}).Timer("rectify_approval_wait").Record(90 * time.Second)
	m.Received()
	m.Ignored("read-only call")
	m.Remediated("ec2_revoke_ingress", "changed")
	m.Evaluated(map[[2]string]int{{"p1", "HIGH"}: 2})
	m.EvaluationFailed("auth")

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`temporal_request{namespace="default",operation="",task_queue="q"} 2`,
		`temporal_request{namespace="default",operation="Poll",task_queue=""} 1`,
		`temporal_worker_task_slots_available 7`,
		`rectify_approval_wait_seconds_count{policy="p1"} 1`,
		`rectify_approval_wait_seconds_sum{policy="p1"} 90`,
		`rectify_events_received_total 1`,
		`rectify_events_ignored_total{reason="read-only call"} 1`,
		`rectify_remediations_total{action="ec2_revoke_ingress",outcome="changed"} 1`,
		`rectify_violations_total{policy="p1",severity="HIGH"} 2`,
		`rectify_evaluations_total 1`,
		`rectify_evaluations_failed_total{reason="auth"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if rec.Code != 200 {
		t.Fatalf("scrape status %d: %s", rec.Code, body)
	}
}

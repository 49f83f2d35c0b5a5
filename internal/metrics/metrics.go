// Package metrics holds rectify's Prometheus metrics and serves them with
// the Temporal SDK's on one registry, so one scrape shows both.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are rectify's own metrics. A nil *Metrics records nothing, so
// code paths need no checks.
type Metrics struct {
	Registry *prometheus.Registry

	EventsReceived    prometheus.Counter
	EventsIgnored     *prometheus.CounterVec // reason
	EventsStarted     prometheus.Counter
	EventsRefused     prometheus.Counter
	EventsUnparseable prometheus.Counter
	Evaluations       prometheus.Counter
	EvaluationsFailed *prometheus.CounterVec // reason
	Violations        *prometheus.CounterVec // policy, severity
	Remediations      *prometheus.CounterVec // action, outcome
	SecurityHubBatch  prometheus.Histogram
	SQSReceiveLag     prometheus.Histogram
	DLQDepth          prometheus.Gauge
	// StarterPaused is 1 while the starter does not receive because
	// Temporal is unavailable; StarterPauses counts those pauses.
	StarterPaused prometheus.Gauge
	StarterPauses prometheus.Counter
}

// New builds the registry with Go and process collectors and rectify's
// metrics.
func New() *Metrics {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry:          r,
		EventsReceived:    prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_events_received_total", Help: "Messages received from the event queue."}),
		EventsIgnored:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_events_ignored_total", Help: "Triggers ignored, by reason category."}, []string{"reason"}),
		EventsStarted:     prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_events_started_total", Help: "Evaluations signalled or started from events."}),
		EventsRefused:     prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_events_refused_total", Help: "Triggers from accounts not on the allow-list."}),
		EventsUnparseable: prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_events_unparseable_total", Help: "Messages that could not be parsed (left for the dead-letter queue)."}),
		Evaluations:       prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_evaluations_total", Help: "Live evaluations of a resource against its policies."}),
		EvaluationsFailed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_evaluations_failed_total", Help: "Evaluations that gave up (their trigger goes to the dead-letter queue), by reason: auth, permanent, not_found, timeout, other."}, []string{"reason"}),
		Violations:        prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_violations_total", Help: "Policy violations found by evaluations."}, []string{"policy", "severity"}),
		Remediations:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_remediations_total", Help: "Remediation applies, by outcome (changed, unchanged, failed)."}, []string{"action", "outcome"}),
		SecurityHubBatch:  prometheus.NewHistogram(prometheus.HistogramOpts{Name: "rectify_securityhub_batch_size", Help: "Findings per BatchImportFindings call.", Buckets: []float64{1, 2, 5, 10, 25, 50, 75, 100}}),
		SQSReceiveLag:     prometheus.NewHistogram(prometheus.HistogramOpts{Name: "rectify_sqs_receive_lag_seconds", Help: "Time from SendMessage to the starter's receive.", Buckets: prometheus.ExponentialBuckets(0.01, 3, 10)}),
		DLQDepth:          prometheus.NewGauge(prometheus.GaugeOpts{Name: "rectify_dlq_depth", Help: "Messages on the dead-letter queue."}),
		StarterPaused:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "rectify_starter_paused", Help: "1 while the starter does not receive events because Temporal is unavailable."}),
		StarterPauses:     prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_starter_pauses_total", Help: "Times the starter stopped receiving events because Temporal was unavailable."}),
	}
	r.MustRegister(m.EventsReceived, m.EventsIgnored, m.EventsStarted, m.EventsRefused, m.EventsUnparseable,
		m.Evaluations, m.EvaluationsFailed, m.Violations, m.Remediations, m.SecurityHubBatch, m.SQSReceiveLag, m.DLQDepth,
		m.StarterPaused, m.StarterPauses)
	return m
}

// Handler serves the registry for Prometheus to scrape.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// The methods below are nil-safe shorthands.

func (m *Metrics) Received() {
	if m != nil {
		m.EventsReceived.Inc()
	}
}

func (m *Metrics) Ignored(reason string) {
	if m != nil {
		m.EventsIgnored.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) Started() {
	if m != nil {
		m.EventsStarted.Inc()
	}
}

func (m *Metrics) Refused() {
	if m != nil {
		m.EventsRefused.Inc()
	}
}

func (m *Metrics) Unparseable() {
	if m != nil {
		m.EventsUnparseable.Inc()
	}
}

func (m *Metrics) Evaluated(violations map[[2]string]int) {
	if m == nil {
		return
	}
	m.Evaluations.Inc()
	for k, n := range violations {
		m.Violations.WithLabelValues(k[0], k[1]).Add(float64(n))
	}
}

// EvaluationFailed counts an evaluation that gave up; reason is one of
// awserr's Reason* labels.
func (m *Metrics) EvaluationFailed(reason string) {
	if m != nil {
		m.EvaluationsFailed.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) Remediated(action, outcome string) {
	if m != nil {
		m.Remediations.WithLabelValues(action, outcome).Inc()
	}
}

func (m *Metrics) FindingsBatch(n int) {
	if m != nil {
		m.SecurityHubBatch.Observe(float64(n))
	}
}

func (m *Metrics) ReceiveLag(seconds float64) {
	if m != nil && seconds >= 0 {
		m.SQSReceiveLag.Observe(seconds)
	}
}

func (m *Metrics) Paused() {
	if m != nil {
		m.StarterPauses.Inc()
		m.StarterPaused.Set(1)
	}
}

func (m *Metrics) Resumed() {
	if m != nil {
		m.StarterPaused.Set(0)
	}
}

func (m *Metrics) SetDLQDepth(n int) {
	if m != nil {
		m.DLQDepth.Set(float64(n))
	}
}

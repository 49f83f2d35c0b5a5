// Package metrics holds rectify's Prometheus metrics and serves them with
// the Temporal SDK's on one registry, so one scrape shows both.
package metrics

import (
	"maps"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Part is what a process does. Each process exports only the metrics of
// its parts, so a worker's scrape holds no starter counters stuck at 0 and
// the other way round.
type Part int

const (
	// Worker runs the workflows and activities: evaluations, violations,
	// remediations, findings and the workflow timers.
	Worker Part = 1 << iota
	// Starter consumes the event queue and counts the open violations.
	Starter
)

// Metrics are rectify's own metrics. A nil *Metrics records nothing, so
// code paths need no checks. A metric of a part the process does not run
// is still there to record on, but it is not registered: it is never
// exported.
type Metrics struct {
	Registry *prometheus.Registry
	parts    Part

	// Starter.
	EventsReceived    prometheus.Counter
	EventsIgnored     *prometheus.CounterVec // reason
	EventsStarted     prometheus.Counter
	EventsRefused     prometheus.Counter
	EventsUnparseable prometheus.Counter
	SQSReceiveLag     prometheus.Histogram
	DLQDepth          prometheus.Gauge
	// StarterPaused is 1 while the starter does not receive because
	// Temporal is unavailable; StarterPauses counts those pauses.
	StarterPaused prometheus.Gauge
	StarterPauses prometheus.Counter
	// OpenViolations is the number of Remediation workflows running, by
	// RectifyState and policy, as Temporal visibility counts them (see
	// SetOpenViolations); OpenViolationsErrors counts failed refreshes.
	OpenViolations       *openViolations
	OpenViolationsErrors prometheus.Counter

	// Worker.
	Evaluations       prometheus.Counter
	EvaluationsFailed *prometheus.CounterVec // reason
	Violations        *prometheus.CounterVec // policy, severity
	Remediations      *prometheus.CounterVec // action, outcome
	SecurityHubBatch  prometheus.Histogram
	// The workflow timers (contract.Timer*), recorded by the workflows
	// through the Temporal SDK's metrics handler (TemporalHandler routes
	// them here), labelled by policy and severity only.
	ApprovalWait        *prometheus.HistogramVec
	DetectionToVerified *prometheus.HistogramVec
}

// Histogram buckets of the workflow timers, in seconds. A person answers an
// approval within minutes, or the next working day, or after a weekend:
// 5 s to 7 days. A fix without approval is verified within seconds, one
// that waited for a person within the approval timeout (24 h by default):
// 1 s to 1 day.
var (
	ApprovalWaitBuckets        = []float64{5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 345600, 604800}
	DetectionToVerifiedBuckets = []float64{1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 43200, 86400}
)

// New builds the registry with the Go and process collectors and the
// metrics of the given parts; no part means both (the local stack runs
// the worker and the starter in one process).
func New(parts ...Part) *Metrics {
	var p Part
	for _, x := range parts {
		p |= x
	}
	if p == 0 {
		p = Worker | Starter
	}
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	byPolicy := []string{"policy", "severity"}
	m := &Metrics{
		Registry: r,
		parts:    p,

		EventsReceived:    prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_events_received_total", Help: "Messages received from the event queue."}),
		EventsIgnored:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_events_ignored_total", Help: "Triggers ignored, by reason category."}, []string{"reason"}),
		EventsStarted:     prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_events_started_total", Help: "Evaluations signalled or started from events."}),
		EventsRefused:     prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_events_refused_total", Help: "Triggers from accounts not on the allow-list."}),
		EventsUnparseable: prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_events_unparseable_total", Help: "Messages that could not be parsed (left for the dead-letter queue)."}),
		SQSReceiveLag:     prometheus.NewHistogram(prometheus.HistogramOpts{Name: "rectify_sqs_receive_lag_seconds", Help: "Time from SendMessage to the starter's receive.", Buckets: prometheus.ExponentialBuckets(0.01, 3, 10)}),
		DLQDepth:          prometheus.NewGauge(prometheus.GaugeOpts{Name: "rectify_dlq_depth", Help: "Messages on the dead-letter queue."}),
		StarterPaused:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "rectify_starter_paused", Help: "1 while the starter does not receive events because Temporal is unavailable."}),
		StarterPauses:     prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_starter_pauses_total", Help: "Times the starter stopped receiving events because Temporal was unavailable."}),
		OpenViolations:    newOpenViolations(),
		OpenViolationsErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_open_violations_refresh_errors_total",
			Help: "Refreshes of rectify_open_violations that failed to read Temporal visibility (the gauge keeps its last values)."}),

		Evaluations:       prometheus.NewCounter(prometheus.CounterOpts{Name: "rectify_evaluations_total", Help: "Live evaluations of a resource against its policies."}),
		EvaluationsFailed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_evaluations_failed_total", Help: "Evaluations that gave up (their trigger goes to the dead-letter queue), by reason: auth, permanent, not_found, timeout, other."}, []string{"reason"}),
		Violations:        prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_violations_total", Help: "Policy violations found by evaluations."}, byPolicy),
		Remediations:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_remediations_total", Help: "Remediation applies, by outcome (changed, unchanged, failed)."}, []string{"action", "outcome"}),
		SecurityHubBatch:  prometheus.NewHistogram(prometheus.HistogramOpts{Name: "rectify_securityhub_batch_size", Help: "Findings per BatchImportFindings call.", Buckets: []float64{1, 2, 5, 10, 25, 50, 75, 100}}),
		ApprovalWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rectify_approval_wait_seconds",
			Help:    "Time a violation in approve mode waited from the approval request to a decision, the violation going away, or the approval timeout.",
			Buckets: ApprovalWaitBuckets}, byPolicy),
		DetectionToVerified: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rectify_detection_to_verified_seconds",
			Help:    "Time from the first detection of a violation to its verified fix, approval wait included.",
			Buckets: DetectionToVerifiedBuckets}, byPolicy),
	}
	if p&Starter != 0 {
		r.MustRegister(m.EventsReceived, m.EventsIgnored, m.EventsStarted, m.EventsRefused, m.EventsUnparseable,
			m.SQSReceiveLag, m.DLQDepth, m.StarterPaused, m.StarterPauses, m.OpenViolations, m.OpenViolationsErrors)
	}
	if p&Worker != 0 {
		r.MustRegister(m.Evaluations, m.EvaluationsFailed, m.Violations, m.Remediations, m.SecurityHubBatch,
			m.ApprovalWait, m.DetectionToVerified)
	}
	return m
}

// Has reports whether the process runs part.
func (m *Metrics) Has(part Part) bool { return m != nil && m.parts&part != 0 }

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

// SetOpenViolations replaces the open-violation counts, keyed by
// {state, policy}; a pair no longer counted disappears from the scrape.
func (m *Metrics) SetOpenViolations(counts map[[2]string]int) {
	if m != nil {
		m.OpenViolations.set(counts)
	}
}

// OpenViolationsRefreshFailed counts a refresh that could not read Temporal.
func (m *Metrics) OpenViolationsRefreshFailed() {
	if m != nil {
		m.OpenViolationsErrors.Inc()
	}
}

// openViolations exports the last counts as one gauge family. The counts
// are replaced whole, so a scrape never sees half a refresh.
type openViolations struct {
	desc   *prometheus.Desc
	mu     sync.Mutex
	counts map[[2]string]int
}

func newOpenViolations() *openViolations {
	return &openViolations{desc: prometheus.NewDesc("rectify_open_violations",
		"Remediation workflows running (a violation not yet closed, or fixed and in its watch window), by RectifyState and policy, "+
			"as Temporal visibility counts them across every worker; each starter exports the same count, so aggregate with max, not sum.",
		[]string{"state", "policy"}, nil)}
}

func (o *openViolations) set(counts map[[2]string]int) {
	o.mu.Lock()
	o.counts = maps.Clone(counts)
	o.mu.Unlock()
}

func (o *openViolations) Describe(ch chan<- *prometheus.Desc) { ch <- o.desc }

func (o *openViolations) Collect(ch chan<- prometheus.Metric) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for k, n := range o.counts {
		ch <- prometheus.MustNewConstMetric(o.desc, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
}

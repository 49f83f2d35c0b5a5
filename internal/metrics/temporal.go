package metrics

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/contract"
)

// TemporalHandler returns a Temporal SDK metrics handler that records on
// the registry: counters as counters, gauges as gauges, timers as
// histograms in seconds (name + "_seconds"). The SDK uses one metric name
// with different tag sets, which client_golang's vectors refuse, so series
// are kept here and exported by one collector with each name's union of
// label names (a missing label is "").
//
// rectify's own workflow timers (contract.Timer*) are not SDK metrics: they
// go to their histograms (ApprovalWait, DetectionToVerified), with their
// own help text and buckets, labelled by policy and severity only. The
// SDK's tags on a workflow's handler (namespace, task_queue, workflow_type,
// client_name, worker_type and activity_type "none") say nothing about a
// violation.
func (m *Metrics) TemporalHandler() client.MetricsHandler {
	c := &sdkCollector{families: map[string]*family{}}
	m.Registry.MustRegister(c)
	return &sdkHandler{c: c, m: m}
}

// timerBuckets are the SDK timers' buckets: 1 ms to ~149 s in steps of
// 2.5 (request and task latencies), then 10 min to a day for the
// end-to-end latency of workflows that wait for people.
var timerBuckets = append(prometheus.ExponentialBuckets(0.001, 2.5, 14), 600, 3600, 6*3600, 24*3600)

// workflowTimer is the histogram of one of rectify's workflow timers, or
// nil for an SDK timer.
func (m *Metrics) workflowTimer(name string) *prometheus.HistogramVec {
	switch name {
	case contract.TimerApprovalWait:
		return m.ApprovalWait
	case contract.TimerDetectionToVerified:
		return m.DetectionToVerified
	}
	return nil
}

type kind int

const (
	kindCounter kind = iota
	kindGauge
	kindTimer
)

type family struct {
	kind   kind
	labels map[string]bool
	series map[string]*series // by encoded tags
}

type series struct {
	tags    map[string]string
	value   float64
	count   uint64
	sum     float64
	buckets []uint64
}

type sdkCollector struct {
	mu       sync.Mutex
	families map[string]*family
}

func (c *sdkCollector) get(name string, k kind, tags map[string]string) *series {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.families[name]
	if !ok {
		f = &family{kind: k, labels: map[string]bool{}, series: map[string]*series{}}
		c.families[name] = f
	}
	for t := range tags {
		f.labels[sanitize(t)] = true
	}
	key := encode(tags)
	s, ok := f.series[key]
	if !ok {
		s = &series{tags: tags}
		if k == kindTimer {
			s.buckets = make([]uint64, len(timerBuckets))
		}
		f.series[key] = s
	}
	return s
}

// Describe sends nothing: the collector is unchecked, because the SDK's
// metric names are only known once it emits them.
func (c *sdkCollector) Describe(chan<- *prometheus.Desc) {}

func (c *sdkCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, f := range c.families {
		labels := slices.Sorted(maps.Keys(f.labels))
		promName := sanitize(name)
		if f.kind == kindTimer && !strings.HasSuffix(promName, "_seconds") {
			promName += "_seconds"
		}
		desc := prometheus.NewDesc(promName, "Temporal SDK metric "+name, labels, nil)
		for _, s := range f.series {
			values := make([]string, len(labels))
			for i, l := range labels {
				for k, v := range s.tags {
					if sanitize(k) == l {
						values[i] = v
					}
				}
			}
			var m prometheus.Metric
			var err error
			switch f.kind {
			case kindCounter:
				m, err = prometheus.NewConstMetric(desc, prometheus.CounterValue, s.value, values...)
			case kindGauge:
				m, err = prometheus.NewConstMetric(desc, prometheus.GaugeValue, s.value, values...)
			case kindTimer:
				b := map[float64]uint64{}
				var cum uint64
				for i, upper := range timerBuckets {
					cum += s.buckets[i]
					b[upper] = cum
				}
				m, err = prometheus.NewConstHistogram(desc, s.count, s.sum, b, values...)
			}
			if err == nil {
				ch <- m
			}
		}
	}
}

type sdkHandler struct {
	c    *sdkCollector
	m    *Metrics
	tags map[string]string
}

func (h *sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	return &sdkHandler{c: h.c, m: h.m, tags: merged}
}

func (h *sdkHandler) Counter(name string) client.MetricsCounter {
	s := h.c.get(name, kindCounter, h.tags)
	return counterFunc(func(d int64) {
		h.c.mu.Lock()
		s.value += float64(d)
		h.c.mu.Unlock()
	})
}

func (h *sdkHandler) Gauge(name string) client.MetricsGauge {
	s := h.c.get(name, kindGauge, h.tags)
	return gaugeFunc(func(v float64) {
		h.c.mu.Lock()
		s.value = v
		h.c.mu.Unlock()
	})
}

func (h *sdkHandler) Timer(name string) client.MetricsTimer {
	if hv := h.m.workflowTimer(name); hv != nil {
		o := hv.WithLabelValues(h.tags["policy"], h.tags["severity"])
		return timerFunc(func(d time.Duration) { o.Observe(d.Seconds()) })
	}
	s := h.c.get(name, kindTimer, h.tags)
	return timerFunc(func(d time.Duration) {
		sec := d.Seconds()
		h.c.mu.Lock()
		defer h.c.mu.Unlock()
		s.count++
		s.sum += sec
		for i, upper := range timerBuckets {
			if sec <= upper {
				s.buckets[i]++
				break
			}
		}
	})
}

func encode(tags map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(tags[k])
		b.WriteByte(0)
	}
	return b.String()
}

// sanitize makes a Prometheus metric or label name.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

type (
	counterFunc func(int64)
	gaugeFunc   func(float64)
	timerFunc   func(time.Duration)
)

func (f counterFunc) Inc(d int64)          { f(d) }
func (f gaugeFunc) Update(v float64)       { f(v) }
func (f timerFunc) Record(d time.Duration) { f(d) }

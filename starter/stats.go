package starter

import (
	"sync"

	"github.com/rectifyhq/rectify/internal/events"
	"github.com/rectifyhq/rectify/internal/metrics"
)

// Stats counts what the consumer did with messages. Safe for concurrent use.
type Stats struct {
	// Metrics, when set, receives the same counts for Prometheus.
	Metrics *metrics.Metrics

	mu          sync.Mutex
	Received    int
	Unparseable int
	Started     int
	StartErrors int
	Deleted     int
	// Refused counts triggers from accounts not on the allow-list.
	Refused int
	// Pauses counts the times receiving paused because Temporal was
	// unavailable.
	Pauses int
	// Ignored counts ignored triggers by events.ReasonCategory.
	Ignored map[string]int
}

// StatsSnapshot is a copy of the counters.
type StatsSnapshot struct {
	Received    int            `json:"received"`
	Unparseable int            `json:"unparseable"`
	Started     int            `json:"started"`
	StartErrors int            `json:"start_errors"`
	Deleted     int            `json:"deleted"`
	Refused     int            `json:"refused"`
	Pauses      int            `json:"pauses"`
	Ignored     map[string]int `json:"ignored"`
}

func (s *Stats) add(field *int, n int) {
	s.mu.Lock()
	*field += n
	s.mu.Unlock()
}

func (s *Stats) paused() {
	s.Metrics.Paused()
	s.add(&s.Pauses, 1)
}

func (s *Stats) ignore(reason string) {
	category := events.ReasonCategory(reason)
	s.Metrics.Ignored(category)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Ignored == nil {
		s.Ignored = map[string]int{}
	}
	s.Ignored[category]++
}

// Snapshot copies the counters.
func (s *Stats) Snapshot() StatsSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	ig := make(map[string]int, len(s.Ignored))
	for k, v := range s.Ignored {
		ig[k] = v
	}
	return StatsSnapshot{Received: s.Received, Unparseable: s.Unparseable, Started: s.Started, StartErrors: s.StartErrors, Deleted: s.Deleted, Refused: s.Refused, Pauses: s.Pauses, Ignored: ig}
}

package contract

import (
	"time"

	"github.com/rectifyhq/rectify/internal/resource"
)

// Change is what told us a resource may have changed: an event, or a sweep.
type Change struct {
	Source    string    `json:"source"`
	EventName string    `json:"event_name,omitempty"`
	EventID   string    `json:"event_id,omitempty"`
	Actor     string    `json:"actor,omitempty"`
	EventTime time.Time `json:"event_time"`
}

// EvaluateInput starts the evaluation of one resource.
type EvaluateInput struct {
	Ref resource.Ref `json:"ref"`
	// Pending carries changes drained just before a continue-as-new.
	Pending []Change `json:"pending,omitempty"`
	// Passes carries the pass count across continue-as-new.
	Passes int `json:"passes,omitempty"`
	// Settle is how long a pass waits after a change for more changes of
	// the same burst (an apply of a Terraform module is dozens of calls on
	// one resource). Zero evaluates at once.
	Settle time.Duration `json:"settle,omitempty"`
	// StartedWithAttributes says the starter set RectifyResource and
	// RectifyAccount in the start request, so the run need not upsert them
	// again (one visibility write less). Runs started without it upsert as
	// before, so recorded histories replay.
	StartedWithAttributes bool `json:"started_with_attributes,omitempty"`
}

// EvaluateResult says how much work a storm of changes cost.
type EvaluateResult struct {
	Passes     int `json:"passes"`
	Changes    int `json:"changes"`
	Violations int `json:"violations"`
}

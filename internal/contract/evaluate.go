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
	// Generation is the generation of workflow code the run was started
	// for (see Generation). Zero: a run started before generations, which
	// asks workflow.GetVersion as it always did.
	Generation int `json:"generation,omitempty"`
}

// Generation is the generation of workflow code new runs are started for.
// A run started with generation N takes every workflow change of
// generations up to N as given, without asking workflow.GetVersion: each
// GetVersion call costs a run a marker and a TemporalChangeVersion
// search-attribute upsert, two billable actions, and every new run paid
// them for changes older than itself. Runs started without a generation
// (recorded before there were any) ask GetVersion as before, so their
// histories replay. The input is fixed for a run's life, so gating on it
// is deterministic.
//
// Generation 1 includes, for Evaluate: settle-until-quiet, the give-up path
// (dead-letter queue), and passing verdicts handed on by EvaluateResource
// itself (no Dispatch when a pass finds nothing to start); for
// Remediation: record-new-beside-fix at its sixth value (findings queued).
// A later change to workflow code guards itself with GetVersion as usual,
// and a later generation takes it as given.
const Generation = 1

// EvaluateResult says how much work a storm of changes cost.
type EvaluateResult struct {
	Passes     int `json:"passes"`
	Changes    int `json:"changes"`
	Violations int `json:"violations"`
}

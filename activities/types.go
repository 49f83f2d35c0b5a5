package activities

import (
	"time"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
)

// EvaluateResourceInput names the resource to read and judge.
type EvaluateResourceInput struct {
	Ref resource.Ref `json:"ref"`
	// HandOn, when set, has the activity itself signal each passing verdict
	// (HandOn, with Violating false and Deleted from the read) to the
	// Remediation of that policy, so a pass that finds nothing to start
	// needs no Dispatch activity after it: one billable action less per
	// benign change. A Remediation that is not running is skipped; one
	// that is running dedups a retried signal by its Key.
	HandOn *contract.Recheck `json:"hand_on,omitempty"`
}

// EvaluateResourceOutput is the verdict of every policy for the type.
type EvaluateResourceOutput struct {
	Exists     bool                 `json:"exists"`
	Name       string               `json:"name"`
	Violations []contract.Violation `json:"violations"`
	// Passing lists the ids of the policies that were evaluated and passed
	// (all applicable policies when the resource no longer exists).
	Passing  []string `json:"passing"`
	Revision string   `json:"revision"`
	// HandedOn says the passing verdicts were handed on (HandOn was set
	// and this activity knows it); a worker older than HandOn leaves it
	// false, and the workflow then dispatches them itself, as before.
	HandedOn bool `json:"handed_on,omitempty"`
	// Signaled counts the passing verdicts handed on to running
	// Remediations (with HandOn).
	Signaled int `json:"signaled,omitempty"`
}

// VerifyInput asks whether one policy still fails on a resource.
type VerifyInput struct {
	Ref      resource.Ref `json:"ref"`
	PolicyID string       `json:"policy_id"`
}

// VerifyOutput is the fresh verdict.
type VerifyOutput struct {
	Violating bool   `json:"violating"`
	Exists    bool   `json:"exists"`
	Message   string `json:"message,omitempty"`
	// Params are the remediation params of the first failing verdict, so
	// the workflow can tell a fix that did not take from a new violation.
	Params map[string]any `json:"params,omitempty"`
}

// ActionInput names a remediation action and what it acts on.
type ActionInput struct {
	Action string         `json:"action"`
	Ref    resource.Ref   `json:"ref"`
	Params map[string]any `json:"params"`
}

// ApplyOutput says what an action did.
type ApplyOutput struct {
	// Changed is false when the resource was already fixed.
	Changed bool   `json:"changed"`
	Summary string `json:"summary"`
}

// UndoInput restores a snapshot.
type UndoInput struct {
	Ref      resource.Ref      `json:"ref"`
	Snapshot contract.Snapshot `json:"snapshot"`
}

// Finding states, as the workflow records them.
const (
	FindingNew        = "NEW"
	FindingNotified   = "NOTIFIED"
	FindingResolved   = "RESOLVED"
	FindingSuppressed = "SUPPRESSED"
	FindingFailed     = "FAILED"
)

// FindingInput is one Security Hub finding write.
type FindingInput struct {
	PolicyID    string       `json:"policy_id"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Severity    string       `json:"severity"`
	Controls    []string     `json:"controls"`
	Ref         resource.Ref `json:"ref"`
	Status      string       `json:"status"`
	Note        string       `json:"note,omitempty"`
	WorkflowID  string       `json:"workflow_id"`
	// DetectedAt is when the violation was first seen; it stays the
	// finding's CreatedAt across re-imports.
	DetectedAt time.Time `json:"detected_at"`
	// Mode is the violation's mode (enforce, approve, notify) and DecidedBy
	// who decided to fix it or not: the approver or rejecter, "timeout"
	// for the timeout action, "" while nobody has (enforce and notify
	// decide by mode).
	Mode      string `json:"mode,omitempty"`
	DecidedBy string `json:"decided_by,omitempty"`
	// Planned says in words what the remediation does, for the finding's
	// recommendation.
	Planned string `json:"planned,omitempty"`
}

// NotifyOutput returns the handle to update the message later.
type NotifyOutput struct {
	Thread string `json:"thread"`
}

// StartRequest is a SignalWithStart of a workflow.
type StartRequest struct {
	WorkflowID string `json:"workflow_id"`
	Workflow   string `json:"workflow"`
	Signal     string `json:"signal"`
	SignalArg  any    `json:"signal_arg"`
	Input      any    `json:"input"`
	// Keywords are the initial keyword search attributes.
	Keywords map[string]string `json:"keywords"`
	// Summary and Details are the start's StaticSummary (one line) and
	// StaticDetails (markdown) in the Temporal UI; Memo its memo. A
	// workflow already running keeps its own.
	Summary string         `json:"summary,omitempty"`
	Details string         `json:"details,omitempty"`
	Memo    map[string]any `json:"memo,omitempty"`
}

// SignalRequest signals a workflow that may have already completed.
type SignalRequest struct {
	WorkflowID string `json:"workflow_id"`
	Signal     string `json:"signal"`
	Arg        any    `json:"arg"`
}

// DispatchInput is the work an evaluation pass hands on.
type DispatchInput struct {
	Starts  []StartRequest  `json:"starts"`
	Signals []SignalRequest `json:"signals"`
}

// DispatchOutput counts what happened.
type DispatchOutput struct {
	Started  int `json:"started"`
	Signaled int `json:"signaled"`
	// NotRunning counts signals to workflows that were already closed.
	NotRunning int `json:"not_running"`
}

// TagExemptInput exempts a resource from one policy until a time, the
// way a human would with the exemption tags.
type TagExemptInput struct {
	Ref      resource.Ref `json:"ref"`
	PolicyID string       `json:"policy_id"`
	Until    time.Time    `json:"until"`
}

package contract

import (
	"time"

	"github.com/rectifyhq/rectify/internal/resource"
	"go.temporal.io/sdk/workflow"
)

// States of a violation, as RectifyState shows them in the Temporal UI.
const (
	StateNew              = "New"
	StateSuppressed       = "Suppressed"
	StateNotified         = "Notified"
	StateAwaitingApproval = "AwaitingApproval"
	StateApproved         = "Approved"
	StateRejected         = "Rejected"
	StateExpired          = "Expired"
	StateRemediating      = "Remediating"
	StateResolved         = "Resolved"
	StateFailed           = "Failed"
	StateEscalated        = "Escalated"
	// StateClosed: the violation went away without us (fixed by someone
	// else, or the resource was deleted).
	StateClosed = "Closed"
	// StateUndone: a human undid the fix; the resource is exempt for a while.
	StateUndone = "Undone"
)

// RemediationInput starts the handling of one violation
// (ID RemediationID(policy, arn)).
type RemediationInput struct {
	Ref       resource.Ref `json:"ref"`
	Name      string       `json:"name"`
	Violation Violation    `json:"violation"`
	// Change is what made the violation visible.
	Change Change `json:"change"`
	// Carry is the state handed over by continue-as-new; nil on a first run.
	Carry *Carry `json:"carry,omitempty"`
	// StartedWithAttributes says the starter set every search attribute
	// (State New included) in the start request, so the first run need not
	// upsert them again: each upsert is one more visibility write. Runs
	// started without it upsert as before, so recorded histories replay.
	StartedWithAttributes bool `json:"started_with_attributes,omitempty"`
	// Generation is the generation of workflow code the run was started
	// for (see Generation); zero asks workflow.GetVersion as before.
	Generation int `json:"generation,omitempty"`
}

// Carry is what survives a continue-as-new during the watch window.
type Carry struct {
	State        string       `json:"state"`
	DetectedAt   time.Time    `json:"detected_at"`
	WatchUntil   time.Time    `json:"watch_until"`
	UndoUntil    time.Time    `json:"undo_until"`
	Remediations int          `json:"remediations"`
	Snapshots    []Snapshot   `json:"snapshots"`
	Thread       string       `json:"thread"`
	DecidedBy    string       `json:"decided_by"`
	Reason       string       `json:"reason"`
	Seen         []string     `json:"seen"`
	History      []Transition `json:"history"`
	// Version is the versionRecordNewBesideFix value of the first run, so
	// a continued run keeps the behaviour its history started with.
	Version workflow.Version `json:"version,omitempty"`
}

// RemediationResult is how a violation ended.
type RemediationResult struct {
	State        string     `json:"state"`
	Remediations int        `json:"remediations"`
	Snapshots    []Snapshot `json:"snapshots"`
	DecidedBy    string     `json:"decided_by,omitempty"`
	Reason       string     `json:"reason,omitempty"`
}

// Recheck is the latest verdict of the policy from Evaluate.
type Recheck struct {
	// Key identifies the evaluation pass, so a retried dispatch counts once.
	Key       string `json:"key"`
	Violating bool   `json:"violating"`
	Deleted   bool   `json:"deleted,omitempty"`
	Message   string `json:"message,omitempty"`
	// Params are the fresh remediation params of a violating verdict: a
	// recurrence is usually a new rule with a new id.
	Params map[string]any `json:"params,omitempty"`
	Change Change         `json:"change"`
}

// Decision is the argument of UpdateDecide.
type Decision struct {
	Approve bool   `json:"approve"`
	User    string `json:"user"`
	// Via is the approver group through which User may decide (a Slack
	// user group), when User is not an approver by name.
	Via    string `json:"via,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// DecisionResult is what UpdateDecide returns to the caller.
type DecisionResult struct {
	State   string `json:"state"`
	Message string `json:"message"`
}

// UndoRequest is the argument of UpdateUndo.
type UndoRequest struct {
	User   string `json:"user"`
	Via    string `json:"via,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Error types of refused updates, for callers that react to them (the
// Slack endpoint replies differently to each).
const (
	ErrNotApprover         = "NotApprover"
	ErrNotAwaitingApproval = "NotAwaitingApproval"
	ErrNothingToUndo       = "NothingToUndo"
)

// Transition is one entry of a violation's story.
type Transition struct {
	State  string    `json:"state"`
	At     time.Time `json:"at"`
	Detail string    `json:"detail,omitempty"`
}

// Status is what QueryStatus returns: the violation as `rectify show`
// tells it.
type Status struct {
	State        string       `json:"state"`
	PolicyID     string       `json:"policy_id"`
	Resource     string       `json:"resource"`
	Mode         Mode         `json:"mode"`
	Remediations int          `json:"remediations"`
	DecidedBy    string       `json:"decided_by,omitempty"`
	Reason       string       `json:"reason,omitempty"`
	History      []Transition `json:"history"`

	Title        string   `json:"title,omitempty"`
	Severity     string   `json:"severity,omitempty"`
	Message      string   `json:"message,omitempty"`
	Controls     []string `json:"controls,omitempty"`
	Account      string   `json:"account,omitempty"`
	Region       string   `json:"region,omitempty"`
	ResourceType string   `json:"resource_type,omitempty"`
	// Action is the planned (or applied) remediation, in words.
	Action string `json:"action,omitempty"`
	// The change that made the violation visible.
	Actor     string    `json:"actor,omitempty"`
	EventName string    `json:"event_name,omitempty"`
	EventTime time.Time `json:"event_time,omitzero"`
	Source    string    `json:"source,omitempty"`

	Approvers     []string      `json:"approvers,omitempty"`
	TimeoutAction TimeoutAction `json:"timeout_action,omitempty"`
	DetectedAt    time.Time     `json:"detected_at,omitzero"`
	// Deadline is when the approval times out, while one is awaited.
	Deadline     time.Time `json:"deadline,omitzero"`
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"`
	WatchUntil   time.Time `json:"watch_until,omitzero"`
	UndoUntil    time.Time `json:"undo_until,omitzero"`
	Stage        Stage     `json:"stage,omitempty"`
	StageFrom    string    `json:"stage_from,omitempty"`
	// PromotedMode is the mode the policy takes once its account is
	// promoted out of the observe stage.
	PromotedMode Mode `json:"promoted_mode,omitempty"`
}

// Memo keys of a Remediation, for `rectify list` (one visibility call
// instead of a query per violation). The start request sets MemoAction;
// the workflow upserts MemoDeadline while it awaits approval and
// MemoSnoozedUntil while a rejection snoozes it.
const (
	MemoAction       = "action"
	MemoDeadline     = "deadline"
	MemoSnoozedUntil = "snoozed_until"
)

// States lists every state, for help texts and validation.
var States = []string{
	StateNew, StateSuppressed, StateNotified, StateAwaitingApproval, StateApproved, StateRejected,
	StateExpired, StateRemediating, StateResolved, StateFailed, StateEscalated, StateClosed, StateUndone,
}

package contract

import (
	"encoding/json"
	"time"

	"github.com/rectifyhq/rectify/internal/exempt"
)

// Settings is how a policy behaves for one violation, resolved from the
// worker's configuration when the violation is found and then fixed for the
// workflow's life, so a config change never alters a running history.
type Settings struct {
	Mode            Mode          `json:"mode"`
	ApprovalTimeout time.Duration `json:"approval_timeout"`
	TimeoutAction   TimeoutAction `json:"timeout_action"`
	WatchWindow     time.Duration `json:"watch_window"`
	MaxRemediations int           `json:"max_remediations"`
	Approvers       []string      `json:"approvers"`
	// Reminders are delays after the approval request; EscalateBefore
	// and EscalationMention warn before the timeout.
	Reminders         []time.Duration `json:"reminders,omitempty"`
	EscalateBefore    time.Duration   `json:"escalate_before,omitempty"`
	EscalationMention string          `json:"escalation_mention,omitempty"`
	UndoWindow        time.Duration   `json:"undo_window"`
	ExemptFor         time.Duration   `json:"exempt_for"`
	// Audit says the worker keeps an audit trail: the workflow then writes
	// every state change to it. Off, it schedules no audit writes at all.
	Audit bool `json:"audit,omitempty"`
}

// Violation is one failed policy on one resource, with what the workflow
// needs to act on it.
type Violation struct {
	PolicyID    string           `json:"policy_id"`
	Title       string           `json:"title"`
	Severity    string           `json:"severity"`
	Message     string           `json:"message"`
	Controls    []string         `json:"controls"`
	Remediation string           `json:"remediation"`
	Params      map[string]any   `json:"params"`
	Revision    string           `json:"revision"`
	Settings    Settings         `json:"settings"`
	Exemption   exempt.Exemption `json:"exemption"`
}

// Snapshot is the prior state an action will change, for undo and audit.
type Snapshot struct {
	Action string          `json:"action"`
	Data   json.RawMessage `json:"data"`
}

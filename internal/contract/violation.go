package contract

import (
	"encoding/json"
	"time"

	"github.com/rectifyhq/rectify/internal/exempt"
)

// Settings is how a policy behaves for one violation, resolved from the
// worker's configuration (and the stages people set) when the violation is
// found and then fixed for the workflow's life, so a config change never
// alters a running history. In JSON its durations are strings ("24h0m0s")
// that the Temporal UI shows as written; integers, as histories recorded
// before hold them, are read too.
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
	// RejectSnooze is how long a rejected violation stays open, so that
	// sweeps stop asking again; a real change of the resource asks again
	// at once. Zero completes at the rejection.
	RejectSnooze time.Duration `json:"reject_snooze,omitempty"`
	// Stage is the account's stage for this policy; empty is active (the
	// settings of runs started before stages). StageFrom says who set it,
	// in words. In the observe stage Mode is notify, and PromotedMode is
	// the mode the policy would have once promoted.
	Stage        Stage  `json:"stage,omitempty"`
	StageFrom    string `json:"stage_from,omitempty"`
	PromotedMode Mode   `json:"promoted_mode,omitempty"`
}

// Observed says the violation only notifies because its account (or this
// policy in it) is in the observe stage.
func (s Settings) Observed() bool { return s.Stage == StageObserve && s.Mode == ModeNotify }

// settingsJSON is Settings with readable durations.
type settingsJSON struct {
	Mode              Mode           `json:"mode"`
	ApprovalTimeout   jsonDuration   `json:"approval_timeout"`
	TimeoutAction     TimeoutAction  `json:"timeout_action"`
	WatchWindow       jsonDuration   `json:"watch_window"`
	MaxRemediations   int            `json:"max_remediations"`
	Approvers         []string       `json:"approvers"`
	Reminders         []jsonDuration `json:"reminders,omitempty"`
	EscalateBefore    jsonDuration   `json:"escalate_before,omitempty"`
	EscalationMention string         `json:"escalation_mention,omitempty"`
	UndoWindow        jsonDuration   `json:"undo_window"`
	ExemptFor         jsonDuration   `json:"exempt_for"`
	RejectSnooze      jsonDuration   `json:"reject_snooze,omitempty"`
	Stage             Stage          `json:"stage,omitempty"`
	StageFrom         string         `json:"stage_from,omitempty"`
	PromotedMode      Mode           `json:"promoted_mode,omitempty"`
	Audit             bool           `json:"audit,omitempty"`
}

// MarshalJSON writes the durations as strings.
func (s Settings) MarshalJSON() ([]byte, error) {
	return json.Marshal(settingsJSON{
		Mode: s.Mode, ApprovalTimeout: jsonDuration(s.ApprovalTimeout), TimeoutAction: s.TimeoutAction,
		WatchWindow: jsonDuration(s.WatchWindow), MaxRemediations: s.MaxRemediations, Approvers: s.Approvers,
		Reminders: jsonDurations(s.Reminders), EscalateBefore: jsonDuration(s.EscalateBefore),
		EscalationMention: s.EscalationMention, UndoWindow: jsonDuration(s.UndoWindow), ExemptFor: jsonDuration(s.ExemptFor),
		RejectSnooze: jsonDuration(s.RejectSnooze), Stage: s.Stage, StageFrom: s.StageFrom, PromotedMode: s.PromotedMode,
		Audit: s.Audit,
	})
}

// UnmarshalJSON reads durations as strings or integer nanoseconds.
func (s *Settings) UnmarshalJSON(b []byte) error {
	var j settingsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Settings{
		Mode: j.Mode, ApprovalTimeout: time.Duration(j.ApprovalTimeout), TimeoutAction: j.TimeoutAction,
		WatchWindow: time.Duration(j.WatchWindow), MaxRemediations: j.MaxRemediations, Approvers: j.Approvers,
		Reminders: goDurations(j.Reminders), EscalateBefore: time.Duration(j.EscalateBefore),
		EscalationMention: j.EscalationMention, UndoWindow: time.Duration(j.UndoWindow), ExemptFor: time.Duration(j.ExemptFor),
		RejectSnooze: time.Duration(j.RejectSnooze), Stage: j.Stage, StageFrom: j.StageFrom, PromotedMode: j.PromotedMode,
		Audit: j.Audit,
	}
	return nil
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

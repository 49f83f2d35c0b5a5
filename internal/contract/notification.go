package contract

import "github.com/rectifyhq/rectify/internal/resource"

// Notification is one state change of a violation, for humans.
type Notification struct {
	WorkflowID string       `json:"workflow_id"`
	State      string       `json:"state"`
	PolicyID   string       `json:"policy_id"`
	Title      string       `json:"title"`
	Severity   string       `json:"severity"`
	Ref        resource.Ref `json:"ref"`
	Message    string       `json:"message"`
	Detail     string       `json:"detail,omitempty"`
	Actor      string       `json:"actor,omitempty"`
	EventName  string       `json:"event_name,omitempty"`
	// AskApproval shows Approve / Reject; AskUndo shows Undo.
	AskApproval bool `json:"ask_approval,omitempty"`
	AskUndo     bool `json:"ask_undo,omitempty"`
	// Reply, when set, is posted as a thread reply only (a reminder or an
	// escalation mention): the message and the state do not change.
	Reply string `json:"reply,omitempty"`
	// Thread is the notifier's handle of an earlier message to update in
	// place; empty for the first message.
	Thread string `json:"thread,omitempty"`
}

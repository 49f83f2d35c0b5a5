// Package slackapp is rectify's Slack app in one place: the notifier that
// posts and updates a violation's message (the worker's Notify activity
// calls it), the interactions endpoint that turns a signed click into the
// decide or undo Update (the starter serves it), the action and callback
// IDs that cross from one to the other, the API client built from config,
// Slack ID and mrkdwn helpers, and the app manifest.
package slackapp

// InteractionsPath is where the starter serves Slack's interactivity
// requests; the app manifest points Slack at it.
const InteractionsPath = "/slack/interactions"

// Action IDs of the message buttons. A button's value is the workflow ID
// of the violation, so a click names the workflow without any lookup.
const (
	ActionApprove = "rectify_approve"
	ActionReject  = "rectify_reject"
	ActionUndo    = "rectify_undo"
	// BlockDecision is the actions block holding the buttons.
	BlockDecision = "rectify_decision"
)

// The reason modal, opened by Reject and Undo: its callback ID, and the
// input that carries the reason.
const (
	CallbackReason = "rectify_reason"
	BlockReason    = "rectify_reason"
	ActionReason   = "rectify_reason_input"
)

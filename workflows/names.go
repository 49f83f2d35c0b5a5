// Package workflows holds rectify's Temporal workflows: Evaluate (one per
// resource) and Remediation (one per policy and resource). They are
// deterministic: every side effect happens in package activities.
package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Search attributes, all Keyword. The dev server registers them at start;
// a production namespace needs them created once (see README).
var (
	AttrPolicy   = temporal.NewSearchAttributeKeyKeyword("RectifyPolicy")
	AttrResource = temporal.NewSearchAttributeKeyKeyword("RectifyResource")
	AttrAccount  = temporal.NewSearchAttributeKeyKeyword("RectifyAccount")
	AttrSeverity = temporal.NewSearchAttributeKeyKeyword("RectifySeverity")
	AttrState    = temporal.NewSearchAttributeKeyKeyword("RectifyState")
)

// StateEvaluationFailed is the RectifyState of an Evaluate run that gave
// up (AWS kept refusing its credentials past the auth grace, a permission
// is missing, its retries ran out): the run fails after setting it, and
// its trigger is on the dead-letter queue for `rectify dlq redrive`. The
// Temporal UI lists them with
// WorkflowType="Evaluate" AND RectifyState="EvaluationFailed".
// (Violation states, on Remediation runs, are in remediation.go.)
const StateEvaluationFailed = "EvaluationFailed"

// SearchAttributes lists every key, for registration.
var SearchAttributes = []temporal.SearchAttributeKeyKeyword{AttrPolicy, AttrResource, AttrAccount, AttrSeverity, AttrState}

// Signal, update and query names: the API other processes call.
const (
	// SignalChanged tells Evaluate that its resource may have changed.
	SignalChanged = "changed"
	// SignalRecheck tells Remediation the latest verdict of its policy.
	SignalRecheck = "recheck"
	// UpdateDecide approves or rejects a violation awaiting approval.
	UpdateDecide = "decide"
	// UpdateUndo restores what a Remediation changed, within its undo window.
	UpdateUndo = "undo"
	// QueryStatus returns a Remediation's Status.
	QueryStatus = "status"
)

// Workflow type names, as registered.
const (
	EvaluateWorkflow    = "Evaluate"
	RemediationWorkflow = "Remediation"
)

// EvaluateID is the workflow ID of the evaluation of a resource: the ID is
// the lock that keeps one evaluation per resource.
func EvaluateID(arn string) string { return "evaluate/" + arn }

// RemediationID is the workflow ID of one violation.
func RemediationID(policyID, arn string) string { return "remediation/" + policyID + "/" + arn }

// Timers the workflows record through the SDK metrics handler, which
// drops them during replay (workflow code must not touch Prometheus).
const (
	TimerApprovalWait        = "rectify_approval_wait"
	TimerDetectionToVerified = "rectify_detection_to_verified"
)

// Change IDs for workflow.GetVersion: each names a change to workflow code
// that running histories must still replay across.
const (
	// versionSettleUntilQuiet: Evaluate waits for a quiet settle period
	// instead of sleeping settle once.
	versionSettleUntilQuiet = "settle-until-quiet"

	// versionEvaluationGiveUp: an Evaluate pass that fails sets
	// RectifyState=EvaluationFailed and puts its trigger on the dead-letter
	// queue (activity EvaluationFailed) before the run fails; runs recorded
	// before it failed at once.
	versionEvaluationGiveUp = "evaluation-give-up"

	// versionRecordNewBesideFix: Remediation writes its NEW finding beside
	// the fix instead of before it (versionNewBesideFix), counts a
	// violating recheck that arrives before the watch begins
	// (versionRecheckBeforeWatch), and lets each state lead its finding
	// write instead of waiting for it (versionStateLeadsFinding). The later
	// changes raise the maximum of the first id instead of adding ids of
	// their own, because each id costs a marker and a search-attribute
	// upsert per workflow.
	versionRecordNewBesideFix = "record-new-beside-fix"
)

// Values of versionRecordNewBesideFix.
const (
	versionNewBesideFix       workflow.Version = 1
	versionRecheckBeforeWatch workflow.Version = 2
	versionStateLeadsFinding  workflow.Version = 3
)

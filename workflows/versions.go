package workflows

import (
	"go.temporal.io/sdk/workflow"
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
	// (versionRecheckBeforeWatch), lets each state lead its finding
	// write instead of waiting for it (versionStateLeadsFinding), writes
	// each state change to the audit trail (versionAuditTrail), and keeps a
	// rejected violation open for its snooze (versionSnoozeOnReject), and
	// queues each finding write behind the last (versionFindingsQueued). The later
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
	versionAuditTrail         workflow.Version = 4
	// versionSnoozeOnReject: a rejection keeps the violation open for
	// Settings.RejectSnooze, absorbing sweep rechecks and asking again on a
	// real change of the resource; the approval deadline and the snooze
	// are upserted into the memo for `rectify list`; and a rejection
	// shows as Rejected before its finding is written, not after.
	versionSnoozeOnReject workflow.Version = 5
	// versionFindingsQueued: a finding write queues behind the one in
	// flight instead of waiting for it, so an outage of Security Hub no
	// longer holds the violation's next state (the chaos suite's
	// securityhub-down scenario found Resolved two minutes late).
	versionFindingsQueued workflow.Version = 6
)

// maxRemediationVersion is the newest value of versionRecordNewBesideFix
// this code runs new histories with.
const maxRemediationVersion = versionFindingsQueued

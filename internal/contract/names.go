package contract

import "go.temporal.io/sdk/temporal"

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

// FindingID is the Security Hub (ASFF) Id of one violation's finding:
// stable, so a re-import updates the same finding.
func FindingID(policyID, arn string) string { return GeneratorPrefix + policyID + "/" + arn }

// Timers and counters the workflows record through the SDK metrics
// handler, which drops them during replay (workflow code must not touch
// Prometheus).
const (
	TimerApprovalWait        = "rectify_approval_wait"
	TimerDetectionToVerified = "rectify_detection_to_verified"
	// CounterDecisions counts the go/no-go of each violation's fix, tagged
	// policy and decision (one of the Decision* values): the override rate
	// is (reject + undo) / (approve + reject + auto).
	CounterDecisions = "rectify_decisions_total"
)

// Values of the decision tag of CounterDecisions.
const (
	DecisionApprove = "approve" // a human approved the fix
	DecisionReject  = "reject"  // a human rejected it
	DecisionAuto    = "auto"    // fixed without a human: enforce mode, or an approval timeout that remediates
	DecisionUndo    = "undo"    // a human undid a fix
)

// GeneratorPrefix begins the GeneratorId, the finding Id and the
// ProductFields keys of every Security Hub finding rectify writes. The
// starter drops findings that carry it: reacting to rectify's own findings
// would evaluate a resource again at every status change. One constant, so
// the writer and the filter cannot drift apart.
const GeneratorPrefix = "rectify/"

package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/contract"
)

// violation is one violation's story as the records of the period tell it.
type violation struct {
	id         string
	workflowID string
	policy     string
	title      string
	severity   string
	mode       string
	controls   []string
	account    string
	region     string
	resource   audit.Resource
	findingID  string
	change     contract.Change
	detectedAt time.Time
	records    []audit.Record // by index

	detected      bool // its detection (New) is in the period
	humanApproved *audit.Record
	rejected      *audit.Record
	expired       *audit.Record
	undone        *audit.Record
	escalated     *audit.Record
	suppressed    *audit.Record
	closed        *audit.Record
	failed        *audit.Record
	notified      *audit.Record
	remediating   *audit.Record
	resolved      *audit.Record // the first verified fix
	// state is the latest state: the last record's, or Temporal's when
	// the workflow runs and its state leads its record.
	state      string
	stateAt    time.Time
	stateFrom  string // "audit" or "temporal"
	superseded bool   // a later violation of the same workflow ID exists
}

// Sources of a violation's latest state.
const (
	fromAudit    = "audit"
	fromTemporal = "temporal"
)

// openStates are the states in which the violation is still there as far
// as rectify knows: not yet fixed, left unfixed by a decision, a timeout
// or a failure, or fought over.
var openStates = []string{
	contract.StateNew, contract.StateAwaitingApproval, contract.StateApproved, contract.StateRemediating,
	contract.StateFailed, contract.StateEscalated, contract.StateNotified, contract.StateRejected, contract.StateExpired,
}

func (v *violation) open() bool { return !v.superseded && slices.Contains(openStates, v.state) }

// decided: a fix went ahead without a human (enforce mode, or a timeout
// that remediates), or a human approved or rejected it.
func (v *violation) autoDecided() bool { return v.remediating != nil && v.humanApproved == nil }

func (v *violation) decisions() int {
	n := 0
	if v.humanApproved != nil || v.autoDecided() {
		n++
	}
	if v.rejected != nil {
		n++
	}
	return n
}

// overrides: humans said no, before the fix (reject) or after it (undo).
func (v *violation) overrides() int {
	n := 0
	if v.rejected != nil {
		n++
	}
	if v.undone != nil {
		n++
	}
	return n
}

// ttr is detection to verified fix.
func (v *violation) ttr() (time.Duration, bool) {
	if v.resolved == nil {
		return 0, false
	}
	return v.resolved.Time.Sub(v.detectedAt), true
}

// exposure is the change's event time to the verified fix: how long the
// misconfiguration was really there. A sweep finds drift with no event
// time: it has none.
func (v *violation) exposure() (time.Duration, bool) {
	if v.resolved == nil || v.change.EventTime.IsZero() || v.change.EventTime.After(v.resolved.Time) {
		return 0, false
	}
	return v.resolved.Time.Sub(v.change.EventTime), true
}

// group turns records (sorted by violation and index) into violations.
func group(records []audit.Record) []*violation {
	var out []*violation
	for i := 0; i < len(records); {
		j := i
		for j < len(records) && records[j].ViolationID == records[i].ViolationID {
			j++
		}
		out = append(out, newViolation(records[i:j]))
		i = j
	}
	// The same workflow ID is a new violation each time it starts again;
	// only the latest can be open.
	latest := map[string]*violation{}
	for _, v := range out {
		if l, ok := latest[v.workflowID]; !ok || v.detectedAt.After(l.detectedAt) {
			latest[v.workflowID] = v
		}
	}
	for _, v := range out {
		v.superseded = latest[v.workflowID] != v
	}
	return out
}

func newViolation(records []audit.Record) *violation {
	last := records[len(records)-1]
	v := &violation{
		id: last.ViolationID, workflowID: last.WorkflowID, policy: last.PolicyID, title: last.Title, severity: last.Severity,
		mode: last.Mode, controls: last.Controls, account: last.Account, region: last.Region, resource: last.Resource,
		findingID: last.FindingID, change: last.Change, detectedAt: last.DetectedAt, records: records,
		state: last.State, stateAt: last.Time, stateFrom: fromAudit,
	}
	if len(v.controls) == 0 {
		v.controls = []string{"policy " + v.policy}
	}
	for i := range records {
		r := &records[i]
		v.mode = cmp.Or(r.Mode, v.mode)
		switch r.State {
		case contract.StateNew:
			v.detected = true
		case contract.StateApproved:
			if r.Actor != audit.ActorTimeout {
				v.humanApproved = first(v.humanApproved, r)
			}
		case contract.StateRejected:
			v.rejected = first(v.rejected, r)
		case contract.StateExpired:
			v.expired = first(v.expired, r)
		case contract.StateUndone:
			v.undone = first(v.undone, r)
		case contract.StateEscalated:
			v.escalated = first(v.escalated, r)
		case contract.StateSuppressed:
			v.suppressed = first(v.suppressed, r)
		case contract.StateClosed:
			v.closed = first(v.closed, r)
		case contract.StateFailed:
			v.failed = first(v.failed, r)
		case contract.StateNotified:
			v.notified = first(v.notified, r)
		case contract.StateRemediating:
			v.remediating = first(v.remediating, r)
		case contract.StateResolved:
			v.resolved = first(v.resolved, r)
		}
	}
	return v
}

func first(have, r *audit.Record) *audit.Record {
	if have != nil {
		return have
	}
	return r
}

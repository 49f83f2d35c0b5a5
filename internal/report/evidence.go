package report

import (
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/contract"
)

// Evidence is every violation of one control in the period, with what an
// auditor asks for: the event that showed it, the decision, the fix, its
// verification and the Security Hub finding. Its JSON is --format json.
type Evidence struct {
	GeneratedAt time.Time `json:"generated_at"`
	Period      Period    `json:"period"`
	Account     string    `json:"account,omitempty"`
	Policy      string    `json:"policy,omitempty"`
	Source      Source    `json:"source"`
	// Control is what was asked for ("EC2.13"); Matched are the controls
	// as the policies' METADATA write them.
	Control    string         `json:"control"`
	Matched    []string       `json:"matched_controls"`
	Violations []EvidenceItem `json:"violations"`
}

// EvidenceItem is one violation. Its JSON fields, in order, are the
// columns of --format csv; a time is null when the step did not happen.
type EvidenceItem struct {
	Control     string     `json:"control"`
	ViolationID string     `json:"violation_id"`
	WorkflowID  string     `json:"workflow_id"`
	Policy      string     `json:"policy"`
	Account     string     `json:"account"`
	Region      string     `json:"region"`
	Resource    string     `json:"resource"`
	DetectedAt  time.Time  `json:"detected_at"`
	EventSource string     `json:"event_source"`
	EventName   string     `json:"event_name"`
	EventID     string     `json:"event_id"`
	EventActor  string     `json:"event_actor"`
	EventTime   *time.Time `json:"event_time"`
	// Decision is how the fix was decided: automatic (enforce mode),
	// approved, rejected, remediated on timeout, expired, escalated,
	// exempt, notify only, closed by others, or pending.
	Decision       string     `json:"decision"`
	DecidedBy      string     `json:"decided_by"`
	DecisionReason string     `json:"decision_reason"`
	DecidedAt      *time.Time `json:"decided_at"`
	FixAction      string     `json:"fix_action"`
	FixStartedAt   *time.Time `json:"fix_started_at"`
	FixDetail      string     `json:"fix_detail"`
	SnapshotRef    string     `json:"snapshot_ref"`
	SnapshotSHA256 string     `json:"snapshot_sha256"`
	// Verification is verified (the policy passes on a fresh read),
	// failed, pending, or not attempted.
	Verification string     `json:"verification"`
	VerifiedAt   *time.Time `json:"verified_at"`
	FinalState   string     `json:"final_state"`
	FinalStateAt time.Time  `json:"final_state_at"`
	FindingID    string     `json:"finding_id"`
}

// Decisions of EvidenceItem.
const (
	DecisionAutomatic = "automatic (enforce)"
	DecisionApproved  = "approved"
	DecisionRejected  = "rejected"
	DecisionOnTimeout = "remediated on timeout"
	DecisionExpired   = "expired without a decision"
	DecisionEscalated = "escalated without a decision"
	DecisionExempt    = "exempt"
	DecisionNotify    = "notify only"
	DecisionClosed    = "closed by others"
	DecisionPending   = "pending"
)

// Verifications of EvidenceItem.
const (
	Verified        = "verified"
	VerifyFailed    = "failed"
	VerifyPending   = "pending"
	VerifyNotNeeded = "not attempted"
)

// BuildEvidence lists the violations of control (as asked: "EC2.13",
// "CIS 5.2", or as METADATA writes it) in the period, oldest first.
func BuildEvidence(in Input, control string, opts Options) Evidence {
	opts = opts.withDefaults()
	ev := Evidence{
		GeneratedAt: opts.Now.UTC(), Period: Period{From: opts.Since.UTC(), To: opts.Now.UTC()},
		Account: opts.Account, Policy: opts.Policy, Source: in.Source, Control: control,
		Matched: []string{}, Violations: []EvidenceItem{},
	}
	all := group(keep(in.Records, opts))
	ev.Source.Records, ev.Source.Violations = len(in.Records), len(all)
	applyRunning(all, keepRunning(in.Running, opts))
	for _, v := range all {
		i := slices.IndexFunc(v.controls, func(c string) bool { return audit.MatchControl(c, control) })
		if i < 0 {
			continue
		}
		if !slices.Contains(ev.Matched, v.controls[i]) {
			ev.Matched = append(ev.Matched, v.controls[i])
		}
		ev.Violations = append(ev.Violations, evidenceItem(v, v.controls[i]))
	}
	slices.Sort(ev.Matched)
	slices.SortStableFunc(ev.Violations, func(a, b EvidenceItem) int { return a.DetectedAt.Compare(b.DetectedAt) })
	return ev
}

func evidenceItem(v *violation, control string) EvidenceItem {
	last := v.records[len(v.records)-1]
	it := EvidenceItem{
		Control: control, ViolationID: v.id, WorkflowID: v.workflowID, Policy: v.policy, Account: v.account, Region: v.region,
		Resource: v.resource.ARN, DetectedAt: v.detectedAt.UTC(),
		EventSource: v.change.Source, EventName: v.change.EventName, EventID: v.change.EventID, EventActor: v.change.Actor,
		FinalState: v.state, FinalStateAt: last.Time.UTC(), FindingID: v.findingID,
	}
	if !v.change.EventTime.IsZero() {
		it.EventTime = ptr(v.change.EventTime.UTC())
	}
	decide := func(kind string, r *audit.Record) {
		it.Decision = kind
		if r != nil {
			it.DecidedBy, it.DecisionReason, it.DecidedAt = r.Actor, r.Reason, ptr(r.Time.UTC())
		}
	}
	onTimeout := v.remediating != nil && v.humanApproved == nil && slices.ContainsFunc(v.records, func(r audit.Record) bool {
		return r.State == contract.StateApproved && r.Actor == audit.ActorTimeout
	})
	switch {
	case v.suppressed != nil:
		decide(DecisionExempt, v.suppressed)
		if e := v.suppressed.Exemption; e != nil {
			it.DecidedBy, it.DecisionReason = e.Owner, e.Reason
		}
	case v.humanApproved != nil:
		decide(DecisionApproved, v.humanApproved)
	case v.rejected != nil:
		decide(DecisionRejected, v.rejected)
	case onTimeout:
		decide(DecisionOnTimeout, v.remediating)
		it.DecidedBy = audit.ActorTimeout
	case v.remediating != nil:
		decide(DecisionAutomatic, v.remediating)
	case v.expired != nil:
		decide(DecisionExpired, v.expired)
	case v.escalated != nil:
		decide(DecisionEscalated, v.escalated)
	case v.notified != nil:
		decide(DecisionNotify, v.notified)
	case v.closed != nil:
		decide(DecisionClosed, v.closed)
	default:
		it.Decision = DecisionPending
	}
	if v.remediating != nil {
		it.FixAction, it.FixStartedAt = v.remediating.Action, ptr(v.remediating.Time.UTC())
	}
	it.Verification = VerifyNotNeeded
	switch {
	case v.resolved != nil:
		it.Verification, it.VerifiedAt, it.FixDetail = Verified, ptr(v.resolved.Time.UTC()), v.resolved.Detail
		snapshotOf(&it, v.resolved)
	case v.failed != nil && v.remediating != nil:
		it.Verification, it.FixDetail = VerifyFailed, v.failed.Detail
		snapshotOf(&it, v.failed)
	case v.remediating != nil:
		it.Verification = VerifyPending
	}
	if v.undone != nil {
		it.FixDetail = strings.TrimSpace(it.FixDetail + "; " + v.undone.Detail)
	}
	return it
}

func snapshotOf(it *EvidenceItem, r *audit.Record) {
	if r.Snapshot != nil {
		it.SnapshotRef, it.SnapshotSHA256 = r.Snapshot.Ref, r.Snapshot.SHA256
	}
}

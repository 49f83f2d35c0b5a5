// Package audit is rectify's audit trail: every state change of a
// violation is one JSON record, stored once in S3 under a key that no other
// state change shares and that a retry of the same write computes again.
// Nothing overwrites a record, so a bucket with S3 Object Lock in
// compliance mode keeps the trail immutable, and it outlives Temporal's
// retention. The worker's activities write it (activities.S3Audit);
// `rectify report` reads it back (Read).
//
// It imports neither workflows nor activities, so the CLI can read it.
package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/contract"
)

// Schema names the record format. A change that a reader of older records
// must know about gets a new name.
const Schema = "rectify.audit/v1"

// ActorRectify is the actor of the state changes rectify makes itself
// (remediating, resolved, failed, escalated...). Humans' changes name the
// human; a timeout's names TimeoutActor.
const (
	ActorRectify = "rectify"
	ActorTimeout = "timeout"
)

// Record is one state change of one violation.
type Record struct {
	Schema string `json:"schema"`
	// ViolationID identifies the violation across the runs of its workflow
	// (the first run's id): the workflow ID is reused by a later violation
	// of the same policy on the same resource.
	ViolationID string `json:"violation_id"`
	// Seq is the change's index in the violation's story: 0 is the
	// detection (New), each later state change adds one.
	Seq   int       `json:"seq"`
	State string    `json:"state"`
	Time  time.Time `json:"time"`

	PolicyID string `json:"policy_id"`
	Title    string `json:"title,omitempty"`
	Severity string `json:"severity,omitempty"`
	// Mode is the mode the violation was handled in (enforce, approve,
	// notify), after dry_run and first-contact rules.
	Mode string `json:"mode,omitempty"`
	// Controls are the policy's METADATA controls as written ("AWS FSBP
	// EC2.13", "CIS AWS 5.2"); FSBP and CIS are the ids of each framework.
	Controls []string `json:"controls"`
	FSBP     []string `json:"fsbp"`
	CIS      []string `json:"cis"`

	Resource Resource `json:"resource"`
	Account  string   `json:"account"`
	Region   string   `json:"region"`

	// Actor is who made this state change: the AWS principal of the change
	// that showed the violation (New, and Closed by someone else), the
	// human who approved, rejected or undid, ActorTimeout, or ActorRectify.
	Actor string `json:"actor"`
	// Change is the event that showed the violation, with its own actor.
	Change contract.Change `json:"change"`
	// DecidedBy and Reason are the violation's decider and reason so far.
	DecidedBy string `json:"decided_by,omitempty"`
	Reason    string `json:"reason,omitempty"`
	// Detail says what happened, in the words the Slack message uses.
	Detail string `json:"detail,omitempty"`
	// Action is the remediation action of the policy ("" or none: no
	// automatic fix).
	Action       string     `json:"action,omitempty"`
	Snapshot     *Snapshot  `json:"snapshot,omitempty"`
	Remediations int        `json:"remediations"`
	Exemption    *Exemption `json:"exemption,omitempty"`

	FindingID  string    `json:"finding_id"`
	WorkflowID string    `json:"workflow_id"`
	RunID      string    `json:"run_id"`
	DetectedAt time.Time `json:"detected_at"`
}

// Resource is the violating resource.
type Resource struct {
	ARN  string `json:"arn"`
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Snapshot refers to the prior state a fix saved (kept in the workflow for
// undo): where it is, and the SHA-256 of its bytes, so the snapshot an
// auditor is shown can be checked against the record.
type Snapshot struct {
	Ref    string `json:"ref"`
	Action string `json:"action"`
	SHA256 string `json:"sha256"`
}

// Exemption is why a violation was left alone: an exemption tag, a config
// rule, or an undo (which exempts the resource for a while).
type Exemption struct {
	Source string `json:"source"` // tag, config or undo
	Reason string `json:"reason"`
	Owner  string `json:"owner,omitempty"`
	Until  string `json:"until,omitempty"` // as written: an RFC 3339 date or date-time
}

// Exemption sources.
const (
	ExemptByTag    = "tag"
	ExemptByConfig = "config"
	ExemptByUndo   = "undo"
)

// SplitControls reads the framework ids out of METADATA controls: "AWS
// FSBP EC2.13" is FSBP EC2.13, "CIS AWS 5.2" is CIS 5.2. Other forms are
// kept in Controls only.
func SplitControls(controls []string) (fsbp, cis []string) {
	fsbp, cis = []string{}, []string{}
	for _, c := range controls {
		switch {
		case strings.HasPrefix(c, "AWS FSBP "):
			fsbp = append(fsbp, strings.TrimPrefix(c, "AWS FSBP "))
		case strings.HasPrefix(c, "CIS AWS "):
			cis = append(cis, strings.TrimPrefix(c, "CIS AWS "))
		}
	}
	return fsbp, cis
}

// ControlID is the short id a control is asked for by: "EC2.13" for
// "AWS FSBP EC2.13", "CIS 5.2" for "CIS AWS 5.2"; other forms as written.
func ControlID(control string) string {
	switch {
	case strings.HasPrefix(control, "AWS FSBP "):
		return strings.TrimPrefix(control, "AWS FSBP ")
	case strings.HasPrefix(control, "CIS AWS "):
		return "CIS " + strings.TrimPrefix(control, "CIS AWS ")
	}
	return control
}

// MatchControl says whether control (as METADATA writes it) is the one an
// auditor asked for: its short id ("EC2.13", "CIS 5.2"), the bare CIS
// number ("5.2"), or the whole string, in any case.
func MatchControl(control, asked string) bool {
	asked = strings.TrimSpace(asked)
	return strings.EqualFold(control, asked) || strings.EqualFold(ControlID(control), asked) ||
		(strings.HasPrefix(control, "CIS AWS ") && strings.EqualFold(strings.TrimPrefix(control, "CIS AWS "), asked))
}

// Key is where the record is stored: under prefix, by the day of the
// change (so a report lists only the days it covers), the account, the
// violation and the change's index:
//
//	PREFIX/2026/03/01/123456789012/VIOLATION-ID/0003-Resolved.json
//
// Every part comes from the record, so a retried write computes the same
// key, and no two state changes share one.
func (r Record) Key(prefix string) string {
	return JoinPrefix(prefix, fmt.Sprintf("%s/%s/%s/%04d-%s.json", r.Time.UTC().Format("2006/01/02"), r.Account, r.ViolationID, r.Seq, r.State))
}

// JoinPrefix puts name under prefix, adding the "/" between them when the
// prefix does not end with one.
func JoinPrefix(prefix, name string) string {
	if prefix == "" || strings.HasSuffix(prefix, "/") {
		return prefix + name
	}
	return prefix + "/" + name
}

// Marshal is the stored form: JSON with every time in UTC and a final
// newline. The same record always gives the same bytes, so a retried write
// can tell its own earlier write from another one.
func (r Record) Marshal() ([]byte, error) {
	r.Time, r.DetectedAt = r.Time.UTC(), r.DetectedAt.UTC()
	r.Change.EventTime = r.Change.EventTime.UTC()
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode audit record %s: %w", r.Key(""), err)
	}
	return append(b, '\n'), nil
}

// Validate names the first field a record must have and lacks.
func (r Record) Validate() error {
	switch {
	case r.Schema != Schema:
		return fmt.Errorf("schema %q: want %s", r.Schema, Schema)
	case r.ViolationID == "":
		return errors.New("violation_id: missing")
	case r.State == "":
		return errors.New("state: missing")
	case !slices.Contains(contract.States, r.State):
		return fmt.Errorf("state %q: not a violation state", r.State)
	case r.Time.IsZero():
		return errors.New("time: missing")
	case r.PolicyID == "":
		return errors.New("policy_id: missing")
	case r.Account == "":
		return errors.New("account: missing")
	case r.Seq < 0:
		return fmt.Errorf("seq %d: negative", r.Seq)
	}
	return nil
}

// Parse reads a stored record and checks it; the error names the key.
func Parse(key string, b []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("audit record %s: %w", key, err)
	}
	if err := r.Validate(); err != nil {
		return Record{}, fmt.Errorf("audit record %s: %w", key, err)
	}
	if want := path.Base(r.Key("")); path.Base(key) != want {
		return Record{}, fmt.Errorf("audit record %s: holds %s, which belongs under %s", key, r.State, want)
	}
	return r, nil
}

// Sort orders records by violation, then by their index in its story.
func Sort(records []Record) {
	slices.SortFunc(records, func(a, b Record) int {
		if c := strings.Compare(a.ViolationID, b.ViolationID); c != 0 {
			return c
		}
		return a.Seq - b.Seq
	})
}

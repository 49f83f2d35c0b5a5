package events

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// RequeuedKind marks a message rectify wrote itself: the trigger of an
// evaluation that gave up. Its value versions the format.
const RequeuedKind = "evaluation-failed/v1"

// Requeued is the message an Evaluate workflow that gave up (AWS kept
// refusing its credentials, a permission is missing, its retries ran out)
// puts on the dead-letter queue. The event that started the evaluation was
// deleted from the event queue once it reached Temporal, so this is how it
// is kept: `rectify dlq inspect` shows it, and `rectify dlq redrive` sends
// it back to the event queue, where the starter parses it like any event
// and evaluates the resource again. The format:
//
//	{
//	  "rectify": "evaluation-failed/v1",
//	  "resource": {"type": "aws_security_group", "id": "sg-0abc",
//	               "arn": "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc",
//	               "account": "123456789012", "region": "us-east-1"},
//	  "change": {"source": "cloudtrail", "event_name": "AuthorizeSecurityGroupIngress",
//	             "event_id": "...", "actor": "arn:aws:iam::123456789012:user/dev",
//	             "event_time": "2026-01-02T03:04:05Z"},
//	  "reason": "evaluate ...: AuthFailure: ...",
//	  "error_type": "AuthFailure",
//	  "workflow_id": "evaluate/arn:aws:ec2:...",
//	  "failed_at": "2026-01-02T03:09:05Z"
//	}
//
// resource is the evaluated resource (all five fields required), change
// the last change the evaluation was for (source required). The parser
// applies the same loop prevention as to the original event: the actor
// goes through the starter's remediation-role filter, and a read-only call
// or one of rectify's own findings is ignored.
type Requeued struct {
	Kind       string         `json:"rectify"`
	Resource   resource.Ref   `json:"resource"`
	Change     RequeuedChange `json:"change"`
	Reason     string         `json:"reason"`
	ErrorType  string         `json:"error_type,omitempty"`
	WorkflowID string         `json:"workflow_id,omitempty"`
	FailedAt   time.Time      `json:"failed_at"`
}

// RequeuedChange is the change the evaluation was for, as Evaluate knows it.
type RequeuedChange struct {
	Source    string    `json:"source"`
	EventName string    `json:"event_name,omitempty"`
	EventID   string    `json:"event_id,omitempty"`
	Actor     string    `json:"actor,omitempty"`
	EventTime time.Time `json:"event_time,omitzero"`
}

// requeuedKey is the top-level key that marks the format.
const requeuedKey = "rectify"

// requeuedSources are the sources a change reaching Evaluate can have: the
// event sources, and the Sweep workflow's and Evaluate's own ("direct",
// a run started without a change) from package workflows.
var requeuedSources = []string{SourceCloudTrail, SourceConfig, SourceSecurityHub, "sweep", "direct"}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// parseRequeued reads a Requeued message back into its Trigger.
func parseRequeued(msg fields) ([]Trigger, error) {
	kind, err := msg.str(requeuedKey)
	if err != nil {
		return nil, err
	}
	if kind != RequeuedKind {
		return nil, malformed("rectify message of kind %q is not supported; this version reads %q", kind, RequeuedKind)
	}
	res, err := msg.obj("resource")
	if err != nil {
		return nil, err
	}
	var ref resource.Ref
	for _, f := range []struct {
		key string
		to  *string
	}{{"type", &ref.Type}, {"id", &ref.ID}, {"arn", &ref.ARN}, {"account", &ref.Account}, {"region", &ref.Region}} {
		if *f.to, err = res.str(f.key); err != nil {
			return nil, err
		}
		if *f.to == "" {
			return nil, malformed("%s is missing", res.child(f.key))
		}
	}
	if err := checkRef(res, ref); err != nil {
		return nil, err
	}
	change, err := msg.obj("change")
	if err != nil {
		return nil, err
	}
	t := Trigger{
		Account: ref.Account, Region: ref.Region, ResourceType: ref.Type, ResourceID: ref.ID, ARN: ref.ARN,
	}
	if t.Source, err = change.str("source"); err != nil {
		return nil, err
	}
	if !slices.Contains(requeuedSources, t.Source) {
		return nil, malformed("%s is %q, expected one of %s", change.child("source"), t.Source, strings.Join(requeuedSources, ", "))
	}
	if t.EventName, err = change.str("event_name"); err != nil {
		return nil, err
	}
	if t.EventName == "" {
		// A sweep or a direct start names no event: say where it came from.
		t.EventName = RequeuedKind
	}
	if t.EventID, err = change.str("event_id"); err != nil {
		return nil, err
	}
	if t.ActorARN, err = change.str("actor"); err != nil {
		return nil, err
	}
	if t.EventTime, err = change.timestamp("event_time"); err != nil {
		return nil, err
	}
	// The event behind it passed these filters once; a message anyone
	// could have written to the queue must pass them again.
	switch {
	case t.Source == SourceCloudTrail && isReadOnlyName(t.EventName):
		t.Ignored, t.Reason = true, reasonReadOnly
	case t.Source == SourceSecurityHub && strings.HasPrefix(t.EventName, ownGeneratorPrefix):
		t.Ignored, t.Reason = true, reasonOwnFinding+t.EventName
	}
	return []Trigger{t}, nil
}

// checkRef refuses a resource whose ARN does not parse or names another
// account or region than the message says: the account allow-list and the
// clients are chosen by those fields, the workflow by the ARN.
func checkRef(res fields, ref resource.Ref) error {
	if !accountID.MatchString(ref.Account) {
		return malformed("%s is %q, expected a 12-digit account id", res.child("account"), ref.Account)
	}
	a, ok := kind.ParseARN(ref.ARN)
	switch {
	case !ok:
		return malformed("%s is %q, expected an ARN", res.child("arn"), ref.ARN)
	case a.Account != "" && a.Account != ref.Account:
		return malformed("%s names account %s, but %s is %s", res.child("arn"), a.Account, res.child("account"), ref.Account)
	case a.Region != "" && a.Region != ref.Region:
		return malformed("%s names region %s, but %s is %s", res.child("arn"), a.Region, res.child("region"), ref.Region)
	}
	return nil
}

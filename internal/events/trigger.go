// Package events turns the messages that announce a change in a cloud account
// into Triggers: one per resource that must be evaluated again. Policies never
// see these messages; the Evaluate workflow re-reads live state for the
// resource a Trigger names. So a Trigger carries identity and provenance, not
// the change itself.
package events

import (
	"strings"
	"time"
)

// SourceCloudTrail marks Triggers parsed from CloudTrail records, whether they
// came through EventBridge or from a log file.
const SourceCloudTrail = "cloudtrail"

// Trigger is one resource to (re)evaluate, normalized from any event source.
type Trigger struct {
	Source       string    `json:"source"`        // "cloudtrail" for now (later: "config", "securityhub", "sweep")
	Account      string    `json:"account"`       // the account that owns the resource
	Region       string    `json:"region"`        // awsRegion; IAM is global, so it says where the call landed (usually us-east-1)
	ResourceType string    `json:"resource_type"` // Terraform type name (resource.Type*); empty when ignored as unsupported
	ResourceID   string    `json:"resource_id"`   // sg-..., bucket name, IAM user/role/group name
	ARN          string    `json:"arn"`           // built with internal/resource so both planes agree on identity
	EventName    string    `json:"event_name"`
	EventID      string    `json:"event_id,omitempty"`
	ActorARN     string    `json:"actor_arn"`            // userIdentity.arn
	IssuerARN    string    `json:"issuer_arn,omitempty"` // sessionContext.sessionIssuer.arn: the role behind an assumed-role session
	EventTime    time.Time `json:"event_time"`
	Deleted      bool      `json:"deleted,omitempty"` // the call removed the resource, so a live read will find nothing
	Ignored      bool      `json:"ignored"`
	Reason       string    `json:"reason,omitempty"` // why ignored
}

// Reasons for ignoring a Trigger. They are prefixes: the variable part follows.
const (
	reasonFailed      = "failed call: "                // + errorCode
	reasonReadOnly    = "read-only call"               // whole reason
	reasonUnsupported = "unsupported event "           // + eventSource/eventName
	reasonRemediation = "actor is a remediation role " // + the ARN that matched
)

// Reason categories: the stable part of Reason, for counters and metric
// labels (the full reason carries ARNs and codes, unbounded in number).
const (
	CategoryFailed      = "failed call"
	CategoryReadOnly    = "read-only call"
	CategoryUnsupported = "unsupported event"
	CategoryRemediation = "actor is a remediation role"
)

// ReasonCategory returns the stable category of an ignore reason.
func ReasonCategory(reason string) string {
	for _, c := range []string{CategoryFailed, CategoryReadOnly, CategoryUnsupported, CategoryRemediation} {
		if strings.HasPrefix(reason, c) {
			return c
		}
	}
	return "other"
}

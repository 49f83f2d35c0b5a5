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

// Sources say which service reported the change. A Trigger keeps its source
// however it travelled (EventBridge, SNS, raw delivery, a log file).
const (
	SourceCloudTrail  = "cloudtrail"  // CloudTrail records of API calls
	SourceConfig      = "config"      // AWS Config configuration item notifications
	SourceSecurityHub = "securityhub" // Security Hub findings, one Trigger per resource
)

// Trigger is one resource to (re)evaluate, normalized from any event source.
type Trigger struct {
	Source       string    `json:"source"`               // Source*: "cloudtrail", "config", "securityhub"; a Requeued message keeps its change's, which may also be "sweep" or "direct"
	Account      string    `json:"account"`              // the account that owns the resource
	Region       string    `json:"region"`               // awsRegion; IAM is global, so it says where the call landed (usually us-east-1)
	ResourceType string    `json:"resource_type"`        // Terraform type name (resource.Type*); empty when ignored as unsupported
	ResourceID   string    `json:"resource_id"`          // sg-..., bucket name, IAM user/role/group name
	ARN          string    `json:"arn"`                  // built with internal/resource so both planes agree on identity
	EventName    string    `json:"event_name"`           // CloudTrail eventName; Config messageType; Security Hub GeneratorId (or Title)
	EventID      string    `json:"event_id,omitempty"`   // CloudTrail eventID; Config configurationStateId; Security Hub finding Id
	ActorARN     string    `json:"actor_arn"`            // userIdentity.arn; empty for Config and Security Hub, which name no actor
	IssuerARN    string    `json:"issuer_arn,omitempty"` // sessionContext.sessionIssuer.arn: the role behind an assumed-role session
	EventTime    time.Time `json:"event_time"`
	Deleted      bool      `json:"deleted,omitempty"` // the change removed the resource, so a live read will find nothing
	Ignored      bool      `json:"ignored"`
	Reason       string    `json:"reason,omitempty"` // why ignored

	// Oversized is set when AWS Config announced the change with an
	// OversizedConfigurationItemChangeNotification: the item itself was too
	// large for SNS and sits in S3. The Trigger is complete without it,
	// because Evaluate re-reads live state; it is for whoever wants the
	// recorded item (S3 GetObject, or GetResourceConfigHistory).
	Oversized *OversizedRef `json:"oversized,omitempty"`
}

// OversizedRef says where the full configuration item of an oversized Config
// notification can be fetched.
type OversizedRef struct {
	ConfigType  string    `json:"config_type"`           // resourceType, e.g. AWS::EC2::SecurityGroup
	ConfigID    string    `json:"config_id"`             // Config's resourceId; for IAM the unique id (AIDA...), not the name
	CaptureTime time.Time `json:"capture_time,omitzero"` // configurationItemCaptureTime: laterTime for GetResourceConfigHistory
	S3Bucket    string    `json:"s3_bucket,omitempty"`   // s3DeliverySummary.s3BucketLocation, split at the first '/'
	S3Key       string    `json:"s3_key,omitempty"`      // (a gzipped JSON notification)
	// DeliveryError is set when Config could not write the item to S3
	// (OversizedConfigurationItemChangeDeliveryFailed): only the Config
	// history API has it then.
	DeliveryError string `json:"delivery_error,omitempty"`
}

// Reasons for ignoring a Trigger. They are prefixes: the variable part follows.
const (
	reasonFailed      = "failed call: "                // + errorCode
	reasonReadOnly    = "read-only call"               // whole reason
	reasonUnsupported = "unsupported event "           // + eventSource/eventName, config/<type>, securityhub/<type>
	reasonRemediation = "actor is a remediation role " // + the ARN that matched
	reasonOwnFinding  = "own finding "                 // + GeneratorId: rectify wrote it, reacting would loop
	reasonNotFailed   = "finding not failed: "         // + compliance PASSED, record ARCHIVED, workflow RESOLVED/SUPPRESSED
)

// Reason categories: the stable part of Reason, for counters and metric
// labels (the full reason carries ARNs and codes, unbounded in number).
const (
	CategoryFailed      = "failed call"
	CategoryReadOnly    = "read-only call"
	CategoryUnsupported = "unsupported event"
	CategoryRemediation = "actor is a remediation role"
	CategoryOwnFinding  = "own finding"
	CategoryNotFailed   = "finding not failed"
)

// ReasonCategory returns the stable category of an ignore reason.
func ReasonCategory(reason string) string {
	for _, c := range []string{CategoryFailed, CategoryReadOnly, CategoryUnsupported, CategoryRemediation, CategoryOwnFinding, CategoryNotFailed} {
		if strings.HasPrefix(reason, c) {
			return c
		}
	}
	return "other"
}

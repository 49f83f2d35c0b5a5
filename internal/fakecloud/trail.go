package fakecloud

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// trailRecord is what a handler contributes to a CloudTrail record.
type trailRecord struct {
	RequestParameters any
	ResponseElements  any
	Resources         []string
	// EventName, when set, is the eventName CloudTrail writes instead of
	// the operation: Lambda's are versioned (AddPermission20150331v2).
	EventName string
}

// DefaultTrailSources are the event sources whose calls reach the event
// queue: like a real EventBridge rule, it forwards what rectify reacts to
// and not the queue traffic rectify itself makes (which would loop).
var DefaultTrailSources = []string{"ec2.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com", "kms.amazonaws.com", "cloudtrail.amazonaws.com", "rds.amazonaws.com",
	"sqs.amazonaws.com", "sns.amazonaws.com", "ecr.amazonaws.com", "lambda.amazonaws.com", "guardduty.amazonaws.com",
	"config.amazonaws.com", "logs.amazonaws.com", "monitoring.amazonaws.com"}

// trail turns mutating calls into EventBridge events on an SQS queue.
type trail struct {
	cloud *Cloud

	mu       sync.Mutex
	queueURL string
	sources  []string
	emitted  int
	taps     []func(event []byte)
}

// OnEvent registers fn to receive every CloudTrail event the cloud writes
// (of every event source, whether or not a queue is set). Tests use it to
// read the exact records; fn must not block.
func (c *Cloud) OnEvent(fn func(event []byte)) {
	c.trail.mu.Lock()
	defer c.trail.mu.Unlock()
	c.trail.taps = append(c.trail.taps, fn)
}

// SetEventQueue makes CloudTrail deliver to the SQS queue at queueURL (a
// queue of this fake cloud), as an EventBridge rule with an SQS target
// does. sources limits the eventSources delivered; nil means
// DefaultTrailSources. An empty queueURL turns delivery off.
func (c *Cloud) SetEventQueue(queueURL string, sources []string) {
	if sources == nil {
		sources = DefaultTrailSources
	}
	c.trail.mu.Lock()
	defer c.trail.mu.Unlock()
	c.trail.queueURL = queueURL
	c.trail.sources = sources
}

// EventsEmitted counts the CloudTrail events delivered so far.
func (c *Cloud) EventsEmitted() int {
	c.trail.mu.Lock()
	defer c.trail.mu.Unlock()
	return c.trail.emitted
}

// emit delivers the CloudTrail record of c, if the handler made one.
func (t *trail) emit(c *call, svc service, failure *APIError) {
	if c.record == nil || c.principal == nil {
		return
	}
	body, err := json.Marshal(t.event(c, svc, failure))
	if err != nil {
		t.cloud.log.Error("encode cloudtrail event", "action", c.action, "err", err)
		return
	}
	t.mu.Lock()
	queueURL, ok := t.queueURL, slices.Contains(t.sources, svc.eventSource())
	taps := t.taps
	t.mu.Unlock()
	for _, tap := range taps {
		tap(body)
	}
	if queueURL == "" || !ok {
		return
	}
	// A stopped trail blinds EventBridge, except to the StopLogging that stopped it.
	if c.action != "StopLogging" && t.cloud.cloudtrail.blind(c.account(), c.region) {
		return
	}
	if err := t.cloud.sqs.deliver(queueURL, string(body)); err != nil {
		t.cloud.log.Error("deliver cloudtrail event", "queue", queueURL, "action", c.action, "err", err)
		return
	}
	t.mu.Lock()
	t.emitted++
	t.mu.Unlock()
}

// event builds the EventBridge envelope around the CloudTrail record,
// with the field names and serialization AWS uses.
func (t *trail) event(c *call, svc service, failure *APIError) map[string]any {
	source := svc.eventSource()
	ts := c.time.Format(time.RFC3339)
	eventName := c.action
	if c.record.EventName != "" {
		eventName = c.record.EventName
	}
	detail := map[string]any{
		"eventVersion":       "1.08",
		"userIdentity":       userIdentity(c.principal),
		"eventTime":          ts,
		"eventSource":        source,
		"eventName":          eventName,
		"awsRegion":          c.region,
		"sourceIPAddress":    sourceIP(c.r),
		"userAgent":          c.r.UserAgent(),
		"requestParameters":  c.record.RequestParameters,
		"responseElements":   c.record.ResponseElements,
		"requestID":          c.requestID,
		"eventID":            newUUID(),
		"readOnly":           false,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": c.account(),
		"eventCategory":      "Management",
	}
	if failure != nil {
		detail["errorCode"] = trailErrorCode(c.service, failure)
		detail["errorMessage"] = failure.Message
		detail["responseElements"] = nil
	}
	resources := c.record.Resources
	if resources == nil {
		resources = []string{}
	}
	return map[string]any{
		"version":     "0",
		"id":          newUUID(),
		"detail-type": "AWS API Call via CloudTrail",
		"source":      "aws." + strings.TrimSuffix(source, ".amazonaws.com"),
		"account":     c.account(),
		"time":        ts,
		"region":      c.region,
		"resources":   resources,
		"detail":      detail,
	}
}

// trailErrorCode is the errorCode CloudTrail writes: EC2 prefixes the
// code with who was at fault ("Client.InvalidPermission.Duplicate").
func trailErrorCode(service string, err *APIError) string {
	if service != "ec2" {
		return err.Code
	}
	// Throttling is the caller's fault in CloudTrail's eyes, 503 or not.
	if err.Status >= 500 && err.Code != "RequestLimitExceeded" {
		return "Server." + err.Code
	}
	return "Client." + err.Code
}

func userIdentity(p *Principal) map[string]any {
	id := map[string]any{
		"type":        p.Type,
		"principalId": p.PrincipalID,
		"arn":         p.ARN,
		"accountId":   p.Account,
		"accessKeyId": p.AccessKeyID,
	}
	switch p.Type {
	case PrincipalUser:
		id["userName"] = p.UserName
	case PrincipalAssumedRole:
		r := p.Role
		id["sessionContext"] = map[string]any{
			"sessionIssuer": map[string]any{
				"type":        "Role",
				"principalId": r.RoleID,
				"arn":         r.ARN,
				"accountId":   r.Account,
				"userName":    r.Name,
			},
			"webIdFederationData": map[string]any{},
			"attributes": map[string]any{
				"creationDate":     p.Created.UTC().Format(time.RFC3339),
				"mfaAuthenticated": "false",
			},
		}
	}
	return id
}

func sourceIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// String is for debugging a record in test failures.
func (r *trailRecord) String() string { return fmt.Sprintf("%+v", *r) }

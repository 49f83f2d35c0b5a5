package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// EventBridge detail-types rectify reads. Console sign-ins and service
// events have other types and change no resource we watch.
const (
	detailTypeAPICall          = "AWS API Call via CloudTrail"
	detailTypeConfigChange     = "Config Configuration Item Change"
	detailTypeFindingsImported = "Security Hub Findings - Imported"
	// detailTypeConfigPrefix starts every detail-type AWS Config sends
	// (compliance changes, snapshot and history deliveries, ...). A queue fed
	// by a rule on source aws.config gets all of them; the ones that change
	// nothing are ignored, not errors.
	detailTypeConfigPrefix = "Config "
)

// envelope holds what an enclosing message (an EventBridge envelope) knows
// about the event inside, used where the event itself is silent.
type envelope struct {
	account string
	region  string
	time    time.Time
}

// Parse reads one message body, as an SQS queue fed by EventBridge or SNS
// carries it, and returns one Trigger per affected resource. The body is one
// of:
//   - an EventBridge event with detail-type "AWS API Call via CloudTrail",
//     "Config Configuration Item Change" (or another "Config ..." type) or
//     "Security Hub Findings - Imported";
//   - an SNS notification {"Type":"Notification","Message":...} around any
//     of these or of the shapes below (SNS to SQS without raw delivery);
//     Message may be a JSON string, as SNS sends it, or an object;
//   - an AWS Config notification, as SNS raw delivery leaves it:
//     ConfigurationItemChangeNotification,
//     OversizedConfigurationItemChangeNotification, or any other messageType;
//   - an SNS event as Lambda receives it, {"Records":[{"EventSource":
//     "aws:sns","Sns":{...}}]}, each Sns being a notification as above (an
//     SQS queue never carries this form, but a Lambda function subscribed
//     to the topic, or a test event saved from one, does);
//   - a raw CloudTrail record, or a CloudTrail log file {"Records":[...]};
//   - rectify's own Requeued message {"rectify":"evaluation-failed/v1",...}:
//     the trigger of an evaluation that gave up, redriven from the
//     dead-letter queue.
//
// Something rectify does not act on is not an error: it comes back as an
// ignored Trigger whose Reason says why (failed call, read-only call,
// unsupported event, own finding, finding not failed), so the starter can
// count it and delete the message. An error, always a *ParseError, means the
// body is none of these shapes or is broken inside; no Triggers come with it,
// even when other parts were fine, because AWS never writes such a message
// and a partial answer would hide the damage.
func Parse(body []byte) ([]Trigger, error) {
	return parseBody(body, 0)
}

// parseBody reads a message body; depth counts the SNS envelopes around it.
func parseBody(body []byte, depth int) ([]Trigger, error) {
	body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(body) == 0 {
		return nil, malformed("empty message")
	}
	var top json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, notJSON(err)
	}
	if k := jsonKind(top); k != "an object" {
		return nil, malformed("message is %s, expected an object: an EventBridge event, an SNS notification, a Config notification, a CloudTrail record or a CloudTrail log file", k)
	}
	msg, err := asObject(top, "")
	if err != nil {
		return nil, err
	}
	switch {
	case msg.has(requeuedKey):
		return parseRequeued(msg)
	case msg.has("Type") && msg.has("Message"):
		return parseSNS(msg, depth)
	case msg.has("detail-type") || msg.has("detail"):
		return parseEventBridge(msg)
	case msg.has("messageType") || msg.has("configurationItem") || msg.has("configurationItemSummary"):
		return parseConfig(msg, envelope{})
	case msg.has("Records"):
		return parseRecords(msg, depth)
	case msg.has("eventName") || msg.has("eventSource"):
		return parseRecord(msg, envelope{})
	}
	return nil, malformed("not an event rectify reads: found none of detail-type (EventBridge), Type and Message (SNS), messageType (Config), Records (a CloudTrail log file or a Lambda SNS event), eventName (CloudTrail) or rectify (a requeued evaluation)")
}

func notJSON(err error) *ParseError {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		err = fmt.Errorf("%w (at byte %d)", err, syntax.Offset)
	}
	return &ParseError{Reason: "not JSON", Err: err}
}

func parseEventBridge(msg fields) ([]Trigger, error) {
	detailType, err := msg.str("detail-type")
	if err != nil {
		return nil, err
	}
	switch {
	case detailType == "":
		return nil, malformed("EventBridge event has no detail-type")
	case detailType != detailTypeAPICall && detailType != detailTypeFindingsImported && !strings.HasPrefix(detailType, detailTypeConfigPrefix):
		return nil, malformed("EventBridge event with detail-type %q is not supported; rectify reads %q, %q and %q", detailType,
			detailTypeAPICall, detailTypeConfigChange, detailTypeFindingsImported)
	}
	raw := msg.lookup("detail")
	if k := jsonKind(raw); k != "an object" {
		return nil, malformed("EventBridge detail is %s, expected an object", k)
	}
	detail, err := asObject(raw, "detail")
	if err != nil {
		return nil, err
	}
	var env envelope
	if env.account, err = msg.str("account"); err != nil {
		return nil, err
	}
	if env.region, err = msg.str("region"); err != nil {
		return nil, err
	}
	if env.time, err = msg.timestamp("time"); err != nil {
		return nil, err
	}
	switch {
	case detailType == detailTypeAPICall:
		return parseRecord(detail, env)
	case detailType == detailTypeFindingsImported:
		return parseSecurityHub(detail, env)
	case detailType != detailTypeConfigChange && !detail.has("messageType"):
		// Compliance changes and delivery statuses name no changed resource.
		return []Trigger{ignoredConfig(detailType, env)}, nil
	}
	return parseConfig(detail, env)
}

// lambdaSNSSource is the EventSource of each record of an SNS event as
// Lambda receives it.
const lambdaSNSSource = "aws:sns"

// parseRecords reads a top-level Records array: a CloudTrail log file, or
// an SNS event as Lambda receives it. Both have only Records at the top, so
// the records tell them apart: Lambda's carry EventSource "aws:sns" and an
// Sns object, CloudTrail's an eventSource such as "s3.amazonaws.com" (the
// key differs only in case, and lookups ignore case). A mix is an error.
func parseRecords(msg fields, depth int) ([]Trigger, error) {
	raw := msg.lookup("Records")
	if k := jsonKind(raw); k != "an array" {
		return nil, malformed("Records is %s, expected an array", k)
	}
	records, err := msg.list("Records")
	if err != nil {
		return nil, err
	}
	var out []Trigger
	firstSNS := -1
	for i, r := range records {
		rec, err := asObject(r, fmt.Sprintf("Records[%d]", i))
		if err != nil {
			return nil, err
		}
		isSNS, err := isLambdaSNSRecord(rec)
		if err != nil {
			return nil, err
		}
		switch {
		case isSNS && i > 0 && firstSNS < 0, !isSNS && firstSNS >= 0:
			return nil, rec.errorf("Records mixes SNS records (a Lambda SNS event) with CloudTrail records; neither AWS service writes such a list")
		case isSNS && firstSNS < 0:
			firstSNS = i
		}
		var ts []Trigger
		if isSNS {
			ts, err = parseLambdaSNSRecord(rec, depth)
		} else {
			ts, err = parseRecord(rec, envelope{})
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// isLambdaSNSRecord reports whether a Records element is an SNS record of
// a Lambda event rather than a CloudTrail record.
func isLambdaSNSRecord(rec fields) (bool, error) {
	if rec.has("Sns") {
		return true, nil
	}
	source, err := rec.str("EventSource")
	if err != nil {
		return false, err
	}
	return source == lambdaSNSSource, nil
}

// parseLambdaSNSRecord reads the Sns object of one record of a Lambda SNS
// event: the same notification SNS delivers to SQS, with Lambda's spelling
// of a few envelope keys (SigningCertUrl, UnsubscribeUrl), which are not
// read.
func parseLambdaSNSRecord(rec fields, depth int) ([]Trigger, error) {
	raw := rec.lookup("Sns")
	if k := jsonKind(raw); k != "an object" {
		return nil, rec.errorf("record with EventSource %s has Sns %s, expected the SNS notification object", lambdaSNSSource, describe(raw))
	}
	sns, err := asObject(raw, rec.child("Sns"))
	if err != nil {
		return nil, err
	}
	ts, err := parseSNS(sns, depth)
	if pe, ok := errors.AsType[*ParseError](err); ok && !strings.HasPrefix(pe.Reason, sns.path) {
		pe.Reason = sns.path + ": " + pe.Reason
	}
	return ts, err
}

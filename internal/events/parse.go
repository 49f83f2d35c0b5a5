package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// detailTypeAPICall is the EventBridge detail-type of a CloudTrail record
// for an API call. Console sign-ins and service events have other types and
// change no resource we watch.
const detailTypeAPICall = "AWS API Call via CloudTrail"

// envelope holds what an EventBridge envelope knows about its record, used
// where the record itself is silent.
type envelope struct {
	account string
	region  string
	time    time.Time
}

// Parse reads one message body: an EventBridge envelope with detail-type
// "AWS API Call via CloudTrail", a raw CloudTrail record, or a CloudTrail log
// file {"Records":[...]}. It returns one Trigger per affected resource.
//
// A call rectify does not act on is not an error: it comes back as an ignored
// Trigger whose Reason says why (failed call, read-only call, unsupported
// event), so the starter can count it and delete the message. An error, always
// a *ParseError, means the body is not one of the three shapes or is broken
// inside; no Triggers come with it, even from a log file whose other records
// were fine, because CloudTrail never writes such a file and a partial answer
// would hide the damage.
func Parse(body []byte) ([]Trigger, error) {
	body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(body) == 0 {
		return nil, malformed("empty message")
	}
	var top json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, notJSON(err)
	}
	if k := kind(top); k != "an object" {
		return nil, malformed("message is %s, expected an object: an EventBridge event, a CloudTrail record or a CloudTrail log file", k)
	}
	msg, err := asObject(top, "")
	if err != nil {
		return nil, err
	}
	switch {
	case msg.has("detail-type") || msg.has("detail"):
		return parseEventBridge(msg)
	case msg.has("Records"):
		return parseLogFile(msg)
	case msg.has("eventName") || msg.has("eventSource"):
		return parseRecord(msg, envelope{})
	case msg.has("Type") && msg.has("Message") && msg.has("TopicArn"):
		return nil, malformed("SNS notification envelope is not supported; subscribe the queue to EventBridge or enable raw message delivery")
	}
	return nil, malformed("not a CloudTrail event: found none of detail-type, Records, eventName")
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
	switch detailType {
	case detailTypeAPICall:
	case "":
		return nil, malformed("EventBridge event has no detail-type")
	default:
		return nil, malformed("EventBridge event with detail-type %q is not supported", detailType)
	}
	raw := msg.lookup("detail")
	if k := kind(raw); k != "an object" {
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
	return parseRecord(detail, env)
}

func parseLogFile(msg fields) ([]Trigger, error) {
	raw := msg.lookup("Records")
	if k := kind(raw); k != "an array" {
		return nil, malformed("Records is %s, expected an array", k)
	}
	records, err := msg.list("Records")
	if err != nil {
		return nil, err
	}
	var out []Trigger
	for i, r := range records {
		rec, err := asObject(r, fmt.Sprintf("Records[%d]", i))
		if err != nil {
			return nil, err
		}
		ts, err := parseRecord(rec, envelope{})
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

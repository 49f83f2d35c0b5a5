package events

import (
	"encoding/json"
	"errors"
	"strings"
)

// snsNotification is the Type of an SNS message that carries a published
// message. SubscriptionConfirmation and UnsubscribeConfirmation reach a
// queue when a subscription is made or removed across accounts; they need a
// person, not an evaluation.
const snsNotification = "Notification"

// parseSNS unwraps an SNS notification, as SQS receives it from a topic
// without raw message delivery: a Config topic, or an EventBridge rule whose
// target is a topic. Message is a JSON string as SNS sends it; an object is
// taken too, as tools that pretty-print notifications leave it.
func parseSNS(msg fields, depth int) ([]Trigger, error) {
	typ, err := msg.str("Type")
	if err != nil {
		return nil, err
	}
	topic, err := msg.str("TopicArn")
	if err != nil {
		return nil, err
	}
	switch {
	case strings.EqualFold(typ, snsNotification):
	case strings.EqualFold(typ, "SubscriptionConfirmation"), strings.EqualFold(typ, "UnsubscribeConfirmation"):
		return nil, malformed("SNS %s from topic %s announces no change: confirm the subscription by visiting its SubscribeURL (or remove it), then delete this message", typ, topic)
	default:
		return nil, malformed("SNS message of Type %q is not a notification", typ)
	}
	if depth > 0 {
		return nil, malformed("SNS notification inside an SNS notification; SNS does not deliver to SNS, so the message was built by something else")
	}
	raw := msg.lookup("Message")
	var body []byte
	switch jsonKind(raw) {
	case "a string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, &ParseError{Reason: "cannot decode SNS Message", Err: err}
		}
		body = []byte(s)
	case "an object":
		body = raw
	default:
		return nil, malformed("SNS Message is %s, expected a JSON string or an object", describe(raw))
	}
	ts, err := parseBody(body, depth+1)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.Reason = "SNS Message from " + nonEmpty(topic, "an unnamed topic") + ": " + pe.Reason
			return nil, pe
		}
		return nil, err
	}
	return ts, nil
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

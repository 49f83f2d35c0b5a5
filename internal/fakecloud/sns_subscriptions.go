package fakecloud

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// snsProtocols are the protocols Subscribe accepts.
var snsProtocols = []string{"http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"}

// snsConfirmedAtOnce are the protocols whose subscriptions need no
// confirmation: the endpoint is an AWS resource (or a phone) and SNS
// confirms it itself. The others (email, http) stay pending until the
// owner of the endpoint answers, which in the fake only a test can do
// (ConfirmSubscriptions).
var snsConfirmedAtOnce = []string{"sqs", "lambda", "firehose", "application", "sms"}

// snsPending is what ListSubscriptionsByTopic shows in place of the ARN of
// an unconfirmed subscription, and snsPendingReply what Subscribe answers.
const (
	snsPending      = "PendingConfirmation"
	snsPendingReply = "pending confirmation"
)

// snsSubscription is one subscription of a topic. SNS delivers nothing in
// the fake; a subscription only says that someone listens.
type snsSubscription struct {
	arn, protocol, endpoint string
	confirmed               bool
}

// validSNSEndpoint reports whether endpoint has the form protocol needs.
func validSNSEndpoint(protocol, endpoint string) bool {
	switch protocol {
	case "http":
		return strings.HasPrefix(endpoint, "http://")
	case "https":
		return strings.HasPrefix(endpoint, "https://")
	case "email", "email-json":
		at := strings.Index(endpoint, "@")
		return at > 0 && at < len(endpoint)-1
	case "sqs", "lambda", "firehose", "application":
		return strings.HasPrefix(endpoint, "arn:")
	}
	return endpoint != ""
}

// subscribe adds a subscription to t, or returns the one with the same
// protocol and endpoint, as SNS does. Callers hold s.mu.
func (t *snsTopic) subscribe(protocol, endpoint string, confirmed bool) *snsSubscription {
	for _, sub := range t.subs {
		if sub.protocol == protocol && sub.endpoint == endpoint {
			return sub
		}
	}
	sub := &snsSubscription{arn: t.arn() + ":" + newUUID(), protocol: protocol, endpoint: endpoint, confirmed: confirmed}
	t.subs = append(t.subs, sub)
	return sub
}

func (s *snsService) subscribe(c *call, p ec2Params) *APIError {
	arn, protocol, endpoint := p.get("TopicArn"), p.get("Protocol"), p.get("Endpoint")
	returnARN := p.get("ReturnSubscriptionArn") == "true"
	params := map[string]any{"topicArn": arn, "protocol": protocol, "endpoint": endpoint}
	if p.has("ReturnSubscriptionArn") {
		params["returnSubscriptionArn"] = returnARN
	}
	c.Record(params)
	switch {
	case !slices.Contains(snsProtocols, protocol):
		return errorf("InvalidParameter", "Invalid parameter: Protocol")
	case !validSNSEndpoint(protocol, endpoint):
		return errorf("InvalidParameter", "Invalid parameter: Endpoint")
	}
	s.mu.Lock()
	t, err := s.topic(c, arn)
	var sub *snsSubscription
	if err == nil {
		sub = t.subscribe(protocol, endpoint, slices.Contains(snsConfirmedAtOnce, protocol))
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	reply := sub.arn
	if !sub.confirmed && !returnARN {
		reply = snsPendingReply
	}
	c.RecordResponse(map[string]string{"subscriptionArn": reply})
	c.RecordResources(t.arn())
	snsRespond(c, struct {
		SubscriptionArn string `xml:"SubscriptionArn"`
	}{reply})
	return nil
}

// listSubscriptionsByTopic pages 100 subscriptions at a time in the order
// they were made; the token is the index of the next one.
func (s *snsService) listSubscriptionsByTopic(c *call, p ec2Params) *APIError {
	start := 0
	if tok := p.get("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return errorf("InvalidParameter", "Invalid parameter: NextToken")
		}
		start = n
	}
	type member struct {
		SubscriptionArn string `xml:"SubscriptionArn"`
		Owner           string `xml:"Owner"`
		Protocol        string `xml:"Protocol"`
		Endpoint        string `xml:"Endpoint"`
		TopicArn        string `xml:"TopicArn"`
	}
	var out struct {
		Subscriptions []member `xml:"Subscriptions>member"`
		NextToken     string   `xml:"NextToken,omitempty"`
	}
	s.mu.Lock()
	t, err := s.topic(c, p.get("TopicArn"))
	if err == nil {
		end := min(start+snsPageSize, len(t.subs))
		for _, sub := range t.subs[min(start, end):end] {
			arn := sub.arn
			if !sub.confirmed {
				arn = snsPending
			}
			out.Subscriptions = append(out.Subscriptions, member{arn, t.account, sub.protocol, sub.endpoint, t.arn()})
		}
		if end < len(t.subs) {
			out.NextToken = strconv.Itoa(end)
		}
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	snsRespond(c, out)
	return nil
}

// unsubscribe deletes a subscription; its ARN is its topic's and an id.
func (s *snsService) unsubscribe(c *call, p ec2Params) *APIError {
	arn := p.get("SubscriptionArn")
	c.Record(map[string]string{"subscriptionArn": arn})
	i := strings.LastIndex(arn, ":")
	if i < 0 {
		return errorf("InvalidParameter", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not %d", strings.Count(arn, ":")+1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topic(c, arn[:i])
	if err != nil {
		if err.Code == "NotFound" {
			return snsNotFound("Subscription")
		}
		return err
	}
	n := slices.IndexFunc(t.subs, func(sub *snsSubscription) bool { return sub.arn == arn })
	if n < 0 {
		return snsNotFound("Subscription")
	}
	t.subs = slices.Delete(t.subs, n, n+1)
	c.RecordResources(t.arn())
	snsRespond(c, nil)
	return nil
}

// SubscriptionSeed is a subscription to an SNS topic of the same account
// and region.
type SubscriptionSeed struct {
	Region   string `yaml:"region"`
	Topic    string `yaml:"topic"` // the topic's name
	Protocol string `yaml:"protocol"`
	Endpoint string `yaml:"endpoint"`
	// Pending leaves the subscription unconfirmed, as an email address
	// that never answered.
	Pending bool `yaml:"pending"`
}

// SeedSubscription subscribes to an existing topic without a CloudTrail
// event and returns the subscription's ARN.
func (c *Cloud) SeedSubscription(account string, seed SubscriptionSeed) (string, error) {
	if seed.Region == "" {
		seed.Region = DefaultRegion
	}
	if !slices.Contains(snsProtocols, seed.Protocol) || !validSNSEndpoint(seed.Protocol, seed.Endpoint) {
		return "", fmt.Errorf("subscription to %s: protocol %q or endpoint %q is invalid", seed.Topic, seed.Protocol, seed.Endpoint)
	}
	s := c.sns
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[ec2Key{account, seed.Region}][seed.Topic]
	if !ok {
		return "", fmt.Errorf("subscription to %s: %w", seed.Topic, snsNotFound("Topic"))
	}
	return t.subscribe(seed.Protocol, seed.Endpoint, !seed.Pending).arn, nil
}

// ConfirmSubscriptions confirms every pending subscription of a topic, as
// if each email owner had clicked the link, and reports how many it
// confirmed; it is an error when the topic does not exist.
func (c *Cloud) ConfirmSubscriptions(account, region, topic string) (int, error) {
	s := c.sns
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[ec2Key{account, region}][topic]
	if !ok {
		return 0, fmt.Errorf("confirm subscriptions of %s: %w", topic, snsNotFound("Topic"))
	}
	n := 0
	for _, sub := range t.subs {
		if !sub.confirmed {
			sub.confirmed = true
			n++
		}
	}
	return n, nil
}

// subscriptionCounts are a topic's confirmed and pending subscriptions.
// Callers hold s.mu.
func (t *snsTopic) subscriptionCounts() (confirmed, pending int) {
	for _, sub := range t.subs {
		if sub.confirmed {
			confirmed++
		} else {
			pending++
		}
	}
	return confirmed, pending
}

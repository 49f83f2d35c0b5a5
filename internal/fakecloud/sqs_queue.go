package fakecloud

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// sqsQueueKey names a queue. The queue URL carries only account and name
// (http://host/<account>/<name>), so that is the identity: a name is
// unique per account across regions here, where AWS scopes it per region.
type sqsQueueKey struct{ account, name string }

// sqsQueue is one standard queue. All fields are guarded by sqsService.mu.
type sqsQueue struct {
	account, region, name string
	created, modified     time.Time
	cfg                   sqsQueueConfig
	tags                  map[string]string

	messages []*sqsMessage          // in send order, which receives follow
	byID     map[string]*sqsMessage // message id → message

	// wake is closed, and replaced, whenever a message may have become
	// visible, to release long polls waiting on this queue.
	wake chan struct{}
}

func (q *sqsQueue) arn() string { return sqsQueueARN(q.region, q.account, q.name) }

// signal wakes the long polls waiting on q. Callers hold sqsService.mu.
func (q *sqsQueue) signal() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// sqsQueueConfig is the settable part of a queue, parsed from attributes.
type sqsQueueConfig struct {
	visibility int // seconds, as all the durations here
	retention  int
	wait       int
	delay      int
	maxSize    int
	redrive    *sqsRedrivePolicy
	// verbatim keeps attributes stored and echoed but not acted on
	// (Policy, encryption settings, RedriveAllowPolicy).
	verbatim map[string]string
}

// sqsRedrivePolicy is the RedrivePolicy attribute. AWS accepts
// maxReceiveCount as a JSON string or number and returns a number.
type sqsRedrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// sqsIntAttributes are the numeric queue attributes with AWS's limits and
// defaults.
var sqsIntAttributes = map[string]struct {
	min, max, def int
	field         func(*sqsQueueConfig) *int
}{
	"VisibilityTimeout":             {0, 43200, 30, func(c *sqsQueueConfig) *int { return &c.visibility }},
	"MessageRetentionPeriod":        {60, 1209600, 345600, func(c *sqsQueueConfig) *int { return &c.retention }},
	"ReceiveMessageWaitTimeSeconds": {0, 20, 0, func(c *sqsQueueConfig) *int { return &c.wait }},
	"DelaySeconds":                  {0, 900, 0, func(c *sqsQueueConfig) *int { return &c.delay }},
	"MaximumMessageSize":            {1024, 1048576, 262144, func(c *sqsQueueConfig) *int { return &c.maxSize }},
}

// sqsVerbatimAttributes are accepted and echoed back unchanged.
var sqsVerbatimAttributes = map[string]string{
	"Policy":                       "",
	"KmsMasterKeyId":               "",
	"KmsDataKeyReusePeriodSeconds": "",
	"SqsManagedSseEnabled":         "true",
	"RedriveAllowPolicy":           "",
}

// sqsCountAttributes are computed from the messages at read time.
var sqsCountAttributes = []string{
	"ApproximateNumberOfMessages",
	"ApproximateNumberOfMessagesNotVisible",
	"ApproximateNumberOfMessagesDelayed",
}

var sqsNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func sqsQueueARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, account, name)
}

// parseQueueURL reads account and name from a queue URL of any host, so
// URLs stay valid whichever address a client used to reach the cloud.
func parseQueueURL(queueURL string) (account, name string, ok bool) {
	u, err := url.Parse(queueURL)
	if err != nil || u.Host == "" {
		return "", "", false
	}
	account, name, ok = strings.Cut(strings.Trim(u.Path, "/"), "/")
	if !ok || account == "" || name == "" || strings.Contains(name, "/") {
		return "", "", false
	}
	return account, name, true
}

// parseQueueARN reads "arn:aws:sqs:REGION:ACCOUNT:NAME".
func parseQueueARN(arn string) (region, account, name string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[3] == "" || parts[4] == "" || parts[5] == "" {
		return "", "", "", false
	}
	return parts[3], parts[4], parts[5], true
}

// parseQueueConfig validates attributes for a new queue in region and
// account. It returns the errors CreateQueue returns. Callers hold s.mu,
// because a redrive policy must name an existing dead-letter queue.
func (s *sqsService) parseQueueConfig(region, account string, attrs map[string]string) (sqsQueueConfig, *APIError) {
	cfg := sqsQueueConfig{verbatim: map[string]string{}}
	for _, a := range sqsIntAttributes {
		*a.field(&cfg) = a.def
	}
	for name, value := range attrs {
		if a, ok := sqsIntAttributes[name]; ok {
			n, err := strconv.Atoi(value)
			if err != nil || n < a.min || n > a.max {
				return cfg, errorf("InvalidAttributeValue", "Invalid value for the parameter %s. Reason: must be an integer from %d to %d.", name, a.min, a.max)
			}
			*a.field(&cfg) = n
			continue
		}
		if _, ok := sqsVerbatimAttributes[name]; ok && name != "KmsMasterKeyId" && name != "SqsManagedSseEnabled" {
			cfg.verbatim[name] = value
			continue
		}
		switch name {
		case "KmsMasterKeyId", "SqsManagedSseEnabled":
			// setSSE below, which sees both at once
		case "RedrivePolicy":
			p, err := s.parseRedrivePolicy(region, account, value)
			if err != nil {
				return cfg, err
			}
			cfg.redrive = p
		case "FifoQueue":
			if value != "false" {
				return cfg, errorf("InvalidAttributeValue", "Invalid value for the parameter FifoQueue: fakecloud emulates standard queues only.")
			}
		default:
			return cfg, errorf("InvalidAttributeName", "Unknown Attribute %s.", name)
		}
	}
	if err := cfg.setSSE(attrs); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func (s *sqsService) parseRedrivePolicy(region, account, value string) (*sqsRedrivePolicy, *APIError) {
	invalid := func(reason string) *APIError {
		return errorf("InvalidAttributeValue", "Value %s for parameter RedrivePolicy is invalid. Reason: %s", value, reason)
	}
	var raw struct {
		DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(value), &raw); err != nil {
		return nil, invalid("Redrive policy is not a valid JSON map.")
	}
	// maxReceiveCount arrives as "3" or 3; both mean the same to AWS.
	count, err := strconv.Atoi(strings.Trim(string(raw.MaxReceiveCount), `"`))
	if err != nil || count < 1 || count > 1000 {
		return nil, invalid("Invalid value for maxReceiveCount: must be an integer from 1 to 1000.")
	}
	dlqRegion, dlqAccount, dlqName, ok := parseQueueARN(raw.DeadLetterTargetArn)
	if !ok {
		return nil, invalid("Invalid value for deadLetterTargetArn.")
	}
	if dlqRegion != region || dlqAccount != account {
		return nil, invalid("Dead-letter target must be in the same account and region as the source queue.")
	}
	if _, ok := s.queues[sqsQueueKey{dlqAccount, dlqName}]; !ok {
		return nil, invalid("Dead letter target does not exist.")
	}
	return &sqsRedrivePolicy{DeadLetterTargetArn: raw.DeadLetterTargetArn, MaxReceiveCount: count}, nil
}

// value is the configured attribute name as GetQueueAttributes shows it.
func (cfg *sqsQueueConfig) value(name string) (string, bool) {
	if a, ok := sqsIntAttributes[name]; ok {
		return strconv.Itoa(*a.field(cfg)), true
	}
	if def, ok := sqsVerbatimAttributes[name]; ok {
		v, set := cfg.verbatim[name]
		if !set {
			v = def
		}
		return v, v != ""
	}
	if name == "RedrivePolicy" && cfg.redrive != nil {
		b, _ := json.Marshal(cfg.redrive)
		return string(b), true
	}
	return "", false
}

// attribute is one queue attribute as GetQueueAttributes returns it.
func (q *sqsQueue) attribute(name string, now time.Time) (string, bool) {
	switch name {
	case "QueueArn":
		return q.arn(), true
	case "CreatedTimestamp":
		return strconv.FormatInt(q.created.Unix(), 10), true
	case "LastModifiedTimestamp":
		return strconv.FormatInt(q.modified.Unix(), 10), true
	case "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed":
		visible, inFlight, delayed := q.counts(now)
		n := map[string]int{
			"ApproximateNumberOfMessages":           visible,
			"ApproximateNumberOfMessagesNotVisible": inFlight,
			"ApproximateNumberOfMessagesDelayed":    delayed,
		}[name]
		return strconv.Itoa(n), true
	}
	return q.cfg.value(name)
}

// sqsAttributeNames lists every attribute name GetQueueAttributes knows.
func sqsAttributeNames() []string {
	names := []string{"QueueArn", "CreatedTimestamp", "LastModifiedTimestamp", "RedrivePolicy"}
	names = append(names, sqsCountAttributes...)
	for n := range sqsIntAttributes {
		names = append(names, n)
	}
	for n := range sqsVerbatimAttributes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// createQueue creates a queue, or returns the existing one when every
// attribute asked for has the value it already has, as AWS does.
func (s *sqsService) createQueue(account, region, name string, attrs, tags map[string]string) (*sqsQueue, *APIError) {
	if err := sqsCheckTags(tags); err != nil {
		return nil, err
	}
	if strings.HasSuffix(name, ".fifo") {
		return nil, errorf("InvalidParameterValue", "Value %s for parameter QueueName is invalid. Reason: fakecloud emulates standard queues only, not FIFO.", name)
	}
	if !sqsNamePattern.MatchString(name) {
		return nil, errorf("InvalidParameterValue", "Value %s for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := s.parseQueueConfig(region, account, attrs)
	if err != nil {
		return nil, err
	}
	key := sqsQueueKey{account, name}
	if q, ok := s.queues[key]; ok {
		if q.region != region {
			return nil, errorf("QueueAlreadyExists", "A queue named %s already exists in account %s in region %s; fakecloud keeps queue names unique per account.", name, account, q.region)
		}
		for attr := range attrs {
			want, _ := cfg.value(attr)
			if have, _ := q.cfg.value(attr); have != want {
				return nil, errorf("QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute %s", attr)
			}
		}
		return q, nil
	}
	now := s.cloud.now()
	q := &sqsQueue{
		account: account, region: region, name: name,
		created: now, modified: now, cfg: cfg, tags: maps.Clone(tags),
		byID: map[string]*sqsMessage{}, wake: make(chan struct{}),
	}
	s.queues[key] = q
	return q, nil
}

// queueFor finds the queue a call names by URL. Callers hold s.mu.
func (s *sqsService) queueFor(c *call, queueURL string) (*sqsQueue, *APIError) {
	if queueURL == "" {
		return nil, errorf("MissingParameter", "The request must contain the parameter QueueUrl.")
	}
	account, name, ok := parseQueueURL(queueURL)
	if !ok {
		return nil, &APIError{Status: http.StatusNotFound, Code: "InvalidAddress", Message: fmt.Sprintf("The address %s is not valid for this endpoint.", queueURL)}
	}
	if account != c.account() {
		return nil, &APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: fmt.Sprintf("Access to the resource %s is denied.", queueURL)}
	}
	q, ok := s.queues[sqsQueueKey{account, name}]
	if !ok || q.region != c.region {
		return nil, errorf("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
	}
	return q, nil
}

// sqsQueueURL is the URL of q as seen by a client that reached the cloud at
// host, so the URL works for whoever asked.
func sqsQueueURL(scheme, host string, q *sqsQueue) string {
	return scheme + "://" + host + "/" + q.account + "/" + q.name
}

func callScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func (s *sqsService) createQueueCall(c *call) *APIError {
	var in struct {
		QueueName  string
		Attributes map[string]string
		Tags       map[string]string `json:"tags"` // tags only on a new queue, as in AWS
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"queueName": in.QueueName, "attributes": in.Attributes, "tags": in.Tags})
	if in.QueueName == "" {
		return errorf("MissingParameter", "The request must contain the parameter QueueName.")
	}
	q, err := s.createQueue(c.account(), c.region, in.QueueName, in.Attributes, in.Tags)
	if err != nil {
		return err
	}
	c.RecordResponse(map[string]string{"queueUrl": sqsRecordedURL(q)})
	c.RecordResources(q.arn())
	s.reply(c, map[string]string{"QueueUrl": sqsQueueURL(callScheme(c.r), c.r.Host, q)})
	return nil
}

func (s *sqsService) getQueueURL(c *call) *APIError {
	var in struct {
		QueueName              string
		QueueOwnerAWSAccountId string
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if in.QueueName == "" {
		return errorf("MissingParameter", "The request must contain the parameter QueueName.")
	}
	owner := in.QueueOwnerAWSAccountId
	if owner == "" {
		owner = c.account()
	}
	if owner != c.account() {
		return &APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: fmt.Sprintf(
			"User: %s is not authorized to access queue %s of account %s; fakecloud has no queue policies.", c.principal.ARN, in.QueueName, owner)}
	}
	s.mu.Lock()
	q, ok := s.queues[sqsQueueKey{owner, in.QueueName}]
	s.mu.Unlock()
	if !ok || q.region != c.region {
		return errorf("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
	}
	s.reply(c, map[string]string{"QueueUrl": sqsQueueURL(callScheme(c.r), c.r.Host, q)})
	return nil
}

func (s *sqsService) getQueueAttributes(c *call) *APIError {
	var in struct {
		QueueUrl       string
		AttributeNames []string
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	known := sqsAttributeNames()
	var names []string
	for _, n := range in.AttributeNames {
		switch {
		case n == "All":
			names = append(names, known...)
		case slices.Contains(known, n):
			names = append(names, n)
		default:
			return errorf("InvalidAttributeName", "Unknown Attribute %s.", n)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		return err
	}
	now := s.cloud.now()
	q.expire(now)
	attrs := map[string]string{}
	for _, n := range names {
		if v, ok := q.attribute(n, now); ok {
			attrs[n] = v
		}
	}
	s.reply(c, map[string]any{"Attributes": attrs})
	return nil
}

// CreateQueue creates a queue without emitting events and returns its
// URL. Account defaults to DefaultAccount and Region to DefaultRegion.
// Creating an existing queue with the same attributes returns its URL.
func (c *Cloud) CreateQueue(seed QueueSeed) (string, error) {
	if seed.Account == "" {
		seed.Account = DefaultAccount
	}
	if seed.Region == "" {
		seed.Region = DefaultRegion
	}
	q, err := c.sqs.createQueue(seed.Account, seed.Region, seed.Name, seed.Attributes, seed.Tags)
	if err != nil {
		return "", fmt.Errorf("create queue %s in account %s: %w", seed.Name, seed.Account, err)
	}
	// Before Start there is no address yet; any host works, because the
	// cloud resolves queue URLs by account and name only.
	host := "localhost"
	if u, perr := url.Parse(c.URL()); perr == nil && u.Host != "" {
		host = u.Host
	}
	return sqsQueueURL("http", host, q), nil
}

// QueueDepth reports how many messages of the queue at queueURL are
// visible and how many are in flight (received, not yet deleted or
// visible again). Delayed messages count as neither.
func (c *Cloud) QueueDepth(queueURL string) (visible, inFlight int, err error) {
	s := c.sqs
	account, name, ok := parseQueueURL(queueURL)
	if !ok {
		return 0, 0, fmt.Errorf("queue depth: %q is not a queue URL (http://host/<account>/<name>)", queueURL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[sqsQueueKey{account, name}]
	if !ok {
		return 0, 0, fmt.Errorf("queue depth: queue %s of account %s does not exist", name, account)
	}
	now := c.now()
	q.expire(now)
	visible, inFlight, _ = q.counts(now)
	return visible, inFlight, nil
}

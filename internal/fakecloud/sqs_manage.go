package fakecloud

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The management calls of SQS: SetQueueAttributes, ListQueues and the
// queue tags. Unlike the message calls, CloudTrail records the mutating
// ones (CreateQueue, SetQueueAttributes, TagQueue, UntagQueue) as
// management events, which is what the SQS controls react to.

// sqsManagementEvents are the SQS calls CloudTrail records by default.
var sqsManagementEvents = map[string]bool{
	"CreateQueue": true, "DeleteQueue": true, "SetQueueAttributes": true,
	"TagQueue": true, "UntagQueue": true, "AddPermission": true, "RemovePermission": true,
}

// sqsRecordedURL is the queue URL CloudTrail writes: AWS's own endpoint,
// whatever address the client reached the fake at.
func sqsRecordedURL(q *sqsQueue) string {
	return "https://sqs." + q.region + ".amazonaws.com/" + q.account + "/" + q.name
}

// setSSE keeps the two encryption attributes consistent, as SQS does: a
// KMS key turns SSE-SQS off, and a queue cannot ask for both.
func (cfg *sqsQueueConfig) setSSE(attrs map[string]string) *APIError {
	key, keySet := attrs["KmsMasterKeyId"]
	managed, managedSet := attrs["SqsManagedSseEnabled"]
	if managedSet && managed != "true" && managed != "false" {
		return errorf("InvalidAttributeValue", "Invalid value for the parameter SqsManagedSseEnabled.")
	}
	if keySet && key != "" && managedSet && managed == "true" {
		return errorf("InvalidAttributeName", "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.")
	}
	switch {
	case keySet && key != "":
		cfg.verbatim["KmsMasterKeyId"] = key
		cfg.verbatim["SqsManagedSseEnabled"] = "false"
	case managedSet && managed == "true":
		delete(cfg.verbatim, "KmsMasterKeyId")
		cfg.verbatim["SqsManagedSseEnabled"] = "true"
	default:
		if keySet {
			delete(cfg.verbatim, "KmsMasterKeyId")
		}
		if managedSet {
			cfg.verbatim["SqsManagedSseEnabled"] = managed
		}
	}
	return nil
}

// setAttributes changes the attributes it names and keeps the others.
// Callers hold s.mu.
func (s *sqsService) setAttributes(q *sqsQueue, attrs map[string]string) *APIError {
	cfg := q.cfg
	cfg.verbatim = maps.Clone(q.cfg.verbatim)
	for name, value := range attrs {
		if a, ok := sqsIntAttributes[name]; ok {
			n, err := strconv.Atoi(value)
			if err != nil || n < a.min || n > a.max {
				return errorf("InvalidAttributeValue", "Invalid value for the parameter %s. Reason: must be an integer from %d to %d.", name, a.min, a.max)
			}
			*a.field(&cfg) = n
			continue
		}
		switch name {
		case "KmsMasterKeyId", "SqsManagedSseEnabled":
		case "RedrivePolicy":
			if value == "" {
				cfg.redrive = nil
				continue
			}
			p, err := s.parseRedrivePolicy(q.region, q.account, value)
			if err != nil {
				return err
			}
			cfg.redrive = p
		default:
			if _, ok := sqsVerbatimAttributes[name]; !ok {
				return errorf("InvalidAttributeName", "Unknown Attribute %s.", name)
			}
			cfg.verbatim[name] = value
		}
	}
	if err := cfg.setSSE(attrs); err != nil {
		return err
	}
	q.cfg = cfg
	q.modified = s.cloud.now()
	return nil
}

func (s *sqsService) setQueueAttributes(c *call) *APIError {
	var in struct {
		QueueUrl   string
		Attributes map[string]string
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"queueUrl": in.QueueUrl, "attributes": in.Attributes})
	if len(in.Attributes) == 0 {
		return errorf("MissingParameter", "The request must contain the parameter Attributes.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		return err
	}
	if err := s.setAttributes(q, in.Attributes); err != nil {
		return err
	}
	c.RecordResources(q.arn())
	s.reply(c, map[string]any{})
	return nil
}

// listQueues lists the caller's queues in the call's region, in name
// order, MaxResults at a time when given (SQS pages only then).
func (s *sqsService) listQueues(c *call) *APIError {
	var in struct {
		QueueNamePrefix string
		MaxResults      *int
		NextToken       string
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 1000) {
		return sqsInvalidParameter("MaxResults", *in.MaxResults, "must be between 1 and 1000")
	}
	if in.NextToken != "" && in.MaxResults == nil {
		return sqsInvalidParameter("NextToken", in.NextToken, "NextToken is only valid with MaxResults")
	}
	s.mu.Lock()
	var names []string
	for k, q := range s.queues {
		if k.account == c.account() && q.region == c.region && strings.HasPrefix(k.name, in.QueueNamePrefix) {
			names = append(names, k.name)
		}
	}
	byName := map[string]*sqsQueue{}
	for _, n := range names {
		byName[n] = s.queues[sqsQueueKey{c.account(), n}]
	}
	s.mu.Unlock()
	slices.Sort(names)
	// The token is the last name of the page before, so a queue created
	// between pages is listed once or not at all, never twice.
	start := 0
	if in.NextToken != "" {
		start, _ = slices.BinarySearch(names, in.NextToken)
		if start < len(names) && names[start] == in.NextToken {
			start++
		}
	}
	end := len(names)
	out := map[string]any{}
	if in.MaxResults != nil && start+*in.MaxResults < end {
		end = start + *in.MaxResults
		out["NextToken"] = names[end-1]
	} else if in.MaxResults == nil && end-start > 1000 {
		end = start + 1000 // without MaxResults SQS returns at most 1,000 and no token
	}
	urls := []string{}
	for _, n := range names[start:end] {
		urls = append(urls, sqsQueueURL(callScheme(c.r), c.r.Host, byName[n]))
	}
	if len(urls) > 0 {
		out["QueueUrls"] = urls
	}
	s.reply(c, out)
	return nil
}

// sqsCheckTags validates tags as TagQueue and CreateQueue do.
func sqsCheckTags(tags map[string]string) *APIError {
	if len(tags) > 50 {
		return errorf("InvalidParameterValue", "Too many tags: a queue may have at most 50.")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errorf("InvalidParameterValue", "Tag key %q or its value is invalid.", k)
		}
	}
	return nil
}

func (s *sqsService) tagQueue(c *call) *APIError {
	var in struct {
		QueueUrl string
		Tags     map[string]string
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"queueUrl": in.QueueUrl, "tags": in.Tags})
	if err := sqsCheckTags(in.Tags); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		return err
	}
	merged := maps.Clone(q.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, in.Tags)
	if err := sqsCheckTags(merged); err != nil {
		return err
	}
	q.tags = merged
	c.RecordResources(q.arn())
	s.reply(c, map[string]any{})
	return nil
}

func (s *sqsService) untagQueue(c *call) *APIError {
	var in struct {
		QueueUrl string
		TagKeys  []string
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"queueUrl": in.QueueUrl, "tagKeys": in.TagKeys})
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		return err
	}
	for _, k := range in.TagKeys {
		delete(q.tags, k)
	}
	c.RecordResources(q.arn())
	s.reply(c, map[string]any{})
	return nil
}

func (s *sqsService) listQueueTags(c *call) *APIError {
	var in struct{ QueueUrl string }
	if err := s.decode(c, &in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		return err
	}
	out := map[string]any{}
	if len(q.tags) > 0 {
		out["Tags"] = maps.Clone(q.tags)
	}
	s.reply(c, out)
	return nil
}

// QueueAttribute reads one attribute of a queue as GetQueueAttributes
// shows it, for tests; false when the queue or the attribute is absent.
func (c *Cloud) QueueAttribute(account, name, attribute string) (string, bool) {
	s := c.sqs
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[sqsQueueKey{account, name}]
	if !ok {
		return "", false
	}
	return q.attribute(attribute, c.now())
}

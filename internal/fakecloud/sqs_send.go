package fakecloud

import (
	"regexp"
)

// checkMessage validates a message body and attributes against q.
func (q *sqsQueue) checkMessage(body string, attrs map[string]sqsAttributeValue) *APIError {
	if body == "" {
		return errorf("MissingParameter", "The request must contain the parameter MessageBody.")
	}
	for _, r := range body {
		if !(r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000) {
			return errorf("InvalidMessageContents", "Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", r)
		}
	}
	if err := sqsCheckAttributes(attrs); err != nil {
		return err
	}
	if n := len(body) + sqsAttributesSize(attrs); n > q.cfg.maxSize {
		return errorf("InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.cfg.maxSize)
	}
	return nil
}

// sqsDelay is a message's delay: its own DelaySeconds or the queue's.
func sqsDelay(q *sqsQueue, delay *int) (int, *APIError) {
	if delay == nil {
		return q.cfg.delay, nil
	}
	if *delay < 0 || *delay > 900 {
		return 0, sqsInvalidParameter("DelaySeconds", *delay, "Must be between 0 and 900, if provided.")
	}
	return *delay, nil
}

type sqsSendOutput struct {
	MessageId              string
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty"`
}

func (s *sqsService) sendMessage(c *call) *APIError {
	var in struct {
		QueueUrl          string
		MessageBody       string
		DelaySeconds      *int
		MessageAttributes map[string]sqsAttributeValue
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		return err
	}
	if err := q.checkMessage(in.MessageBody, in.MessageAttributes); err != nil {
		return err
	}
	delay, err := sqsDelay(q, in.DelaySeconds)
	if err != nil {
		return err
	}
	now := s.cloud.now()
	m := newSQSMessage(in.MessageBody, in.MessageAttributes, c.principal.PrincipalID, now, delay)
	q.enqueue(m, now)
	s.reply(c, sqsSendOutput{MessageId: m.id, MD5OfMessageBody: m.bodyMD5, MD5OfMessageAttributes: sqsAttributesMD5(m.attrs)})
	return nil
}

// sqsBatchError is one failed entry of a batch call.
type sqsBatchError struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string
}

var sqsBatchIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// sqsCheckBatch validates the entry ids of a batch call, whose failures
// fail the whole call rather than one entry.
func sqsCheckBatch(kind string, ids []string) *APIError {
	if len(ids) == 0 {
		return errorf("AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one %s in the request.", kind)
	}
	if len(ids) > 10 {
		return errorf("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent %d.", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !sqsBatchIDPattern.MatchString(id) {
			return errorf("AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return errorf("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}

func (s *sqsService) sendMessageBatch(c *call) *APIError {
	var in struct {
		QueueUrl string
		Entries  []struct {
			Id                string
			MessageBody       string
			DelaySeconds      *int
			MessageAttributes map[string]sqsAttributeValue
		}
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := sqsCheckBatch("SendMessageBatchRequestEntry", ids); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		return err
	}
	total := 0
	for _, e := range in.Entries {
		total += len(e.MessageBody) + sqsAttributesSize(e.MessageAttributes)
	}
	if total > q.cfg.maxSize {
		return errorf("AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", q.cfg.maxSize, total)
	}
	type success struct {
		Id string
		sqsSendOutput
	}
	out := struct {
		Successful []success
		Failed     []sqsBatchError
	}{Successful: []success{}, Failed: []sqsBatchError{}}
	now := s.cloud.now()
	for _, e := range in.Entries {
		err := q.checkMessage(e.MessageBody, e.MessageAttributes)
		delay := 0
		if err == nil {
			delay, err = sqsDelay(q, e.DelaySeconds)
		}
		if err != nil {
			out.Failed = append(out.Failed, sqsBatchError{Id: e.Id, SenderFault: true, Code: err.Code, Message: err.Message})
			continue
		}
		m := newSQSMessage(e.MessageBody, e.MessageAttributes, c.principal.PrincipalID, now, delay)
		q.enqueue(m, now)
		out.Successful = append(out.Successful, success{Id: e.Id, sqsSendOutput: sqsSendOutput{
			MessageId: m.id, MD5OfMessageBody: m.bodyMD5, MD5OfMessageAttributes: sqsAttributesMD5(m.attrs),
		}})
	}
	s.reply(c, out)
	return nil
}

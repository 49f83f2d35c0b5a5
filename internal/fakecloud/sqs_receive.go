package fakecloud

import (
	"slices"
	"strconv"
	"time"
)

type sqsMessageOutput struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string            `json:",omitempty"`
	MD5OfMessageAttributes string                       `json:",omitempty"`
	MessageAttributes      map[string]sqsAttributeValue `json:",omitempty"`
}

// sqsSystemAttributes are the message system attributes a receive can ask
// for, through MessageSystemAttributeNames or the older AttributeNames.
var sqsSystemAttributes = []string{"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "DeadLetterQueueSourceArn"}

func sqsMillis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// output renders a received message with the attributes asked for.
// Callers hold s.mu, since m changes with the next receive.
func (m *sqsMessage) output(systemNames, attributeNames []string) sqsMessageOutput {
	out := sqsMessageOutput{MessageId: m.id, ReceiptHandle: m.receipt, MD5OfBody: m.bodyMD5, Body: m.body}
	all := slices.Contains(systemNames, "All")
	for _, name := range sqsSystemAttributes {
		if !all && !slices.Contains(systemNames, name) {
			continue
		}
		var v string
		switch name {
		case "SenderId":
			v = m.senderID
		case "SentTimestamp":
			v = sqsMillis(m.sent)
		case "ApproximateReceiveCount":
			v = strconv.Itoa(m.receives)
		case "ApproximateFirstReceiveTimestamp":
			v = sqsMillis(m.firstReceive)
		case "DeadLetterQueueSourceArn":
			v = m.dlqSource
		}
		if v == "" {
			continue
		}
		if out.Attributes == nil {
			out.Attributes = map[string]string{}
		}
		out.Attributes[name] = v
	}
	if attrs := sqsSelectAttributes(m.attrs, attributeNames); attrs != nil {
		out.MessageAttributes = attrs
		out.MD5OfMessageAttributes = sqsAttributesMD5(attrs)
	}
	return out
}

func (s *sqsService) receiveMessage(c *call) *APIError {
	var in struct {
		QueueUrl                    string
		AttributeNames              []string
		MessageSystemAttributeNames []string
		MessageAttributeNames       []string
		MaxNumberOfMessages         *int
		VisibilityTimeout           *int
		WaitTimeSeconds             *int
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	limit := 1
	if in.MaxNumberOfMessages != nil {
		limit = *in.MaxNumberOfMessages
		if limit < 1 || limit > 10 {
			return sqsInvalidParameter("MaxNumberOfMessages", limit, "Must be between 1 and 10, if provided.")
		}
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20) {
		return sqsInvalidParameter("WaitTimeSeconds", *in.WaitTimeSeconds, "Must be >= 0 and <= 20, if provided.")
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200) {
		return sqsInvalidParameter("VisibilityTimeout", *in.VisibilityTimeout, "Must be between 0 and 43200, if provided.")
	}
	systemNames := append(slices.Clone(in.AttributeNames), in.MessageSystemAttributeNames...)

	s.mu.Lock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	wait, visibility := q.cfg.wait, q.cfg.visibility
	s.mu.Unlock()
	if in.WaitTimeSeconds != nil {
		wait = *in.WaitTimeSeconds
	}
	if in.VisibilityTimeout != nil {
		visibility = *in.VisibilityTimeout
	}

	// The wait is real time: it bounds how long the HTTP request is held.
	// Visibility uses the cloud's clock, which tests may control.
	deadline := time.Now().Add(time.Duration(wait) * time.Second)
	for {
		s.mu.Lock()
		now := s.cloud.now()
		got, next := s.take(q, limit, time.Duration(visibility)*time.Second, now)
		msgs := make([]sqsMessageOutput, len(got))
		for i, m := range got {
			msgs[i] = m.output(systemNames, in.MessageAttributeNames)
		}
		wake := q.wake
		s.mu.Unlock()

		remaining := time.Until(deadline)
		if len(msgs) > 0 || remaining <= 0 {
			s.reply(c, map[string]any{"Messages": msgs})
			return nil
		}
		// Sleep until a send wakes us, the next invisible message turns
		// visible, or the wait is over, holding no lock meanwhile.
		sleep := remaining
		if !next.IsZero() {
			sleep = min(sleep, max(next.Sub(now), time.Millisecond))
		}
		timer := time.NewTimer(sleep)
		select {
		case <-wake:
		case <-timer.C:
		case <-s.done:
			deadline = time.Time{}
		case <-c.r.Context().Done():
			timer.Stop()
			return nil // the client is gone; nothing to answer
		}
		timer.Stop()
	}
}

func (s *sqsService) deleteMessage(c *call) *APIError {
	var in struct{ QueueUrl, ReceiptHandle string }
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if in.ReceiptHandle == "" {
		return errorf("MissingParameter", "The request must contain the parameter ReceiptHandle.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		return err
	}
	m, err := q.messageFor(in.ReceiptHandle)
	if err != nil {
		return err
	}
	if m != nil {
		q.remove(m)
	}
	s.reply(c, struct{}{})
	return nil
}

func (s *sqsService) deleteMessageBatch(c *call) *APIError {
	var in struct {
		QueueUrl string
		Entries  []struct{ Id, ReceiptHandle string }
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := sqsCheckBatch("DeleteMessageBatchRequestEntry", ids); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		return err
	}
	type success struct{ Id string }
	out := struct {
		Successful []success
		Failed     []sqsBatchError
	}{Successful: []success{}, Failed: []sqsBatchError{}}
	for _, e := range in.Entries {
		m, err := q.messageFor(e.ReceiptHandle)
		if err != nil {
			out.Failed = append(out.Failed, sqsBatchError{Id: e.Id, SenderFault: true, Code: err.Code, Message: err.Message})
			continue
		}
		if m != nil {
			q.remove(m)
		}
		out.Successful = append(out.Successful, success{Id: e.Id})
	}
	s.reply(c, out)
	return nil
}

func (s *sqsService) changeMessageVisibility(c *call) *APIError {
	var in struct {
		QueueUrl          string
		ReceiptHandle     string
		VisibilityTimeout *int
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	if in.VisibilityTimeout == nil {
		return errorf("MissingParameter", "The request must contain the parameter VisibilityTimeout.")
	}
	timeout := *in.VisibilityTimeout
	if timeout < 0 || timeout > 43200 {
		return sqsInvalidParameter("VisibilityTimeout", timeout, "Must be between 0 and 43200.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(c, in.QueueUrl)
	if err != nil {
		return err
	}
	m, err := q.messageFor(in.ReceiptHandle)
	if err != nil {
		return err
	}
	if m == nil {
		return sqsInvalidParameter("ReceiptHandle", in.ReceiptHandle, "Message does not exist or is not available for visibility timeout change.")
	}
	now := s.cloud.now()
	if !m.visibleAt.After(now) {
		return errorf("AWS.SimpleQueueService.MessageNotInflight", "Message %s is not in flight: its visibility timeout has already expired.", m.id)
	}
	m.visibleAt = now.Add(time.Duration(timeout) * time.Second)
	if timeout == 0 {
		q.signal()
	}
	s.reply(c, struct{}{})
	return nil
}

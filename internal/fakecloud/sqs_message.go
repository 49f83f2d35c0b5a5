package fakecloud

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// eventBridgeSenderID is the SenderId of messages deliver() enqueues, the
// way an EventBridge rule target shows up on a real queue.
const eventBridgeSenderID = "AIDAFAKEEVENTBRIDGE01"

// sqsMessage is one message of a queue, guarded by sqsService.mu.
type sqsMessage struct {
	id       string
	body     string
	bodyMD5  string
	attrs    map[string]sqsAttributeValue
	senderID string
	sent     time.Time

	// visibleAt is when the message can next be received: the send time
	// plus any delay, then the end of each visibility timeout.
	visibleAt    time.Time
	receives     int
	firstReceive time.Time
	// receipt is the handle of the latest receive; only it may delete.
	receipt string
	// dlqSource is the ARN of the queue a redrive moved the message from.
	dlqSource string
}

func newSQSMessage(body string, attrs map[string]sqsAttributeValue, sender string, sent time.Time, delay int) *sqsMessage {
	sum := md5.Sum([]byte(body))
	return &sqsMessage{
		id: newUUID(), body: body, bodyMD5: hex.EncodeToString(sum[:]),
		attrs: attrs, senderID: sender, sent: sent,
		visibleAt: sent.Add(time.Duration(delay) * time.Second),
	}
}

// enqueue adds m to q and wakes long polls if m is visible at once.
func (q *sqsQueue) enqueue(m *sqsMessage, now time.Time) {
	q.messages = append(q.messages, m)
	q.byID[m.id] = m
	if !m.visibleAt.After(now) {
		q.signal()
	}
}

func (q *sqsQueue) remove(m *sqsMessage) {
	delete(q.byID, m.id)
	if i := slices.Index(q.messages, m); i >= 0 {
		q.messages = slices.Delete(q.messages, i, i+1)
	}
}

// expire drops messages older than the retention period. It runs lazily
// before every read, which is as good as a sweeper for an observer.
func (q *sqsQueue) expire(now time.Time) {
	cutoff := now.Add(-time.Duration(q.cfg.retention) * time.Second)
	q.messages = slices.DeleteFunc(q.messages, func(m *sqsMessage) bool {
		if m.sent.After(cutoff) {
			return false
		}
		delete(q.byID, m.id)
		return true
	})
}

// counts splits the messages into visible, in flight (received and
// invisible) and delayed (invisible and never received).
func (q *sqsQueue) counts(now time.Time) (visible, inFlight, delayed int) {
	for _, m := range q.messages {
		switch {
		case !m.visibleAt.After(now):
			visible++
		case m.receives > 0:
			inFlight++
		default:
			delayed++
		}
	}
	return visible, inFlight, delayed
}

// take receives up to limit visible messages for a receive with the given
// visibility timeout. Like AWS, it checks the redrive policy at receive
// time: a message that has been received maxReceiveCount times moves to
// the dead-letter queue instead of being delivered again. next is the
// earliest time a message that is invisible now becomes visible, so a long
// poll knows when to look again. Callers hold s.mu.
func (s *sqsService) take(q *sqsQueue, limit int, visibility time.Duration, now time.Time) (got []*sqsMessage, next time.Time) {
	q.expire(now)
	for _, m := range slices.Clone(q.messages) {
		if m.visibleAt.After(now) {
			if next.IsZero() || m.visibleAt.Before(next) {
				next = m.visibleAt
			}
			continue
		}
		if len(got) == limit {
			continue
		}
		if dlq := s.deadLetterQueue(q); dlq != nil && m.receives >= q.cfg.redrive.MaxReceiveCount {
			q.remove(m)
			moved := *m
			moved.receives, moved.firstReceive, moved.receipt = 0, time.Time{}, ""
			moved.visibleAt = now
			moved.dlqSource = q.arn()
			dlq.enqueue(&moved, now)
			continue
		}
		m.receives++
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.visibleAt = now.Add(visibility)
		m.receipt = sqsReceipt(q, m)
		got = append(got, m)
		if next.IsZero() || m.visibleAt.Before(next) {
			next = m.visibleAt
		}
	}
	return got, next
}

// deadLetterQueue is q's redrive target, or nil when q has none or the
// target no longer exists (then AWS keeps redelivering, and so do we).
func (s *sqsService) deadLetterQueue(q *sqsQueue) *sqsQueue {
	if q.cfg.redrive == nil {
		return nil
	}
	_, account, name, _ := parseQueueARN(q.cfg.redrive.DeadLetterTargetArn)
	return s.queues[sqsQueueKey{account, name}]
}

// sqsReceipt is a new receipt handle: opaque to clients, unique per
// receive, and naming its queue and message so a handle used on another
// queue is refused.
func sqsReceipt(q *sqsQueue, m *sqsMessage) string {
	return base64.RawURLEncoding.EncodeToString([]byte(q.account + "/" + q.name + "/" + m.id + "/" + newID("", 32)))
}

// messageFor resolves a receipt handle of q. It returns a nil message
// with no error when the message is gone (deleted, expired, moved): AWS
// treats deleting a deleted message as success.
func (q *sqsQueue) messageFor(handle string) (*sqsMessage, *APIError) {
	invalid := errorf("ReceiptHandleIsInvalid", "The input receipt handle %q is not a valid receipt handle.", handle)
	raw, err := base64.RawURLEncoding.DecodeString(handle)
	if err != nil {
		return nil, invalid
	}
	parts := strings.Split(string(raw), "/")
	if len(parts) != 4 || parts[0] != q.account || parts[1] != q.name {
		return nil, invalid
	}
	m, ok := q.byID[parts[2]]
	if !ok {
		return nil, nil
	}
	// AWS may accept a stale handle and do nothing; refusing it makes a
	// consumer that deletes after its visibility timeout ran out fail
	// loudly in tests instead of deleting someone else's receive.
	if m.receipt != handle {
		return nil, errorf("ReceiptHandleIsInvalid", "The receipt handle %q has expired: the message was received again since.", handle)
	}
	return m, nil
}

// deliver enqueues body on the queue at queueURL, with no CloudTrail of
// its own: it is how the EventBridge emulation puts events on a queue.
func (s *sqsService) deliver(queueURL, body string) error {
	account, name, ok := parseQueueURL(queueURL)
	if !ok {
		return fmt.Errorf("deliver to %q: not a queue URL of the form http://host/<account>/<name>", queueURL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[sqsQueueKey{account, name}]
	if !ok {
		return fmt.Errorf("deliver to %s: queue %s of account %s does not exist", queueURL, name, account)
	}
	now := s.cloud.now()
	q.enqueue(newSQSMessage(body, nil, eventBridgeSenderID, now, q.cfg.delay), now)
	return nil
}

package starter

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rectifyhq/rectify/internal/events"
)

// DLQMessage is a message on the dead-letter queue with what the parser
// says of it today (after a fix, it may parse).
type DLQMessage struct {
	ID           string           `json:"id"`
	ReceiveCount string           `json:"receive_count,omitempty"`
	Error        string           `json:"error,omitempty"`
	Triggers     []events.Trigger `json:"triggers,omitempty"`
	Body         string           `json:"body"`
}

// InspectDLQ reads up to max messages of a dead-letter queue without
// consuming them. It keeps what it has read invisible while it reads on,
// so each receive brings new messages, and releases them all (visible at
// once) before it returns: a second inspect or a redrive sees them all.
func InspectDLQ(ctx context.Context, client *sqs.Client, queueURL string, max int) (out []DLQMessage, err error) {
	read := newHeldMessages(client, queueURL)
	defer func() { err = errors.Join(err, read.release(context.WithoutCancel(ctx))) }()
	for len(out) < max {
		page, err := receive(ctx, client, queueURL, min(10, max-len(out)))
		if err != nil {
			return out, err
		}
		fresh := 0
		for _, m := range page {
			// A message held past its visibility timeout comes back.
			if !read.holds(m) {
				fresh++
				out = append(out, describe(m))
			}
			read.hold(m)
		}
		if fresh == 0 {
			break
		}
	}
	return out, nil
}

// RedriveResult counts what Redrive did.
type RedriveResult struct {
	Moved int `json:"moved"`
	// Kept counts messages left on the dead-letter queue because they still
	// do not parse (with onlyParseable).
	Kept int `json:"kept"`
}

// Redrive moves messages from a dead-letter queue back to the source
// queue: send first, then delete, so a failure in between duplicates a
// message (harmless: evaluation is idempotent) and never loses one. The
// messages it keeps stay invisible while it runs, so that it does not read
// them again, and are released before it returns.
func Redrive(ctx context.Context, client *sqs.Client, dlqURL, sourceURL string, onlyParseable bool) (res RedriveResult, err error) {
	held := newHeldMessages(client, dlqURL)
	defer func() { err = errors.Join(err, held.release(context.WithoutCancel(ctx))) }()
	for {
		page, err := receive(ctx, client, dlqURL, 10)
		if err != nil {
			return res, err
		}
		fresh := 0
		for _, m := range page {
			id := aws.ToString(m.MessageId)
			seen := held.holds(m)
			held.hold(m) // until deleted: a failure below releases it too
			if seen {
				continue // kept, and back after its visibility timeout
			}
			fresh++
			if onlyParseable {
				if _, err := events.Parse([]byte(aws.ToString(m.Body))); err != nil {
					res.Kept++
					continue
				}
			}
			if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(sourceURL), MessageBody: m.Body}); err != nil {
				return res, fmt.Errorf("redrive %s: send: %w", id, err)
			}
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(dlqURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return res, fmt.Errorf("redrive %s: sent, but delete from the DLQ failed (it will be sent again): %w", id, err)
			}
			held.forget(m)
			res.Moved++
		}
		if fresh == 0 {
			return res, nil
		}
	}
}

// heldMessages are the messages a DLQ command received and keeps
// invisible, by id with their latest receipt handle (a message held past
// its visibility timeout is received again under a new one).
type heldMessages struct {
	client   *sqs.Client
	queueURL string
	handles  map[string]*string
}

func newHeldMessages(client *sqs.Client, queueURL string) *heldMessages {
	return &heldMessages{client: client, queueURL: queueURL, handles: map[string]*string{}}
}

func (h *heldMessages) holds(m sqstypes.Message) bool {
	_, ok := h.handles[aws.ToString(m.MessageId)]
	return ok
}

func (h *heldMessages) hold(m sqstypes.Message) {
	h.handles[aws.ToString(m.MessageId)] = m.ReceiptHandle
}

func (h *heldMessages) forget(m sqstypes.Message) { delete(h.handles, aws.ToString(m.MessageId)) }

// release makes every held message visible again at once.
func (h *heldMessages) release(ctx context.Context) error {
	var errs []error
	for id, handle := range h.handles {
		if _, err := h.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
			QueueUrl: aws.String(h.queueURL), ReceiptHandle: handle, VisibilityTimeout: 0,
		}); err != nil {
			errs = append(errs, fmt.Errorf("release %s on %s (visible again within 30s): %w", id, h.queueURL, err))
		}
	}
	h.handles = map[string]*string{}
	return errors.Join(errs...)
}

func receive(ctx context.Context, client *sqs.Client, queueURL string, n int) ([]sqstypes.Message, error) {
	if queueURL == "" {
		return nil, errors.New("no queue URL")
	}
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(queueURL), MaxNumberOfMessages: int32(n), WaitTimeSeconds: 1, VisibilityTimeout: 30,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount},
	})
	if err != nil {
		return nil, fmt.Errorf("receive from %s: %w", queueURL, err)
	}
	return out.Messages, nil
}

func describe(m sqstypes.Message) DLQMessage {
	d := DLQMessage{
		ID: aws.ToString(m.MessageId), Body: aws.ToString(m.Body),
		ReceiveCount: m.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)],
	}
	ts, err := events.Parse([]byte(d.Body))
	if err != nil {
		d.Error = err.Error()
	} else {
		d.Triggers = ts
	}
	return d
}

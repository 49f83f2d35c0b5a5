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
// consuming them: each is made visible again at once.
func InspectDLQ(ctx context.Context, client *sqs.Client, queueURL string, max int) ([]DLQMessage, error) {
	var out []DLQMessage
	seen := map[string]bool{}
	for len(out) < max {
		page, err := receive(ctx, client, queueURL, min(10, max-len(out)))
		if err != nil {
			return out, err
		}
		if len(page) == 0 {
			break
		}
		fresh := 0
		for _, m := range page {
			id := aws.ToString(m.MessageId)
			// Released messages come back; stop when a page is all seen.
			if !seen[id] {
				seen[id] = true
				fresh++
				out = append(out, describe(m))
			}
			if _, err := client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
			}); err != nil {
				return out, fmt.Errorf("release %s: %w", id, err)
			}
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
// message (harmless: evaluation is idempotent) and never loses one.
func Redrive(ctx context.Context, client *sqs.Client, dlqURL, sourceURL string, onlyParseable bool) (RedriveResult, error) {
	var res RedriveResult
	kept := map[string]bool{}
	for {
		page, err := receive(ctx, client, dlqURL, 10)
		if err != nil {
			return res, err
		}
		progress := false
		for _, m := range page {
			id := aws.ToString(m.MessageId)
			if onlyParseable {
				if _, err := events.Parse([]byte(aws.ToString(m.Body))); err != nil {
					if !kept[id] {
						kept[id] = true
						res.Kept++
					}
					continue // stays invisible for this run, then returns
				}
			}
			if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(sourceURL), MessageBody: m.Body}); err != nil {
				return res, fmt.Errorf("redrive %s: send: %w", id, err)
			}
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(dlqURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return res, fmt.Errorf("redrive %s: sent, but delete from the DLQ failed (it will be sent again): %w", id, err)
			}
			res.Moved++
			progress = true
		}
		if len(page) == 0 || !progress {
			return res, nil
		}
	}
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

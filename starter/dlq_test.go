package starter

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Neither inspect nor redrive hides the messages it leaves on the
// dead-letter queue: each command sees all of them right after the other.
func TestDLQCommandsHideNothing(t *testing.T) {
	e := newConsumerEnv(t)
	ctx := context.Background()
	client := e.consumer.SQS
	// Two events that parse (from the fake cloud's CloudTrail), and more
	// bodies that never will than one receive returns.
	e.cloud.SetEventQueue(e.dlq, nil)
	e.change(2)
	for i := range 13 {
		body := []string{"not json", `{"detail-type":"Nothing rectify knows"}`, `{}`}[i%3]
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(e.dlq), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}

	onDLQ := 15
	inspect := func(step string, max, want int) []DLQMessage {
		t.Helper()
		msgs, err := InspectDLQ(ctx, client, e.dlq, max)
		if err != nil {
			t.Fatalf("%s: inspect: %v", step, err)
		}
		if len(msgs) != want {
			t.Errorf("%s: inspect listed %d messages, want %d", step, len(msgs), want)
		}
		if visible, inFlight := e.depth(e.dlq); visible != onDLQ || inFlight != 0 {
			t.Errorf("%s: after inspect the DLQ has %d visible, %d in flight; want all visible", step, visible, inFlight)
		}
		return msgs
	}
	msgs := inspect("before redrive", 100, 15)
	if ids := dlqIDs(msgs); len(slices.Compact(ids)) != len(msgs) {
		t.Errorf("inspect listed a message twice: %v", ids)
	}
	inspect("inspect again", 100, 15)
	inspect("at most 2", 2, 2)

	res, err := Redrive(ctx, client, e.dlq, e.queue, true)
	if err != nil {
		t.Fatalf("redrive: %v", err)
	}
	if res != (RedriveResult{Moved: 2, Kept: 13}) {
		t.Errorf("redrive = %+v, want 2 moved and 13 kept", res)
	}
	if visible, inFlight := e.depth(e.dlq); visible != 13 || inFlight != 0 {
		t.Errorf("after redrive the DLQ has %d visible, %d in flight; want the 13 kept visible", visible, inFlight)
	}
	if visible, _ := e.depth(e.queue); visible != 2 {
		t.Errorf("event queue has %d visible after redrive, want the 2 moved", visible)
	}
	onDLQ = 13
	for _, m := range inspect("after redrive", 100, 13) {
		if m.Error == "" {
			t.Errorf("message %s still on the DLQ parses; redrive should have moved it", m.ID)
		}
	}
	if res, err := Redrive(ctx, client, e.dlq, e.queue, true); err != nil || res != (RedriveResult{Kept: 13}) {
		t.Errorf("second redrive = %+v, %v; want the same 13 kept and nothing moved", res, err)
	}
	inspect("after a second redrive", 100, 13)
}

func dlqIDs(msgs []DLQMessage) []string {
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	slices.Sort(ids)
	return ids
}

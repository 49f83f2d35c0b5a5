// Package starter holds the event sources that start workflows: the SQS
// consumer (CloudTrail through EventBridge) today. A starter never
// evaluates a policy or calls a remediation API itself; it turns events
// into SignalWithStart of Evaluate.
package starter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/events"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/tracing"
	"github.com/rectifyhq/rectify/workflows"
)

// Consumer long-polls an SQS queue and starts an evaluation for every
// resource an event touches. A message is deleted only after every
// SignalWithStart for it succeeded; a message that cannot be parsed is left
// on the queue so that the redrive policy moves it to the dead-letter queue.
type Consumer struct {
	SQS       *sqs.Client
	QueueURL  string
	Temporal  client.Client
	TaskQueue string
	// Filter drops the events rectify's own remediation roles caused.
	Filter events.Filter
	// Accounts, when set, is the allow-list of accounts whose events are
	// evaluated; others are refused, logged and counted.
	Accounts []string
	// DLQURL, when set, is watched for its depth (rectify_dlq_depth).
	DLQURL string
	// Settle is passed to Evaluate: how long a pass waits for the rest of
	// a burst of changes.
	Settle time.Duration
	// Workers is how many messages are handled at once (default 8).
	Workers int
	// WaitTime is the long-poll wait (default 20s, the SQS maximum).
	WaitTime time.Duration
	// VisibilityTimeout overrides the queue's on receive; 0 keeps it.
	// Handling that takes more than half of it extends it, so a slow
	// Temporal never makes a message visible (and handled) twice.
	VisibilityTimeout time.Duration
	Log               *slog.Logger
	Stats             *Stats
	// Tracer starts one span per message; the Temporal tracing interceptor
	// carries it into Evaluate, Remediation and every activity. Nil uses
	// the global tracer provider.
	Tracer trace.Tracer
}

// Run consumes until ctx is cancelled. Messages already received are
// finished (or left to become visible again) before it returns.
func (c *Consumer) Run(ctx context.Context) error {
	if c.QueueURL == "" {
		return errors.New("starter: no queue URL (set queue.url or RECTIFY_QUEUE_URL)")
	}
	workers := c.Workers
	if workers < 1 {
		workers = 8
	}
	wait := int32(20)
	if c.WaitTime > 0 {
		wait = int32(c.WaitTime / time.Second)
	}
	visibility, err := c.visibility(ctx)
	if err != nil {
		return err
	}
	msgs := make(chan sqstypes.Message)
	var wg sync.WaitGroup
	// Handling uses its own context: a SIGTERM stops receiving, but a
	// message in hand is finished rather than abandoned half-way.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	for range workers {
		wg.Go(func() {
			for m := range msgs {
				stop := c.keepInvisible(work, m, visibility)
				c.handle(work, m)
				stop()
			}
		})
	}
	defer func() {
		close(msgs)
		wg.Wait()
	}()
	if c.DLQURL != "" && c.stats().Metrics != nil {
		wg.Go(func() { c.watchDLQ(ctx) })
	}
	backoff := time.Second
	for ctx.Err() == nil {
		in := &sqs.ReceiveMessageInput{
			QueueUrl:            aws.String(c.QueueURL),
			MaxNumberOfMessages: 10,
			WaitTimeSeconds:     wait,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{
				sqstypes.MessageSystemAttributeNameApproximateReceiveCount, sqstypes.MessageSystemAttributeNameSentTimestamp},
		}
		if c.VisibilityTimeout > 0 {
			in.VisibilityTimeout = int32(c.VisibilityTimeout / time.Second)
		}
		out, err := c.SQS.ReceiveMessage(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			c.log().Error("receive from queue", "queue", c.QueueURL, "err", err, "retry_in", backoff)
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
			}
			backoff = min(2*backoff, time.Minute)
			continue
		}
		backoff = time.Second
		for _, m := range out.Messages {
			c.stats().add(&c.stats().Received, 1)
			c.stats().Metrics.Received()
			if ms, err := strconv.ParseInt(m.Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
				c.stats().Metrics.ReceiveLag(time.Since(time.UnixMilli(ms)).Seconds())
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				// Not handled: it becomes visible again after its timeout.
			}
		}
	}
	return nil
}

// watchDLQ keeps rectify_dlq_depth current, so an alert can fire when
// messages start failing.
func (c *Consumer) watchDLQ(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		out, err := c.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(c.DLQURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages},
		})
		if err == nil {
			if n, err := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)]); err == nil {
				c.stats().Metrics.SetDLQDepth(n)
			}
		} else if ctx.Err() == nil {
			c.log().Warn("read dead-letter queue depth", "queue", c.DLQURL, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// visibility is how long a received message stays invisible.
func (c *Consumer) visibility(ctx context.Context) (time.Duration, error) {
	if c.VisibilityTimeout > 0 {
		return c.VisibilityTimeout, nil
	}
	out, err := c.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(c.QueueURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameVisibilityTimeout},
	})
	if err != nil {
		return 0, fmt.Errorf("starter: read queue %s: %w", c.QueueURL, err)
	}
	secs, err := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameVisibilityTimeout)])
	if err != nil || secs <= 0 {
		return 30 * time.Second, nil // the SQS default
	}
	return time.Duration(secs) * time.Second, nil
}

// keepInvisible extends the message's visibility every half timeout until
// stop is called.
func (c *Consumer) keepInvisible(ctx context.Context, m sqstypes.Message, visibility time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(visibility / 2)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if _, err := c.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
					QueueUrl: aws.String(c.QueueURL), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: int32(max(visibility/time.Second, 1)),
				}); err != nil {
					c.log().Warn("extend message visibility", "message_id", aws.ToString(m.MessageId), "err", err)
				}
			}
		}
	}()
	return func() { close(done) }
}

// handle turns one message into evaluations, then deletes it.
func (c *Consumer) handle(ctx context.Context, m sqstypes.Message) {
	id := aws.ToString(m.MessageId)
	tracer := c.Tracer
	if tracer == nil {
		tracer = otel.GetTracerProvider().Tracer(tracing.TracerName)
	}
	ctx, span := tracer.Start(ctx, "rectify.event", trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("messaging.message.id", id), attribute.String("messaging.destination.name", c.QueueURL)))
	defer span.End()
	triggers, err := events.Parse([]byte(aws.ToString(m.Body)))
	if err != nil {
		span.SetStatus(codes.Error, "unparseable")
		c.stats().add(&c.stats().Unparseable, 1)
		c.stats().Metrics.Unparseable()
		c.log().Warn("unparseable message left for the dead-letter queue", "message_id", id,
			"receive_count", m.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)], "reason", err.Error())
		return
	}
	for _, t := range c.Filter.Apply(triggers) {
		if t.Ignored {
			c.stats().ignore(t.Reason)
			c.log().Debug("event ignored", "message_id", id, "event", t.EventName, "resource", t.ARN, "reason", t.Reason)
			continue
		}
		if !slices.Contains(activities.LiveTypes, t.ResourceType) {
			c.stats().ignore(events.CategoryUnsupported + " resource type " + t.ResourceType)
			continue
		}
		if len(c.Accounts) > 0 && !slices.Contains(c.Accounts, t.Account) {
			c.stats().add(&c.stats().Refused, 1)
			c.stats().Metrics.Refused()
			c.log().Warn("event from an account not on the allow-list refused", "message_id", id, "account", t.Account, "event", t.EventName, "resource", t.ARN)
			continue
		}
		span.SetAttributes(attribute.String("rectify.resource", t.ARN), attribute.String("rectify.event_name", t.EventName))
		if err := c.Start(ctx, t); err != nil {
			span.SetStatus(codes.Error, err.Error())
			c.stats().add(&c.stats().StartErrors, 1)
			c.log().Error("start evaluation; message stays on the queue", "message_id", id, "resource", t.ARN, "err", err)
			return
		}
		c.stats().add(&c.stats().Started, 1)
		c.stats().Metrics.Started()
	}
	if _, err := c.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(c.QueueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
		// Harmless: the message comes back and SignalWithStart is repeated.
		c.log().Warn("delete message", "message_id", id, "err", err)
		return
	}
	c.stats().add(&c.stats().Deleted, 1)
}

// Start signals the resource's Evaluate workflow, starting it if needed.
func (c *Consumer) Start(ctx context.Context, t events.Trigger) error {
	return StartEvaluation(ctx, c.Temporal, c.TaskQueue, c.Settle, t)
}

// StartEvaluation is the one way any event source reaches Evaluate.
func StartEvaluation(ctx context.Context, tc client.Client, taskQueue string, settle time.Duration, t events.Trigger) error {
	ref := resource.Ref{Type: t.ResourceType, ID: t.ResourceID, ARN: t.ARN, Account: t.Account, Region: t.Region}
	change := workflows.Change{Source: t.Source, EventName: t.EventName, EventID: t.EventID, Actor: t.ActorARN, EventTime: t.EventTime}
	id := workflows.EvaluateID(t.ARN)
	_, err := tc.SignalWithStartWorkflow(ctx, id, workflows.SignalChanged, change, client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrResource.ValueSet(t.ARN), workflows.AttrAccount.ValueSet(t.Account)),
	}, workflows.EvaluateWorkflow, workflows.EvaluateInput{Ref: ref, Settle: settle, StartedWithAttributes: true})
	if err != nil {
		return fmt.Errorf("signal-with-start %s: %w", id, err)
	}
	return nil
}

func (c *Consumer) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

func (c *Consumer) stats() *Stats {
	if c.Stats == nil {
		c.Stats = &Stats{}
	}
	return c.Stats
}

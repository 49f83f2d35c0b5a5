// Package starter holds the event sources that start workflows: the SQS
// consumer (CloudTrail through EventBridge) today. A starter never
// evaluates a policy or calls a remediation API itself; it turns events
// into SignalWithStart of Evaluate.
package starter

import (
	"cmp"
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

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/events"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/internal/summary"
	"github.com/rectifyhq/rectify/internal/tracing"
)

// Consumer long-polls an SQS queue and starts an evaluation for every
// resource an event touches. A message is deleted only after every
// SignalWithStart for it succeeded; a message that cannot be parsed is left
// on the queue so that the redrive policy moves it to the dead-letter queue.
//
// While Temporal is unavailable the consumer stops receiving: every
// receive counts against the message's maxReceiveCount, so receiving what
// cannot be started would send valid events to the dead-letter queue. The
// messages in hand stay invisible and are started once Temporal's health
// check passes again.
type Consumer struct {
	SQS       *sqs.Client
	QueueURL  string
	Temporal  client.Client
	TaskQueue string
	// Namespace is the client's, for the links in the Temporal UI details
	// of the evaluations it starts (default "default").
	Namespace string
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
	// ProbeBackoff is the first wait between health checks of Temporal
	// while receiving is paused (default 1s); it doubles up to
	// ProbeMaxBackoff (default 10s), which bounds how long the consumer
	// stays paused after Temporal is back.
	ProbeBackoff    time.Duration
	ProbeMaxBackoff time.Duration

	gate pauseGate
}

// consumerRun is the state one Run shares between its receive loop, its
// workers and its health probe.
type consumerRun struct {
	*Consumer
	// ctx is cancelled at shutdown: stop receiving, and stop waiting for
	// Temporal. work outlives it so that a message in hand is finished,
	// or released, rather than abandoned half-way.
	ctx, work  context.Context
	visibility time.Duration
	wg         sync.WaitGroup
}

// heldMessage is a received message and the stop of the goroutine that
// keeps it invisible.
type heldMessage struct {
	sqstypes.Message
	stop func()
}

// errStopping is returned by a start that gave up waiting for Temporal
// because the consumer is stopping.
var errStopping = errors.New("consumer stopping")

// Run consumes until ctx is cancelled. Messages already received are
// finished, or released for another consumer when they wait for Temporal,
// before it returns.
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
	c.gate.resume() // a previous Run may have stopped while paused
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	r := &consumerRun{Consumer: c, ctx: ctx, work: work, visibility: visibility}
	msgs := make(chan heldMessage)
	for range workers {
		r.wg.Go(func() {
			for m := range msgs {
				release := r.handle(m.Message)
				m.stop()
				if release {
					r.release(m.Message)
				}
			}
		})
	}
	defer func() {
		close(msgs)
		r.wg.Wait()
	}()
	if c.DLQURL != "" && c.stats().Metrics != nil {
		r.wg.Go(func() { c.watchDLQ(ctx) })
	}
	backoff := time.Second
	for ctx.Err() == nil {
		// Paused: a receive now would only count against maxReceiveCount.
		if r.gate.wait(ctx) != nil {
			break
		}
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
		// Kept invisible from the receive on: the rest of a batch may wait
		// for a free worker (or for Temporal) longer than the timeout.
		held := make([]heldMessage, len(out.Messages))
		for i, m := range out.Messages {
			c.stats().add(&c.stats().Received, 1)
			c.stats().Metrics.Received()
			if ms, err := strconv.ParseInt(m.Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
				c.stats().Metrics.ReceiveLag(time.Since(time.UnixMilli(ms)).Seconds())
			}
			held[i] = heldMessage{Message: m, stop: r.keepInvisible(m)}
		}
		for i, m := range held {
			select {
			case msgs <- m:
				continue
			case <-ctx.Done():
			}
			for _, m := range held[i:] {
				m.stop()
				r.release(m.Message)
			}
			break
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
// stop returns.
func (r *consumerRun) keepInvisible(m sqstypes.Message) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(r.visibility / 2)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if _, err := r.SQS.ChangeMessageVisibility(r.work, &sqs.ChangeMessageVisibilityInput{
					QueueUrl: aws.String(r.QueueURL), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: int32(max(r.visibility/time.Second, 1)),
				}); err != nil {
					r.log().Warn("extend message visibility", "message_id", aws.ToString(m.MessageId), "err", err)
				}
			}
		}
	}()
	return func() {
		close(done)
		<-exited // no extension may land after a release
	}
}

// release makes a message visible again at once, for another consumer,
// rather than at the end of its visibility timeout. The next receive
// counts against maxReceiveCount either way.
func (r *consumerRun) release(m sqstypes.Message) {
	if _, err := r.SQS.ChangeMessageVisibility(r.work, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(r.QueueURL), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
	}); err != nil {
		r.log().Warn("release message", "message_id", aws.ToString(m.MessageId), "err", err)
	}
}

// handle turns one message into evaluations, then deletes it. It reports
// whether the message should be released: the consumer is stopping while
// the message waits for Temporal.
func (r *consumerRun) handle(m sqstypes.Message) (release bool) {
	c := r.Consumer
	id := aws.ToString(m.MessageId)
	tracer := c.Tracer
	if tracer == nil {
		tracer = otel.GetTracerProvider().Tracer(tracing.TracerName)
	}
	ctx, span := tracer.Start(r.work, "rectify.event", trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("messaging.message.id", id), attribute.String("messaging.destination.name", c.QueueURL)))
	defer span.End()
	triggers, err := events.Parse([]byte(aws.ToString(m.Body)))
	if err != nil {
		span.SetStatus(codes.Error, "unparseable")
		c.stats().add(&c.stats().Unparseable, 1)
		c.stats().Metrics.Unparseable()
		c.log().Warn("unparseable message left for the dead-letter queue", "message_id", id,
			"receive_count", m.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)], "reason", err.Error())
		return false
	}
	for _, t := range c.Filter.Apply(triggers) {
		if t.Ignored {
			c.stats().ignore(t.Reason)
			c.log().Debug("event ignored", "message_id", id, "event", t.EventName, "resource", t.ARN, "reason", t.Reason)
			continue
		}
		if !slices.Contains(liveTypes, t.ResourceType) {
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
		if err := r.start(ctx, t); err != nil {
			span.SetStatus(codes.Error, err.Error())
			if errors.Is(err, errStopping) {
				c.log().Info("stopping while Temporal is unavailable: message released for another consumer", "message_id", id, "resource", t.ARN)
				return true
			}
			c.stats().add(&c.stats().StartErrors, 1)
			c.log().Error("start evaluation; message stays on the queue", "message_id", id, "resource", t.ARN, "err", err)
			return false
		}
		c.stats().add(&c.stats().Started, 1)
		c.stats().Metrics.Started()
	}
	if _, err := c.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(c.QueueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
		// Harmless: the message comes back and SignalWithStart is repeated.
		c.log().Warn("delete message", "message_id", id, "err", err)
		return false
	}
	c.stats().add(&c.stats().Deleted, 1)
	return false
}

// start signals t's Evaluate. While Temporal is unavailable it pauses
// receiving and waits with the message in hand, kept invisible, so an
// outage costs the message no receive; it retries once the health probe
// resumes receiving. Other errors are returned at once.
func (r *consumerRun) start(ctx context.Context, t events.Trigger) error {
	for {
		err := r.Start(ctx, t)
		if err == nil || !temporalUnavailable(err) {
			return err
		}
		r.pause(err)
		if r.gate.wait(r.ctx) != nil {
			return fmt.Errorf("%w while waiting for Temporal: %w", errStopping, err)
		}
	}
}

// pause stops receiving until Temporal's health check passes. Only the
// first failing start of an outage logs, counts and starts the probe.
func (r *consumerRun) pause(cause error) {
	if !r.gate.pause(cause) {
		return
	}
	r.log().Warn("Temporal unavailable: receiving paused until its health check passes; messages in hand stay invisible",
		"queue", r.QueueURL, "err", cause)
	r.stats().paused()
	r.wg.Go(r.probe)
}

// probe checks Temporal's health with backoff until it passes, then
// resumes receiving. It gives up, still paused, when the consumer stops.
func (r *consumerRun) probe() {
	backoff := cmp.Or(r.ProbeBackoff, time.Second)
	maxBackoff := max(cmp.Or(r.ProbeMaxBackoff, 10*time.Second), backoff)
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(backoff):
		}
		ctx, cancel := context.WithTimeout(r.ctx, 5*time.Second)
		_, err := r.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
		cancel()
		if err == nil {
			break
		}
		r.log().Debug("Temporal still unavailable", "err", err, "retry_in", backoff)
		backoff = min(2*backoff, maxBackoff)
	}
	pausedFor := r.gate.resume()
	r.stats().Metrics.Resumed()
	r.log().Info("Temporal healthy again: receiving resumed", "queue", r.QueueURL, "paused_for", pausedFor.Round(time.Millisecond))
}

// Ready reports whether the consumer can do its work: receiving is not
// paused, Temporal passes its health check, and the queue answers. It is
// the starter's /readyz.
func (c *Consumer) Ready(ctx context.Context) error {
	if since, cause, paused := c.gate.paused(); paused {
		return fmt.Errorf("receiving paused since %s: Temporal unavailable: %w", since.UTC().Format(time.RFC3339), cause)
	}
	if _, err := c.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	if _, err := c.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(c.QueueURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages},
	}); err != nil {
		return fmt.Errorf("queue %s: %w", c.QueueURL, err)
	}
	return nil
}

// Start signals the resource's Evaluate workflow, starting it if needed.
func (c *Consumer) Start(ctx context.Context, t events.Trigger) error {
	return StartEvaluation(ctx, c.Temporal, c.Namespace, c.TaskQueue, c.Settle, t)
}

// StartEvaluation is the one way any event source reaches Evaluate. A new
// run gets a summary and details the Temporal UI shows; a running one
// keeps its own and takes the change as a signal.
func StartEvaluation(ctx context.Context, tc client.Client, namespace, taskQueue string, settle time.Duration, t events.Trigger) error {
	ref := resource.Ref{Type: t.ResourceType, ID: t.ResourceID, ARN: t.ARN, Account: t.Account, Region: t.Region}
	change := contract.Change{Source: t.Source, EventName: t.EventName, EventID: t.EventID, Actor: t.ActorARN, EventTime: t.EventTime}
	id := contract.EvaluateID(t.ARN)
	if namespace == "" {
		namespace = "default"
	}
	_, err := tc.SignalWithStartWorkflow(ctx, id, contract.SignalChanged, change, client.StartWorkflowOptions{
		ID:            id,
		TaskQueue:     taskQueue,
		StaticSummary: summary.Evaluate(ref, change),
		StaticDetails: summary.EvaluateDetails(namespace, ref, change),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			contract.AttrResource.ValueSet(t.ARN), contract.AttrAccount.ValueSet(t.Account)),
	}, contract.EvaluateWorkflow, contract.EvaluateInput{Ref: ref, Settle: settle, StartedWithAttributes: true, Generation: contract.Generation})
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

// liveTypes are the resource types the worker can read; events about
// other types are counted and ignored.
var liveTypes = service.Registry.LiveTypes()

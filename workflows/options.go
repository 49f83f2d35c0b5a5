package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/summary"
)

// nonRetryable are the error types final at once: a missing permission, a
// malformed request, rectify's own refusals. The list is awserr's, which
// the activities classify with too. Auth codes (a refused session or
// role) and eventually consistent NotFound codes are not in it: the
// activity retries them for a grace counted in attempts of these retry
// policies, then marks them non-retryable itself.
var nonRetryable = awserr.NonRetryable

// readOptions are for reading and judging live state, and for dispatching
// to other workflows: short calls that are safe to repeat, retried with
// backoff for as long as a throttling storm or an outage lasts (bounded by
// the schedule-to-close timeout, after which the event is given up and the
// next event or sweep evaluates again).
func readOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    15 * time.Second,
		ScheduleToCloseTimeout: 30 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			NonRetryableErrorTypes: nonRetryable,
		},
	})
}

// changeOptions are for snapshot, apply and undo: they change production,
// so they are idempotent and retried, but given up after an hour, when the
// violation is recorded as failed for a human to look at. Each is one or
// two short AWS calls, so a 15 s attempt limit lets a new worker take over
// quickly from one that died mid-call. The same suits keeping the trigger
// of an evaluation that gave up (EvaluationFailed): one SQS send, whose
// message is gone from the event queue, so it is worth an hour of retries.
func changeOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    15 * time.Second,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        2 * time.Minute,
			NonRetryableErrorTypes: nonRetryable,
		},
	})
}

// recordOptions are for findings: losing one is worse than recording it
// late, so they retry for a day.
func recordOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: nonRetryable,
		},
	})
}

// notifyOptions are for messages to humans: retried for ten minutes (Slack
// rate limits say when to come back), then given up so that a notifier
// outage never holds up a fix.
func notifyOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			NonRetryableErrorTypes: nonRetryable,
		},
	})
}

// withSummary names one activity call for the Temporal UI
// (ActivityOptions.Summary: "revoke ingress rule(s) sgr-1 on sg-0abc").
// A summary is user metadata, not part of the command replay compares, so
// adding or rewording one needs no version.
func withSummary(ctx workflow.Context, text string) workflow.Context {
	o := workflow.GetActivityOptions(ctx)
	o.Summary = summary.Line(text, summary.MaxSummary)
	return workflow.WithActivityOptions(ctx, o)
}

package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/events"
	"github.com/rectifyhq/rectify/internal/resource"
)

// EvaluationFailedInput is an evaluation that gave up, with the change it
// was for.
type EvaluationFailedInput struct {
	WorkflowID string                `json:"workflow_id"`
	Ref        resource.Ref          `json:"ref"`
	Change     events.RequeuedChange `json:"change"`
	// ErrorType is the error type of the failure (an AWS error code,
	// awserr.AssumeRoleDenied, awserr.TypeTimeout), or "".
	ErrorType string    `json:"error_type,omitempty"`
	Reason    string    `json:"reason"`
	FailedAt  time.Time `json:"failed_at"`
}

// EvaluationFailedOutput says where the trigger was kept.
type EvaluationFailedOutput struct {
	// MessageID is the dead-letter queue's id of the message; empty when no
	// queue is configured (the trigger is then only in the log and the
	// workflow history).
	MessageID string `json:"message_id,omitempty"`
}

// EvaluationFailed records an evaluation that gave up: it counts it
// (rectify_evaluations_failed_total{reason}) and puts its trigger on the
// dead-letter queue (queue.dlq_url) as an events.Requeued message, which
// `rectify dlq redrive` sends back to the event queue and the starter
// parses like any event. The starter deleted the original message once it
// reached Temporal, so without this the violation would be lost until the
// next change or sweep. A retry after a send whose answer was lost sends
// the message twice: harmless, an evaluation is idempotent.
func (a *Activities) EvaluationFailed(ctx context.Context, in EvaluationFailedInput) (EvaluationFailedOutput, error) {
	if awserr.Attempt(ctx) == 1 {
		// Once per give-up, whatever the queue does.
		a.Metrics.EvaluationFailed(awserr.Reason(in.ErrorType))
	}
	body, err := json.Marshal(events.Requeued{
		Kind: events.RequeuedKind, Resource: in.Ref, Change: in.Change, Reason: in.Reason,
		ErrorType: in.ErrorType, WorkflowID: in.WorkflowID, FailedAt: in.FailedAt,
	})
	if err != nil {
		return EvaluationFailedOutput{}, awserr.Permanent(ErrInvalidParams, "encode the trigger of %s: %v", in.Ref.ARN, err)
	}
	log := a.logger().With("workflow_id", in.WorkflowID, "resource", in.Ref.ARN, "account", in.Ref.Account, "error_type", in.ErrorType)
	dlq := a.DLQURL
	if dlq == "" {
		log.Error("evaluation gave up and no dead-letter queue is configured (queue.dlq_url): the trigger is kept only in this log and the workflow history; send it to the event queue to evaluate again",
			"reason", in.Reason, "message", string(body))
		return EvaluationFailedOutput{}, nil
	}
	out, err := a.AWS.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(dlq), MessageBody: aws.String(string(body))})
	if err != nil {
		return EvaluationFailedOutput{}, awserr.Wrap(ctx, fmt.Sprintf("send the trigger of %s to the dead-letter queue %s", in.Ref.ARN, dlq), err)
	}
	log.Warn("evaluation gave up; its trigger is on the dead-letter queue for `rectify dlq redrive`",
		"reason", in.Reason, "queue", dlq, "message_id", aws.ToString(out.MessageId))
	return EvaluationFailedOutput{MessageID: aws.ToString(out.MessageId)}, nil
}

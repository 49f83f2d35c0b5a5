package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/awserr"
)

// Error types of failures that are ours, not AWS's. The list of what is
// retried, and for how long, is awserr's.
const (
	ErrUnsupportedResourceType = awserr.UnsupportedResourceType
	ErrUnknownAction           = awserr.UnknownAction
	ErrUnknownPolicy           = awserr.UnknownPolicy
	ErrInvalidParams           = awserr.InvalidParams
)

// awsError turns an SDK error into a Temporal application error whose type
// is the AWS error code (awserr.AssumeRoleDenied when STS refused the
// role), so retry policies can match it by name. Permanent codes are final
// at once; auth codes are retried until the worker's auth grace
// (aws.auth_grace_attempts) is spent, with credentials the client factory
// dropped, and eventually consistent NotFound codes for a shorter grace.
func awsError(ctx context.Context, op string, err error) error {
	code := awserr.Code(err)
	if code == "" {
		return fmt.Errorf("%s: %w", op, err)
	}
	msg := fmt.Sprintf("%s: %s: %s", op, code, errorMessage(err))
	if awserr.Final(code, attempt(ctx), awserr.AuthGrace(ctx)) {
		return temporal.NewNonRetryableApplicationError(msg, code, err)
	}
	return temporal.NewApplicationErrorWithCause(msg, code, err)
}

// errorMessage is the AWS error message, or the whole error when there is
// none (a refused AssumeRole is worth reading in full: it names the role).
func errorMessage(err error) string {
	var roleErr *awserr.AssumeRoleError
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &roleErr):
		return roleErr.Error()
	case errors.As(err, &apiErr) && apiErr.ErrorMessage() != "":
		return apiErr.ErrorMessage()
	}
	return err.Error()
}

// attempt is the activity attempt, or 1 outside an activity (unit tests).
func attempt(ctx context.Context) int32 {
	if !activity.IsActivity(ctx) {
		return 1
	}
	return activity.GetInfo(ctx).Attempt
}

// errorCode is the error type rectify gives err (its AWS error code), or "".
func errorCode(err error) string { return awserr.Code(err) }

func permanent(errType, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), errType, nil)
}

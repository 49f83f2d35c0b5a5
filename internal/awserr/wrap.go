package awserr

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Wrap turns an SDK error into a Temporal application error whose type is
// the AWS error code (AssumeRoleDenied when STS refused the role), so retry
// policies can match it by name. Permanent codes are final at once; auth
// codes are retried until the worker's auth grace is spent (with
// credentials the client factory dropped), and eventually consistent
// NotFound codes for a shorter grace. op says what was being done, with
// the object: "revoke sgr-1 on sg-2".
func Wrap(ctx context.Context, op string, err error) error {
	code := Code(err)
	if code == "" {
		return fmt.Errorf("%s: %w", op, err)
	}
	msg := fmt.Sprintf("%s: %s: %s", op, code, message(err))
	if Final(code, Attempt(ctx), AuthGrace(ctx)) {
		return temporal.NewNonRetryableApplicationError(msg, code, err)
	}
	return temporal.NewApplicationErrorWithCause(msg, code, err)
}

// message is the AWS error message, or the whole error when there is none
// (a refused AssumeRole is worth reading in full: it names the role).
func message(err error) string {
	var roleErr *AssumeRoleError
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &roleErr):
		return roleErr.Error()
	case errors.As(err, &apiErr) && apiErr.ErrorMessage() != "":
		return apiErr.ErrorMessage()
	}
	return err.Error()
}

// Attempt is the activity attempt, or 1 outside an activity (unit tests).
func Attempt(ctx context.Context) int32 {
	if !activity.IsActivity(ctx) {
		return 1
	}
	return activity.GetInfo(ctx).Attempt
}

// Permanent is a final error of one of rectify's own types (InvalidParams,
// UnsupportedResourceType, ...).
func Permanent(errType, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), errType, nil)
}

package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/smithy-go"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Codes no retry can fix.
var permanentCodes = []string{
	"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure",
	"InvalidClientTokenId", "InvalidAccessKeyId", "MalformedPolicy", "InvalidParameterValue",
	// KMS: the key cannot rotate; CloudTrail: a change outside the home region.
	"UnsupportedOperationException", "InvalidHomeRegionException",
}

// Codes that can be a read-after-write artefact of eventual consistency:
// retried for a short grace, then given up.
var eventuallyConsistentCodes = []string{
	"InvalidGroup.NotFound", "NoSuchBucket", "InvalidSecurityGroupRuleId.NotFound",
	"NotFoundException", "TrailNotFoundException", // KMS, CloudTrail
}

// graceAttempts is how many attempts an eventually consistent NotFound gets.
const graceAttempts = 3

// Error types of failures that are ours, not AWS's.
const (
	ErrUnsupportedResourceType = "UnsupportedResourceType"
	ErrUnknownAction           = "UnknownAction"
	ErrUnknownPolicy           = "UnknownPolicy"
	ErrInvalidParams           = "InvalidParams"
)

// awsError turns an SDK error into a Temporal application error whose type
// is the AWS error code, so retry policies can match it by name.
func awsError(ctx context.Context, op string, err error) error {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("%s: %w", op, err)
	}
	code := apiErr.ErrorCode()
	msg := fmt.Sprintf("%s: %s: %s", op, code, apiErr.ErrorMessage())
	switch {
	case slices.Contains(permanentCodes, code):
		return temporal.NewNonRetryableApplicationError(msg, code, err)
	case slices.Contains(eventuallyConsistentCodes, code) && attempt(ctx) >= graceAttempts:
		return temporal.NewNonRetryableApplicationError(msg, code, err)
	}
	return temporal.NewApplicationErrorWithCause(msg, code, err)
}

// attempt is the activity attempt, or 1 outside an activity (unit tests).
func attempt(ctx context.Context) int32 {
	if !activity.IsActivity(ctx) {
		return 1
	}
	return activity.GetInfo(ctx).Attempt
}

// errorCode is the AWS error code of err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func permanent(errType, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), errType, nil)
}

package activities

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/smithy-go"
	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/awserr"
)

// awsError gives every AWS failure its code as the error type, and is
// final exactly when awserr says so for this attempt and grace.
func TestAWSError(t *testing.T) {
	api := func(code string) error {
		return &smithy.OperationError{ServiceID: "EC2", OperationName: "DescribeSecurityGroups", Err: &smithy.GenericAPIError{Code: code, Message: "msg"}}
	}
	refused := &smithy.OperationError{ServiceID: "EC2", OperationName: "DescribeSecurityGroups",
		Err: &awserr.AssumeRoleError{Role: "arn:aws:iam::123456789012:role/rectify-remediation", Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform sts:AssumeRole"}}}
	for _, tc := range []struct {
		name      string
		err       error
		grace     int // 0: none in the context (the default)
		wantType  string
		wantFinal bool
	}{
		{"permanent", api("UnauthorizedOperation"), 0, "UnauthorizedOperation", true},
		{"auth within the grace", api("AuthFailure"), 0, "AuthFailure", false},
		{"auth past a grace of one attempt", api("AuthFailure"), 1, "AuthFailure", true},
		{"expired token within a grace of two", api("ExpiredToken"), 2, "ExpiredToken", false},
		{"role refused within the grace", refused, 0, awserr.AssumeRoleDenied, false},
		{"role refused past the grace", refused, 1, awserr.AssumeRoleDenied, true},
		{"throttled", api("RequestLimitExceeded"), 1, "RequestLimitExceeded", false},
		{"eventually consistent, first attempt", api("InvalidGroup.NotFound"), 1, "InvalidGroup.NotFound", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.grace > 0 {
				ctx = awserr.WithAuthGrace(ctx, tc.grace)
			}
			err := awserr.Wrap(ctx, "describe security group sg-1", tc.err)
			var app *temporal.ApplicationError
			if !errors.As(err, &app) {
				t.Fatalf("awsError = %T %v, want an application error", err, err)
			}
			if app.Type() != tc.wantType || app.NonRetryable() != tc.wantFinal {
				t.Errorf("type %q final %v, want %q final %v (%v)", app.Type(), app.NonRetryable(), tc.wantType, tc.wantFinal, err)
			}
		})
	}
	if err := awserr.Wrap(context.Background(), "op", errors.New("dial tcp: refused")); errors.As(err, new(*temporal.ApplicationError)) {
		t.Errorf("a network error became an application error: %v (it must stay retryable without a type)", err)
	}
}

// The worker's activity context carries the configured grace.
func TestContextCarriesAuthGrace(t *testing.T) {
	a := &Activities{AuthGrace: 3}
	if got := awserr.AuthGrace(Context(context.Background(), a)); got != 3 {
		t.Errorf("grace %d, want 3", got)
	}
	if got := awserr.AuthGrace(Context(context.Background(), &Activities{})); got != awserr.DefaultAuthGraceAttempts {
		t.Errorf("no config: grace %d, want the default", got)
	}
}

package awserr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/smithy-go"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		code string
		want Class
	}{
		{"AccessDenied", ClassPermanent},
		{"AccessDeniedException", ClassPermanent},
		{"UnauthorizedOperation", ClassPermanent},
		{"MalformedPolicy", ClassPermanent},
		{"InvalidParameterValue", ClassPermanent},
		{"UnsupportedOperationException", ClassPermanent},
		{"InvalidHomeRegionException", ClassPermanent},
		{UnsupportedResourceType, ClassPermanent},
		{UnknownAction, ClassPermanent},
		{UnknownPolicy, ClassPermanent},
		{InvalidParams, ClassPermanent},

		{"InvalidAccessKeyId", ClassAuthGrace},
		{"InvalidClientTokenId", ClassAuthGrace},
		{"UnrecognizedClientException", ClassAuthGrace},
		{"AuthFailure", ClassAuthGrace},
		{"ExpiredToken", ClassAuthGrace},
		{"ExpiredTokenException", ClassAuthGrace},
		{"RequestExpired", ClassAuthGrace},
		{"InvalidToken", ClassAuthGrace},
		{AssumeRoleDenied, ClassAuthGrace},

		{"InvalidGroup.NotFound", ClassConsistencyGrace},
		{"NoSuchBucket", ClassConsistencyGrace},
		{"InvalidSecurityGroupRuleId.NotFound", ClassConsistencyGrace},
		{"NotFoundException", ClassConsistencyGrace},
		{"TrailNotFoundException", ClassConsistencyGrace},

		{"RequestLimitExceeded", ClassRetryable},
		{"Throttling", ClassRetryable},
		{"SlowDown", ClassRetryable},
		{"InternalError", ClassRetryable},
		{"", ClassRetryable},
	} {
		if got := Classify(tc.code); got != tc.want {
			t.Errorf("Classify(%q) = %d, want %d", tc.code, got, tc.want)
		}
	}
}

// The lists must not overlap: a code both permanent and in a grace would
// be final at once in the workflows' retry policy whatever the activity
// decided.
func TestListsDisjoint(t *testing.T) {
	for _, code := range slices.Concat(Auth, EventuallyConsistent) {
		if slices.Contains(NonRetryable, code) {
			t.Errorf("%s is in NonRetryable and in a grace list", code)
		}
	}
	for _, code := range Auth {
		if slices.Contains(EventuallyConsistent, code) {
			t.Errorf("%s is in Auth and EventuallyConsistent", code)
		}
	}
}

func TestFinal(t *testing.T) {
	for _, tc := range []struct {
		code      string
		attempt   int32
		authGrace int
		want      bool
	}{
		{"AccessDenied", 1, 0, true},
		{"InvalidClientTokenId", 1, 0, false},
		{"InvalidClientTokenId", DefaultAuthGraceAttempts - 1, 0, false},
		{"InvalidClientTokenId", DefaultAuthGraceAttempts, 0, true},
		{AssumeRoleDenied, 1, 2, false},
		{AssumeRoleDenied, 2, 2, true},
		{"AuthFailure", 3, 2, true},
		{"NoSuchBucket", ConsistencyGraceAttempts - 1, 0, false},
		{"NoSuchBucket", ConsistencyGraceAttempts, 0, true},
		{"RequestLimitExceeded", 1000, 0, false},
	} {
		if got := Final(tc.code, tc.attempt, tc.authGrace); got != tc.want {
			t.Errorf("Final(%q, attempt %d, grace %d) = %v, want %v", tc.code, tc.attempt, tc.authGrace, got, tc.want)
		}
	}
}

func TestCode(t *testing.T) {
	api := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }
	op := func(service, operation string, err error) error {
		return &smithy.OperationError{ServiceID: service, OperationName: operation, Err: err}
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"not an AWS error", errors.New("dial tcp: refused"), ""},
		{"operation error", op("EC2", "DescribeSecurityGroups", api("AuthFailure")), "AuthFailure"},
		{"wrapped", fmt.Errorf("fetch: %w", op("S3", "GetBucketTagging", api("InvalidAccessKeyId"))), "InvalidAccessKeyId"},
		// The SDK wraps a credentials failure as the operation's error: the
		// AccessDenied inside is STS's refusal of the role, not EC2's.
		{"assume role refused", op("EC2", "DescribeSecurityGroups", fmt.Errorf("get identity: %w",
			&AssumeRoleError{Role: "arn:aws:iam::1:role/r", Err: op("STS", "AssumeRole", api("AccessDenied"))})), AssumeRoleDenied},
		{"assume role with bad base keys", op("EC2", "DescribeSecurityGroups",
			&AssumeRoleError{Role: "r", Err: op("STS", "AssumeRole", api("InvalidClientTokenId"))}), "InvalidClientTokenId"},
		{"assume role throttled", &AssumeRoleError{Role: "r", Err: api("Throttling")}, "Throttling"},
		{"assume role network error", &AssumeRoleError{Role: "r", Err: errors.New("connection reset")}, ""},
		{"access denied on the operation", op("EC2", "RevokeSecurityGroupIngress", api("UnauthorizedOperation")), "UnauthorizedOperation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Code(tc.err); got != tc.want {
				t.Errorf("Code = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReason(t *testing.T) {
	for code, want := range map[string]string{
		"InvalidClientTokenId": ReasonAuth,
		AssumeRoleDenied:       ReasonAuth,
		"AccessDenied":         ReasonPermanent,
		UnknownPolicy:          ReasonPermanent,
		"NoSuchBucket":         ReasonNotFound,
		TypeTimeout:            ReasonTimeout,
		"SomethingElse":        ReasonOther,
		"":                     ReasonOther,
	} {
		if got := Reason(code); got != want {
			t.Errorf("Reason(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestAuthGraceContext(t *testing.T) {
	if got := AuthGrace(context.Background()); got != DefaultAuthGraceAttempts {
		t.Errorf("no grace in context: %d, want the default %d", got, DefaultAuthGraceAttempts)
	}
	if got := AuthGrace(WithAuthGrace(context.Background(), 2)); got != 2 {
		t.Errorf("grace 2: got %d", got)
	}
	if got := AuthGrace(WithAuthGrace(context.Background(), 0)); got != DefaultAuthGraceAttempts {
		t.Errorf("grace 0 means the default: got %d", got)
	}
}

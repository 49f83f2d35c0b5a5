// Package awserr is the one classification of the errors rectify's
// activities meet: which AWS error codes no retry can fix, which are a
// credentials problem that a fresh AssumeRole may cure, and which are a
// read-after-write artefact of eventual consistency. The activities turn
// errors into Temporal application errors with it, the workflows' retry
// policies name its NonRetryable list, and the AWS client factory drops
// cached credentials on its auth codes. A second copy of any of these lists
// is how a retry policy and an activity come to disagree.
//
// It imports neither workflows nor activities, so every layer can use it.
package awserr

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/smithy-go"
)

// Error types of failures that are rectify's own, not AWS's.
const (
	UnsupportedResourceType = "UnsupportedResourceType"
	UnknownAction           = "UnknownAction"
	UnknownPolicy           = "UnknownPolicy"
	InvalidParams           = "InvalidParams"
)

// AssumeRoleDenied is the error type of an AssumeRole that STS refused
// (AccessDenied on sts:AssumeRole: a trust policy, an SCP or an external id
// that is wrong, perhaps only for a moment). It is not AccessDenied, which
// would be permanent: the refusal is about reaching the account, not about
// the operation, and is retried for the auth grace like other auth codes.
const AssumeRoleDenied = "AssumeRoleDenied"

// permanentAWS are AWS codes that no retry can fix: a missing permission,
// a malformed request, an operation the resource does not support.
var permanentAWS = []string{
	"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
	"MalformedPolicy", "InvalidParameterValue",
	// KMS: the key cannot rotate; CloudTrail: a change outside the home region.
	"UnsupportedOperationException", "InvalidHomeRegionException",
}

// NonRetryable is every error type that is final at once: the permanent AWS
// codes and rectify's own. It is the NonRetryableErrorTypes of every retry
// policy. It holds no auth or eventually consistent code: those are
// retryable for a grace, which the activity decides by its attempt count.
var NonRetryable = slices.Concat(permanentAWS, []string{UnsupportedResourceType, UnknownAction, UnknownPolicy, InvalidParams})

// Auth are the codes that say the credentials a call was signed with are
// not (or no longer) accepted, by service family:
//   - InvalidAccessKeyId (S3), InvalidClientTokenId (STS, IAM, RDS and the
//     other awsquery services), UnrecognizedClientException (awsJson: KMS,
//     CloudTrail, Config, Security Hub), AuthFailure (EC2): a key the
//     service does not know, e.g. a session it has forgotten or revoked;
//   - ExpiredToken, ExpiredTokenException, RequestExpired (EC2): a session
//     past its expiry;
//   - InvalidToken (S3): a session token that does not match its key;
//   - AssumeRoleDenied: STS refused the role itself.
//
// A fresh AssumeRole may cure every one of them, so the client factory
// drops the account's cached credentials on them, and the activities retry
// them for AuthGraceAttempts before giving up.
var Auth = []string{
	"InvalidAccessKeyId", "InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure",
	"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidToken",
	AssumeRoleDenied,
}

// EventuallyConsistent are NotFound codes that can be a read-after-write
// artefact: retried for ConsistencyGraceAttempts, then given up.
var EventuallyConsistent = []string{
	"InvalidGroup.NotFound", "NoSuchBucket", "InvalidSecurityGroupRuleId.NotFound",
	"NotFoundException", "TrailNotFoundException", // KMS, CloudTrail
}

// ConsistencyGraceAttempts is how many attempts an eventually consistent
// NotFound gets.
const ConsistencyGraceAttempts = 3

// DefaultAuthGraceAttempts is how many attempts an auth error gets before
// it is final. With the workflows' backoff (1 s doubling, capped at one
// minute between attempts) the tenth attempt starts 1+2+4+8+16+32+60+60+60
// = 243 s after the first: about four minutes for a trust policy, an SCP or
// an identity store to come right, each attempt with freshly assumed
// credentials.
const DefaultAuthGraceAttempts = 10

// Class is what an error code calls for.
type Class int

const (
	// ClassRetryable: throttling, a 5xx, a timeout, anything unknown.
	ClassRetryable Class = iota
	// ClassPermanent: final at once.
	ClassPermanent
	// ClassAuthGrace: retryable until the auth grace is spent.
	ClassAuthGrace
	// ClassConsistencyGrace: retryable until the consistency grace is spent.
	ClassConsistencyGrace
)

// Classify says what an error type calls for.
func Classify(code string) Class {
	switch {
	case slices.Contains(NonRetryable, code):
		return ClassPermanent
	case slices.Contains(Auth, code):
		return ClassAuthGrace
	case slices.Contains(EventuallyConsistent, code):
		return ClassConsistencyGrace
	}
	return ClassRetryable
}

// Final reports whether an error of type code on the given attempt (1 for
// the first) must not be retried, with authGrace attempts for auth codes
// (0 takes DefaultAuthGraceAttempts).
func Final(code string, attempt int32, authGrace int) bool {
	switch Classify(code) {
	case ClassPermanent:
		return true
	case ClassAuthGrace:
		return attempt >= int32(orDefault(authGrace))
	case ClassConsistencyGrace:
		return attempt >= ConsistencyGraceAttempts
	}
	return false
}

// IsAuth reports whether code is an auth code.
func IsAuth(code string) bool { return slices.Contains(Auth, code) }

// AssumeRoleError is a failure to get credentials for a role: the client
// factory wraps its AssumeRole provider's errors in it, so a refusal by STS
// is told apart from an AccessDenied on the operation the credentials were
// for (the SDK wraps both as the operation's error).
type AssumeRoleError struct {
	Role string
	Err  error
}

func (e *AssumeRoleError) Error() string { return "assume role " + e.Role + ": " + e.Err.Error() }

func (e *AssumeRoleError) Unwrap() error { return e.Err }

// Code is the error type rectify gives err: AssumeRoleDenied for a role
// STS refused, else the AWS error code in its chain, else "".
func Code(err error) string {
	if err == nil {
		return ""
	}
	var apiErr smithy.APIError
	hasAPI := errors.As(err, &apiErr)
	var roleErr *AssumeRoleError
	if errors.As(err, &roleErr) && hasAPI {
		switch apiErr.ErrorCode() {
		case "AccessDenied", "AccessDeniedException":
			return AssumeRoleDenied
		}
	}
	if hasAPI {
		return apiErr.ErrorCode()
	}
	return ""
}

// IsAuthError reports whether err is an auth error (see Auth).
func IsAuthError(err error) bool { return IsAuth(Code(err)) }

// Reasons are the values of the reason label of rectify's failure counters:
// a few stable words, where the error types are many.
const (
	ReasonAuth      = "auth"
	ReasonPermanent = "permanent"
	ReasonNotFound  = "not_found"
	// ReasonTimeout: the retries ran out of time (a throttling storm, an
	// outage), or an attempt hung.
	ReasonTimeout = "timeout"
	ReasonOther   = "other"
)

// TypeTimeout is the error type a workflow gives a Temporal timeout, which
// has no application error type of its own.
const TypeTimeout = "Timeout"

// Reason is the metric label for an error type.
func Reason(code string) string {
	if code == TypeTimeout {
		return ReasonTimeout
	}
	switch Classify(code) {
	case ClassPermanent:
		return ReasonPermanent
	case ClassAuthGrace:
		return ReasonAuth
	case ClassConsistencyGrace:
		return ReasonNotFound
	}
	return ReasonOther
}

type authGraceKey struct{}

// WithAuthGrace returns ctx carrying the auth grace in attempts, for the
// worker's activity context: the activities read it with AuthGrace.
func WithAuthGrace(ctx context.Context, attempts int) context.Context {
	return context.WithValue(ctx, authGraceKey{}, attempts)
}

// AuthGrace is the auth grace ctx carries, or DefaultAuthGraceAttempts.
func AuthGrace(ctx context.Context) int {
	n, _ := ctx.Value(authGraceKey{}).(int)
	return orDefault(n)
}

func orDefault(n int) int {
	if n <= 0 {
		return DefaultAuthGraceAttempts
	}
	return n
}

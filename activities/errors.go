package activities

import "github.com/rectifyhq/rectify/internal/awserr"

// Error types of failures that are ours, not AWS's. The list of what is
// retried, and for how long, is awserr's.
const (
	ErrUnsupportedResourceType = awserr.UnsupportedResourceType
	ErrUnknownAction           = awserr.UnknownAction
	ErrUnknownPolicy           = awserr.UnknownPolicy
	ErrInvalidParams           = awserr.InvalidParams
)

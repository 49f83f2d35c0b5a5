package kind

import (
	"errors"
	"maps"
	"slices"

	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TagReadRefused reports whether a failed tag read (an error from
// awserr.Wrap) leaves the resource to be judged without its tags rather
// than retried: AWS refused the tag read alone for good (AccessDenied for
// s3:GetBucketTagging in a bucket policy, a KMS key policy without
// kms:ListResourceTags). Throttling, 5xx and auth errors are retried like
// any read. The violation then waits for a human: see exempt.For.
func TagReadRefused(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.NonRetryable() && awserr.Classify(app.Type()) == awserr.ClassPermanent
}

// WithoutTags is res judged without its tags when reading them was refused
// (tagsErr): unknown to the policies, uncertain for exemptions.
func WithoutTags(res resource.Resource, tagsErr error) resource.Resource {
	if tagsErr != nil {
		res.Tags, res.TagsErr = nil, tagsErr
	}
	return res
}

// SortedKeys are a tag map's keys in order, so tag calls are repeatable.
func SortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

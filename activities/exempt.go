package activities

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/resource"
)

// Exemption says why a violation must not be remediated; the tag form is
// read by package exempt, shared with `rectify check`.
type Exemption = exempt.Exemption

// Exemption tags, as humans write them on resources.
const (
	TagExempt      = exempt.TagExempt
	TagExemptUntil = exempt.TagExemptUntil
)

// tagReadRefused reports whether a failed tag read (an error from
// awsError) leaves the resource to be judged without its tags rather than
// retried: AWS refused the tag read alone for good (AccessDenied for
// s3:GetBucketTagging in a bucket policy, a KMS key policy without
// kms:ListResourceTags). Throttling, 5xx and auth errors are retried like
// any read. The violation then waits for a human: see exempt.For.
func tagReadRefused(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.NonRetryable() && awserr.Classify(app.Type()) == awserr.ClassPermanent
}

// withoutTags is res judged without its tags when reading them was refused
// (tagsErr): unknown to the policies, uncertain for exemptions.
func withoutTags(res resource.Resource, tagsErr error) resource.Resource {
	if tagsErr != nil {
		res.Tags, res.TagsErr = nil, tagsErr
	}
	return res
}

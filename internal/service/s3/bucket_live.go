package s3

import (
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rectifyhq/rectify/internal/resource"
)

// BucketState is what the live plane read about one bucket. It is a struct
// so that encryption, bucket policy, ownership controls and the rest join as
// fields without changing Bucket's signature.
type BucketState struct {
	Name string
	// PublicAccessBlock is nil when S3 answered
	// NoSuchPublicAccessBlockConfiguration: the bucket has none. A read that
	// failed must fail the caller, not become nil, or every bucket whose
	// configuration we could not read would look unprotected.
	PublicAccessBlock *s3types.PublicAccessBlockConfiguration
	// Encryption is GetBucketEncryption's configuration. S3 has answered
	// one for every bucket since January 2023 (SSE-S3 at least); nil, or a
	// configuration without a default rule, leaves "encryption" absent
	// (unknown) rather than claiming a value nobody read.
	Encryption *s3types.ServerSideEncryptionConfiguration
	// Policy is GetBucketPolicy's text. NoPolicy says S3 answered
	// NoSuchBucketPolicy: the bucket has none ("policy": null). Neither set
	// means the policy was not read, and "policy" stays absent (unknown):
	// the zero value must not claim "no policy", which is a violation.
	Policy   *string
	NoPolicy bool
	// Logging is GetBucketLogging's LoggingEnabled; NoLogging says S3
	// answered without one (server access logging off: "logging": null).
	// Neither set leaves "logging" absent (unknown).
	Logging   *s3types.LoggingEnabled
	NoLogging bool
	Tags      map[string]string
}

// Check reports whether the state can be normalized: the bucket policy
// must be a document NormalizePolicyDocument reads. S3 validates every
// policy it stores, so a failure means a read went wrong; callers check
// first because Bucket itself cannot fail.
func (b BucketState) Check() error {
	if b.Logging != nil && b.NoLogging {
		return fmt.Errorf("bucket %s: both logging and NoLogging", b.Name)
	}
	if b.Policy == nil {
		return nil
	}
	if b.NoPolicy {
		return fmt.Errorf("bucket %s: both a policy and NoPolicy", b.Name)
	}
	if _, err := resource.NormalizePolicyDocument(*b.Policy); err != nil {
		return fmt.Errorf("bucket %s: %w", b.Name, err)
	}
	return nil
}

// Bucket normalizes a bucket read live from S3.
//
// properties (internal/resource types.go):
//
//	{"bucket": name,
//	 "public_access_block": null | {"block_public_acls", "ignore_public_acls",
//	                                "block_public_policy", "restrict_public_buckets"},
//	 "encryption": {"sse_algorithm": "…", "kms_master_key_id": "…"},
//	 "policy": null | NormalizePolicyDocument(text),
//	 "logging": null | {"target_bucket": "…", "target_prefix": "…"}}
//
// A flag the SDK left nil is absent (unknown), never false; so are a
// policy not read and one that Check rejects (no policy denies on unknown). Bucket ARNs
// carry no account or region; both stay on the resource.Resource for routing.
func BucketResource(account, region string, b BucketState) resource.Resource {
	props := map[string]any{
		"bucket":              b.Name,
		"public_access_block": pabProperty(b.PublicAccessBlock),
	}
	if enc, ok := encryptionProperty(b.Encryption); ok {
		props["encryption"] = enc
	}
	switch {
	case b.Policy != nil:
		if doc, err := resource.NormalizePolicyDocument(*b.Policy); err == nil && doc != nil {
			props["policy"] = doc
		} else if err == nil {
			props["policy"] = nil // empty text: no document
		}
	case b.NoPolicy:
		props["policy"] = nil
	}
	switch {
	case b.Logging != nil:
		props["logging"] = map[string]any{
			"target_bucket": aws.ToString(b.Logging.TargetBucket), "target_prefix": aws.ToString(b.Logging.TargetPrefix),
		}
	case b.NoLogging:
		props["logging"] = nil
	}
	tags := maps.Clone(b.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return resource.Resource{
		Type:       TypeBucket,
		ARN:        BucketARN(b.Name),
		ID:         b.Name,
		Name:       b.Name,
		Account:    account,
		Region:     region,
		Tags:       tags,
		Plane:      resource.PlaneLive,
		Properties: props,
	}
}

func pabProperty(c *s3types.PublicAccessBlockConfiguration) any {
	if c == nil {
		return nil
	}
	pab := map[string]any{}
	putFlag := func(key string, v *bool) {
		if v != nil {
			pab[key] = *v
		}
	}
	putFlag("block_public_acls", c.BlockPublicAcls)
	putFlag("ignore_public_acls", c.IgnorePublicAcls)
	putFlag("block_public_policy", c.BlockPublicPolicy)
	putFlag("restrict_public_buckets", c.RestrictPublicBuckets)
	return pab
}

// encryption reads the first rule's default, as S3 applies it: a bucket
// has one rule in practice, and S3 uses the first.
func encryptionProperty(c *s3types.ServerSideEncryptionConfiguration) (map[string]any, bool) {
	if c == nil || len(c.Rules) == 0 {
		return nil, false
	}
	d := c.Rules[0].ApplyServerSideEncryptionByDefault
	if d == nil || d.SSEAlgorithm == "" {
		return nil, false
	}
	enc := map[string]any{"sse_algorithm": string(d.SSEAlgorithm)}
	// No key id means the AWS managed key aws/s3; types.go leaves it absent.
	if id := aws.ToString(d.KMSMasterKeyID); id != "" {
		enc["kms_master_key_id"] = id
	}
	return enc, true
}

package live

import (
	"maps"

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
	Tags              map[string]string
}

// Bucket normalizes a bucket read live from S3.
//
// properties:
//
//	{"bucket": name,
//	 "public_access_block": null | {"block_public_acls", "ignore_public_acls",
//	                                "block_public_policy", "restrict_public_buckets"}}
//
// A flag the SDK left nil is absent (unknown), never false. Bucket ARNs carry
// no account or region; both stay on the resource.Resource for routing.
func Bucket(account, region string, b BucketState) resource.Resource {
	props := map[string]any{
		"bucket":              b.Name,
		"public_access_block": publicAccessBlock(b.PublicAccessBlock),
	}
	tags := maps.Clone(b.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return resource.Resource{
		Type:       resource.TypeS3Bucket,
		ARN:        resource.BucketARN(b.Name),
		ID:         b.Name,
		Name:       b.Name,
		Account:    account,
		Region:     region,
		Tags:       tags,
		Plane:      resource.PlaneLive,
		Properties: props,
	}
}

func publicAccessBlock(c *s3types.PublicAccessBlockConfiguration) any {
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

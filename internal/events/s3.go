package events

import (
	"strings"

	"github.com/rectifyhq/rectify/internal/resource"
)

var s3Extractors = map[string]extractor{
	"CreateBucket":                  changedBucket,
	"DeleteBucket":                  deletedBucket,
	"PutBucketPublicAccessBlock":    changedBucket,
	"DeleteBucketPublicAccessBlock": changedBucket,
	"PutBucketPolicy":               changedBucket,
	"DeleteBucketPolicy":            changedBucket,
	"PutBucketEncryption":           changedBucket,
	"DeleteBucketEncryption":        changedBucket,
	"PutBucketAcl":                  changedBucket,
	"PutBucketTagging":              changedBucket,
	"DeleteBucketTagging":           changedBucket,
}

func changedBucket(e *event) ([]Trigger, error) {
	req, err := e.request()
	if err != nil {
		return nil, err
	}
	name, err := req.str("bucketName")
	if err != nil {
		return nil, err
	}
	if name == "" {
		host, err := req.str("host") // also Host, by the case-insensitive lookup
		if err != nil {
			return nil, err
		}
		name = bucketFromHost(host)
	}
	if name == "" {
		return nil, e.rec.errorf("%s names no bucket (requestParameters.bucketName or a virtual-hosted Host)", e.name)
	}
	return []Trigger{e.resource(resource.TypeS3Bucket, name, resource.BucketARN(name))}, nil
}

func deletedBucket(e *event) ([]Trigger, error) {
	ts, err := changedBucket(e)
	for i := range ts {
		ts[i].Deleted = true
	}
	return ts, err
}

// bucketFromHost reads the bucket out of a virtual-hosted-style endpoint:
// bucket.s3.amazonaws.com, bucket.s3.eu-west-1.amazonaws.com,
// bucket.s3-eu-west-1.amazonaws.com, bucket.s3.dualstack.... A path-style
// host (s3.amazonaws.com) names no bucket. Bucket names may themselves
// contain ".s3.", hence the last match.
func bucketFromHost(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	// Access points and Object Lambda hosts start with an access point
	// name, not a bucket.
	if strings.Contains(host, ".s3-accesspoint") || strings.Contains(host, ".s3-object-lambda") {
		return ""
	}
	i := max(strings.LastIndex(host, ".s3."), strings.LastIndex(host, ".s3-"))
	if i <= 0 {
		return ""
	}
	return host[:i]
}

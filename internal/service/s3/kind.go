// Package s3 holds rectify's knowledge of Amazon S3: the bucket with its
// public access block, encryption, policy and tags, read and listed live,
// named by its CloudTrail calls (virtual-hosted ones included), joined from
// its separate Terraform resources, and the fixes of its controls.
package s3

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// TypeBucket is the Terraform type of a bucket.
const TypeBucket = "aws_s3_bucket"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Bucket}

const source = "s3.amazonaws.com"

// Bucket is an S3 bucket (ARN BucketARN(name); ID and Name the bucket
// name).
//
// properties:
//
//	{"bucket": "name",
//	 "public_access_block": null | {"block_public_acls": bool, "ignore_public_acls": bool,
//	                                "block_public_policy": bool, "restrict_public_buckets": bool},
//	 "encryption": {"sse_algorithm": "AES256" | "aws:kms" | "aws:kms:dsse",
//	                "kms_master_key_id": "…"},   // absent when S3 reports none (aws/s3 key)
//	 "policy": null | resource.NormalizePolicyDocument(GetBucketPolicy),
//	 "logging": null | {"target_bucket": "…", "target_prefix": "…"}}   // GetBucketLogging
//
// public_access_block is null on NoSuchPublicAccessBlockConfiguration. S3 has
// encrypted every bucket with at least SSE-S3 since January 2023, so
// "encryption" is never null: GetBucketEncryption's first rule's
// ApplyServerSideEncryptionByDefault, SSEAlgorithm and KMSMasterKeyID.
// "policy" is null on NoSuchBucketPolicy, "logging" when server access
// logging is off (no LoggingEnabled). In a plan, logging comes from
// aws_s3_bucket_logging (provider v4+) or the bucket's own logging block
// (v3); a target bucket unknown at plan time leaves target_bucket out.
var Bucket = &kind.Kind{
	Type:          TypeBucket,
	Noun:          "S3 bucket",
	ConfigType:    "AWS::S3::Bucket",
	ASFFType:      "AwsS3Bucket",
	ASFFDetailsID: "Name",
	ARN:           func(_, _, name string) string { return BucketARN(name) },
	// A bucket ARN is arn:aws:s3:::name: no account, no region, no slash
	// (an object or access point ARN has one).
	ParseARN: func(a kind.ARN) (string, bool) {
		return a.Resource, a.Service == "s3" && a.Resource != "" && !strings.Contains(a.Resource, "/")
	},
	IsID:      isBucketName,
	Fetch:     fetchBucket,
	List:      listBuckets,
	Tag:       tagBucket,
	Normalize: normalizeBucket,
	Calls: []kind.Call{
		{Source: source, Names: []string{"CreateBucket", "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock",
			"PutBucketPolicy", "DeleteBucketPolicy", "PutBucketEncryption", "DeleteBucketEncryption", "PutBucketAcl",
			"PutBucketTagging", "DeleteBucketTagging", "PutBucketLogging"},
			IDs: []string{"requestParameters.bucketName"}, Extract: bucketFromHostHeader},
		{Source: source, Names: []string{"DeleteBucket"}, IDs: []string{"requestParameters.bucketName"}, Extract: bucketFromHostHeader, Deletes: true},
	},
	Plan: plan.Kind{
		Parents: map[string]func(*plan.Instance) (plan.Doc, string, error){TypeBucket: newBucket},
		Children: map[string]string{
			"aws_s3_bucket_public_access_block":                  "bucket",
			"aws_s3_bucket_server_side_encryption_configuration": "bucket",
			"aws_s3_bucket_policy":                               "bucket",
			"aws_s3_bucket_logging":                              "bucket",
		},
		Synthetic: syntheticBucket,
	},
	Actions: []*kind.Action{BlockPublicAccess, DeletePublicStatements, AddTLSDeny, EnableKMSEncryption, EnableAccessLogging},
	Permissions: kind.Permissions{
		Read: []string{"s3:GetBucketPublicAccessBlock", "s3:GetBucketTagging", "s3:GetEncryptionConfiguration", "s3:GetBucketPolicy", "s3:GetBucketLogging"},
		List: []string{"s3:ListAllMyBuckets"},
		// PutBucketTagging replaces the whole set, so the others are read
		// first.
		Tag: []string{"s3:GetBucketTagging", "s3:PutBucketTagging"},
	},
}

// BucketARN builds the ARN of an S3 bucket. Bucket ARNs carry neither
// account nor region because bucket names are global.
func BucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// isBucketName accepts what can be a bucket name. Buckets made in us-east-1
// before 2018 may hold capitals and underscores, so only what no name can
// hold is refused: a path, an ARN, white space.
func isBucketName(s string) bool {
	return s != "" && len(s) <= 255 && !strings.ContainsAny(s, "/: \t\n")
}

func normalizeBucket(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s BucketState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	if err := s.Check(); err != nil {
		return resource.Resource{}, err
	}
	return BucketResource(account, region, s), nil
}

// listBuckets lists the account's buckets in the region: S3 lists all
// regions at once, so a sweep per region keeps only its own.
func listBuckets(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &s3.ListBucketsInput{BucketRegion: aws.String(p.Region)}
	if p.Token != "" {
		req.ContinuationToken = aws.String(p.Token)
	}
	if p.Limit > 0 {
		req.MaxBuckets = aws.Int32(p.Limit)
	}
	out, err := env.AWS.S3(p.Account, p.Region).ListBuckets(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list buckets in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, b := range out.Buckets {
		if r := aws.ToString(b.BucketRegion); r != "" && r != p.Region {
			continue
		}
		page.Refs = append(page.Refs, p.Ref(aws.ToString(b.Name)))
	}
	page.Token = aws.ToString(out.ContinuationToken)
	return page, nil
}

// tagBucket adds tags to a bucket. PutBucketTagging replaces the whole
// set, so the tags it has are read and kept.
func tagBucket(ctx context.Context, env kind.Env, ref resource.Ref, set map[string]string) error {
	client := env.AWS.S3(ref.Account, ref.Region)
	current := map[string]string{}
	out, err := client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(ref.ID)})
	switch {
	case awserr.Code(err) == "NoSuchTagSet":
	case err != nil:
		return awserr.Wrap(ctx, "read tags of bucket "+ref.ID, err)
	default:
		for _, t := range out.TagSet {
			current[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	for k, v := range set {
		current[k] = v
	}
	tags := make([]s3types.Tag, 0, len(current))
	for _, k := range kind.SortedKeys(current) {
		tags = append(tags, s3types.Tag{Key: aws.String(k), Value: aws.String(current[k])})
	}
	if _, err := client.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
		Bucket: aws.String(ref.ID), Tagging: &s3types.Tagging{TagSet: tags},
	}); err != nil {
		return awserr.Wrap(ctx, "tag bucket "+ref.ID, err)
	}
	return nil
}

// bucketFromHostHeader reads the bucket of a virtual-hosted-style call,
// which names it only in its Host header.
func bucketFromHostHeader(r kind.Record) ([]string, error) {
	hosts, err := r.Strings("requestParameters.host")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hosts {
		if b := bucketFromHost(h); b != "" {
			out = append(out, b)
		}
	}
	return out, nil
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

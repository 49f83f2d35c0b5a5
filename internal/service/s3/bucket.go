package s3

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// fetchBucket reads the bucket settings the policies judge.
func fetchBucket(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.S3(ref.Account, ref.Region)
	pab, err := publicAccessBlock(ctx, client, ref.ID)
	if awserr.Code(err) == "NoSuchBucket" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, err
	}
	state := BucketState{Name: ref.ID, PublicAccessBlock: pab, Tags: map[string]string{}}
	var tagsErr error
	out, err := client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(ref.ID)})
	switch {
	case awserr.Code(err) == "NoSuchTagSet":
	case awserr.Code(err) == "NoSuchBucket":
		return resource.Resource{}, false, nil
	case err != nil:
		if tagsErr = awserr.Wrap(ctx, "get tagging of bucket "+ref.ID, err); !kind.TagReadRefused(tagsErr) {
			return resource.Resource{}, false, tagsErr
		}
	default:
		for _, t := range out.TagSet {
			state.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	if state.Encryption, err = bucketEncryption(ctx, client, ref.ID); err != nil {
		if awserr.Code(err) == "NoSuchBucket" {
			return resource.Resource{}, false, nil
		}
		return resource.Resource{}, false, err
	}
	if state.Policy, err = bucketPolicy(ctx, client, ref.ID); err != nil {
		if awserr.Code(err) == "NoSuchBucket" {
			return resource.Resource{}, false, nil
		}
		return resource.Resource{}, false, err
	}
	state.NoPolicy = state.Policy == nil
	if state.Logging, err = bucketLogging(ctx, client, ref.ID); err != nil {
		if awserr.Code(err) == "NoSuchBucket" {
			return resource.Resource{}, false, nil
		}
		return resource.Resource{}, false, err
	}
	state.NoLogging = state.Logging == nil
	if err := state.Check(); err != nil {
		return resource.Resource{}, false, awserr.Permanent(awserr.InvalidParams, "read bucket %s: %v", ref.ID, err)
	}
	return kind.WithoutTags(BucketResource(ref.Account, ref.Region, state), tagsErr), true, nil
}

// publicAccessBlock returns the bucket's block, or nil when it has none.
func publicAccessBlock(ctx context.Context, client *s3.Client, bucket string) (*s3types.PublicAccessBlockConfiguration, error) {
	out, err := client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	if awserr.Code(err) == "NoSuchPublicAccessBlockConfiguration" {
		return nil, nil
	}
	if err != nil {
		return nil, awserr.Wrap(ctx, "get public access block of "+bucket, err)
	}
	return out.PublicAccessBlockConfiguration, nil
}

// bucketEncryption returns the bucket's default encryption. S3 answers
// ServerSideEncryptionConfigurationNotFoundError only for buckets from
// before January 2023 that it has not migrated: nil, which Bucket
// leaves unknown.
func bucketEncryption(ctx context.Context, client *s3.Client, bucket string) (*s3types.ServerSideEncryptionConfiguration, error) {
	out, err := client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if awserr.Code(err) == "ServerSideEncryptionConfigurationNotFoundError" {
		return nil, nil
	}
	if err != nil {
		return nil, awserr.Wrap(ctx, "get encryption of bucket "+bucket, err)
	}
	return out.ServerSideEncryptionConfiguration, nil
}

// bucketPolicy returns the bucket policy text, or nil when it has none.
func bucketPolicy(ctx context.Context, client *s3.Client, bucket string) (*string, error) {
	out, err := client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if awserr.Code(err) == "NoSuchBucketPolicy" {
		return nil, nil
	}
	if err != nil {
		return nil, awserr.Wrap(ctx, "get policy of bucket "+bucket, err)
	}
	return aws.String(aws.ToString(out.Policy)), nil
}

// s3BlockPublicAccess turns on all four public access block flags.
// BlockPublicAccess turns on all four Block Public Access settings of the
// bucket.
var BlockPublicAccess = &kind.Action{
	Name:        "s3_block_public_access",
	Permissions: []string{"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
	Describe:    s3BlockPublicAccess{}.describe,
	Snapshot:    s3BlockPublicAccess{}.snapshot,
	Apply:       s3BlockPublicAccess{}.apply,
	Undo:        s3BlockPublicAccess{}.undo,
}

type s3BlockPublicAccess struct{}

// pabSnapshot is the block before the change; Missing when there was none.
type pabSnapshot struct {
	Bucket                string `json:"bucket"`
	Missing               bool   `json:"missing"`
	BlockPublicAcls       bool   `json:"block_public_acls"`
	IgnorePublicAcls      bool   `json:"ignore_public_acls"`
	BlockPublicPolicy     bool   `json:"block_public_policy"`
	RestrictPublicBuckets bool   `json:"restrict_public_buckets"`
}

func (s3BlockPublicAccess) describe(map[string]any) string {
	return "turn on all four S3 public access block settings"
}

func (s3BlockPublicAccess) snapshot(ctx context.Context, env kind.Env, ref resource.Ref, _ map[string]any) (any, error) {
	pab, err := publicAccessBlock(ctx, env.AWS.S3(ref.Account, ref.Region), ref.ID)
	if err != nil {
		return nil, err
	}
	if pab == nil {
		return pabSnapshot{Bucket: ref.ID, Missing: true}, nil
	}
	return pabSnapshot{
		Bucket:                ref.ID,
		BlockPublicAcls:       aws.ToBool(pab.BlockPublicAcls),
		IgnorePublicAcls:      aws.ToBool(pab.IgnorePublicAcls),
		BlockPublicPolicy:     aws.ToBool(pab.BlockPublicPolicy),
		RestrictPublicBuckets: aws.ToBool(pab.RestrictPublicBuckets),
	}, nil
}

func (s3BlockPublicAccess) apply(ctx context.Context, env kind.Env, ref resource.Ref, _ map[string]any) (kind.Applied, error) {
	client := env.AWS.S3(ref.Account, ref.Region)
	pab, err := publicAccessBlock(ctx, client, ref.ID)
	if err != nil {
		return kind.Applied{}, err
	}
	if pab != nil && aws.ToBool(pab.BlockPublicAcls) && aws.ToBool(pab.IgnorePublicAcls) &&
		aws.ToBool(pab.BlockPublicPolicy) && aws.ToBool(pab.RestrictPublicBuckets) {
		return kind.Applied{Summary: "public access block of " + ref.ID + " was already complete"}, nil
	}
	_, err = client.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
		Bucket: aws.String(ref.ID),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
			BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
		},
	})
	if err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, "put public access block of "+ref.ID, err)
	}
	return kind.Applied{Changed: true, Summary: "turned on all four public access block settings of " + ref.ID}, nil
}

func (s3BlockPublicAccess) undo(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap pabSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return awserr.Permanent(awserr.InvalidParams, "undo s3_block_public_access on %s: snapshot: %v", ref.ID, err)
	}
	client := env.AWS.S3(ref.Account, ref.Region)
	if snap.Missing {
		_, err := client.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(ref.ID)})
		if err != nil && awserr.Code(err) != "NoSuchPublicAccessBlockConfiguration" {
			return awserr.Wrap(ctx, "delete public access block of "+ref.ID, err)
		}
		return nil
	}
	_, err := client.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
		Bucket: aws.String(ref.ID),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(snap.BlockPublicAcls), IgnorePublicAcls: aws.Bool(snap.IgnorePublicAcls),
			BlockPublicPolicy: aws.Bool(snap.BlockPublicPolicy), RestrictPublicBuckets: aws.Bool(snap.RestrictPublicBuckets),
		},
	})
	if err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("restore public access block of %s", ref.ID), err)
	}
	return nil
}

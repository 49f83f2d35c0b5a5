package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// The remediation options of EnableAccessLogging.
const (
	LoggingTargetOption = "s3_logging.target_bucket"
	LoggingPrefixOption = "s3_logging.target_prefix"
)

// bucketLogging returns the bucket's server access logging, or nil when it
// is off.
func bucketLogging(ctx context.Context, client *s3.Client, bucket string) (*s3types.LoggingEnabled, error) {
	out, err := client.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String(bucket)})
	if err != nil {
		return nil, awserr.Wrap(ctx, "get logging of bucket "+bucket, err)
	}
	return out.LoggingEnabled, nil
}

// EnableAccessLogging turns on server access logging (FSBP S3.9) into the
// operator's log bucket. Until remediation.s3_logging.target_bucket is set
// the control only notifies: where logs go, and who may read them, is the
// operator's decision.
var EnableAccessLogging = &kind.Action{
	Name:        "s3_enable_access_logging",
	Permissions: []string{"s3:GetBucketLogging", "s3:PutBucketLogging"},
	Describe: func(params map[string]any) string {
		bucket, _ := params["bucket"].(string)
		if bucket == "" {
			bucket = "the bucket"
		}
		return "turn on server access logging for " + bucket + " into the log bucket in remediation." + LoggingTargetOption
	},
	Snapshot: snapshotLogging,
	Apply:    enableAccessLogging,
	Undo:     undoAccessLogging,
	Options: []kind.Option{
		{
			Key: LoggingTargetOption,
			Help: "bucket that receives S3 server access logs; {account} and {region} are replaced by the source bucket's, since S3 " +
				"delivers only to a bucket in the same account and region. Its bucket policy must allow logging.s3.amazonaws.com " +
				"s3:PutObject (rectify never edits it); the log bucket itself is never made to log into itself: exempt it.",
		},
		{Key: LoggingPrefixOption, Help: "key prefix of the logs in the log bucket; {bucket} is replaced by the source bucket's name", Default: "{bucket}/"},
	},
}

// loggingSnapshot is the logging configuration before the change; Off when
// there was none.
type loggingSnapshot struct {
	Bucket       string `json:"bucket"`
	Off          bool   `json:"off"`
	TargetBucket string `json:"target_bucket,omitempty"`
	TargetPrefix string `json:"target_prefix,omitempty"`
}

func snapshotLogging(ctx context.Context, env kind.Env, ref resource.Ref, _ map[string]any) (any, error) {
	l, err := bucketLogging(ctx, env.AWS.S3(ref.Account, ref.Region), ref.ID)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return loggingSnapshot{Bucket: ref.ID, Off: true}, nil
	}
	return loggingSnapshot{Bucket: ref.ID, TargetBucket: aws.ToString(l.TargetBucket), TargetPrefix: aws.ToString(l.TargetPrefix)}, nil
}

// loggingTarget is the log bucket and prefix for ref, placeholders
// replaced.
func loggingTarget(env kind.Env, ref resource.Ref) (bucket, prefix string) {
	bucket = strings.NewReplacer("{account}", ref.Account, "{region}", ref.Region).Replace(env.Options[LoggingTargetOption])
	prefix = env.Options[LoggingPrefixOption]
	if prefix == "" {
		prefix = "{bucket}/"
	}
	return bucket, strings.ReplaceAll(prefix, "{bucket}", ref.ID)
}

func enableAccessLogging(ctx context.Context, env kind.Env, ref resource.Ref, _ map[string]any) (kind.Applied, error) {
	client := env.AWS.S3(ref.Account, ref.Region)
	l, err := bucketLogging(ctx, client, ref.ID)
	if err != nil {
		return kind.Applied{}, err
	}
	if l != nil {
		return kind.Applied{Summary: fmt.Sprintf("%s already logs to %s", ref.ID, aws.ToString(l.TargetBucket))}, nil
	}
	target, prefix := loggingTarget(env, ref)
	switch {
	case target == "":
		return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "s3_enable_access_logging on %s: remediation.%s is not set", ref.ID, LoggingTargetOption)
	case target == ref.ID:
		// Logging into itself writes a log of every log delivery, without end.
		return kind.Applied{}, awserr.Permanent(awserr.InvalidParams,
			"s3_enable_access_logging on %s: it is the log bucket (remediation.%s); it must not log into itself: exempt it from this control", ref.ID, LoggingTargetOption)
	}
	if err := putLogging(ctx, client, ref.ID, &s3types.LoggingEnabled{TargetBucket: aws.String(target), TargetPrefix: aws.String(prefix)}); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("%s now logs to s3://%s/%s", ref.ID, target, prefix)}, nil
}

func undoAccessLogging(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap loggingSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.Bucket == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo s3_enable_access_logging on %s: snapshot: %v", ref.ID, err)
	}
	var prior *s3types.LoggingEnabled
	if !snap.Off {
		prior = &s3types.LoggingEnabled{TargetBucket: aws.String(snap.TargetBucket), TargetPrefix: aws.String(snap.TargetPrefix)}
	}
	return putLogging(ctx, env.AWS.S3(ref.Account, ref.Region), ref.ID, prior)
}

// putLogging sets the bucket's logging; nil turns it off (an empty
// BucketLoggingStatus, as S3 documents).
func putLogging(ctx context.Context, client *s3.Client, bucket string, l *s3types.LoggingEnabled) error {
	_, err := client.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{
		Bucket: aws.String(bucket), BucketLoggingStatus: &s3types.BucketLoggingStatus{LoggingEnabled: l},
	})
	if code := awserr.Code(err); code == "InvalidTargetBucketForLogging" {
		return awserr.Permanent(code, "put logging of bucket %s: S3 refused the log bucket: %v", bucket, err)
	}
	if err != nil {
		return awserr.Wrap(ctx, "put logging of bucket "+bucket, err)
	}
	return nil
}

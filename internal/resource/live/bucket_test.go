package live

import (
	"reflect"
	"testing"

	"github.com/rectifyhq/rectify/internal/resource"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestBucket(t *testing.T) {
	tests := []struct {
		name    string
		state   BucketState
		wantPAB any
		wantTag map[string]string
	}{
		{
			name:    "no public access block is null",
			state:   BucketState{Name: "logs"},
			wantPAB: nil,
			wantTag: map[string]string{},
		},
		{
			name: "all four flags",
			state: BucketState{Name: "logs", Tags: map[string]string{"team": "sec"}, PublicAccessBlock: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(false),
				BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(false),
			}},
			wantPAB: map[string]any{
				"block_public_acls": true, "ignore_public_acls": false,
				"block_public_policy": true, "restrict_public_buckets": false,
			},
			wantTag: map[string]string{"team": "sec"},
		},
		{
			name: "a nil flag is unknown, not false",
			state: BucketState{Name: "logs", PublicAccessBlock: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true),
			}},
			wantPAB: map[string]any{"block_public_acls": true},
			wantTag: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Bucket("123456789012", "us-east-1", tt.state)
			if got.Type != resource.TypeS3Bucket || got.ARN != "arn:aws:s3:::logs" || got.ID != "logs" || got.Name != "logs" ||
				got.Account != "123456789012" || got.Region != "us-east-1" || got.Plane != resource.PlaneLive || got.Address != nil {
				t.Errorf("identity = %+v", got)
			}
			want := map[string]any{"bucket": "logs", "public_access_block": tt.wantPAB}
			if !reflect.DeepEqual(got.Properties, want) {
				t.Errorf("properties = %#v, want %#v", got.Properties, want)
			}
			if !reflect.DeepEqual(got.Tags, tt.wantTag) {
				t.Errorf("tags = %v, want %v", got.Tags, tt.wantTag)
			}
		})
	}
}

func TestFromBucketCopiesTags(t *testing.T) {
	tags := map[string]string{"a": "1"}
	got := Bucket("1", "r", BucketState{Name: "b", Tags: tags})
	tags["a"] = "2"
	if got.Tags["a"] != "1" {
		t.Error("FromBucket shares the caller's tag map")
	}
}

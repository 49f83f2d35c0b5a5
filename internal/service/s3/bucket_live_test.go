package s3

import (
	"reflect"
	"testing"

	"github.com/rectifyhq/rectify/internal/resource"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func sse(alg s3types.ServerSideEncryption, key string) *s3types.ServerSideEncryptionConfiguration {
	d := &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: alg}
	if key != "" {
		d.KMSMasterKeyID = aws.String(key)
	}
	return &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{
		{ApplyServerSideEncryptionByDefault: d, BucketKeyEnabled: aws.Bool(true)},
	}}
}

func TestBucket(t *testing.T) {
	sseS3 := sse(s3types.ServerSideEncryptionAes256, "")
	const keyARN = "arn:aws:kms:us-east-1:123456789012:key/0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
	tests := []struct {
		name    string
		state   BucketState
		want    map[string]any // beyond "bucket"
		wantTag map[string]string
	}{
		{
			name:    "no public access block, no policy",
			state:   BucketState{Name: "logs", Encryption: sseS3, NoPolicy: true},
			want:    map[string]any{"public_access_block": nil, "encryption": map[string]any{"sse_algorithm": "AES256"}, "policy": nil},
			wantTag: map[string]string{},
		},
		{
			name: "all four flags",
			state: BucketState{Name: "logs", Encryption: sseS3, NoPolicy: true, Tags: map[string]string{"team": "sec"}, PublicAccessBlock: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(false),
				BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(false),
			}},
			want: map[string]any{"public_access_block": map[string]any{
				"block_public_acls": true, "ignore_public_acls": false,
				"block_public_policy": true, "restrict_public_buckets": false,
			}, "encryption": map[string]any{"sse_algorithm": "AES256"}, "policy": nil},
			wantTag: map[string]string{"team": "sec"},
		},
		{
			name: "a nil flag is unknown, not false",
			state: BucketState{Name: "logs", Encryption: sseS3, PublicAccessBlock: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true),
			}},
			want:    map[string]any{"public_access_block": map[string]any{"block_public_acls": true}, "encryption": map[string]any{"sse_algorithm": "AES256"}},
			wantTag: map[string]string{},
		},
		{
			name:    "SSE-KMS with a customer key",
			state:   BucketState{Name: "logs", Encryption: sse(s3types.ServerSideEncryptionAwsKms, keyARN), NoPolicy: true},
			want:    map[string]any{"public_access_block": nil, "encryption": map[string]any{"sse_algorithm": "aws:kms", "kms_master_key_id": keyARN}, "policy": nil},
			wantTag: map[string]string{},
		},
		{
			name:    "SSE-KMS with the aws/s3 key reports no key id",
			state:   BucketState{Name: "logs", Encryption: sse(s3types.ServerSideEncryptionAwsKmsDsse, ""), NoPolicy: true},
			want:    map[string]any{"public_access_block": nil, "encryption": map[string]any{"sse_algorithm": "aws:kms:dsse"}, "policy": nil},
			wantTag: map[string]string{},
		},
		{
			name:    "encryption and policy not read are unknown",
			state:   BucketState{Name: "logs"},
			want:    map[string]any{"public_access_block": nil},
			wantTag: map[string]string{},
		},
		{
			name:    "a rule without a default is unknown",
			state:   BucketState{Name: "logs", NoPolicy: true, Encryption: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{BucketKeyEnabled: aws.Bool(true)}}}},
			want:    map[string]any{"public_access_block": nil, "policy": nil},
			wantTag: map[string]string{},
		},
		{
			name: "policy normalized as AWS returns it",
			state: BucketState{Name: "logs", Encryption: sseS3, Policy: aws.String(
				`{"Version":"2012-10-17","Statement":{"Sid":"Public","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*","Condition":{"Bool":{"aws:SecureTransport":false}}}}`)},
			want: map[string]any{"public_access_block": nil, "encryption": map[string]any{"sse_algorithm": "AES256"}, "policy": map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Sid": "Public", "Effect": "Allow", "Principal": map[string]any{"AWS": []any{"*"}},
					"Action": []any{"s3:GetObject"}, "Resource": []any{"arn:aws:s3:::logs/*"},
					"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": []any{"false"}}},
				}},
			}},
			wantTag: map[string]string{},
		},
		{
			name:    "an unreadable policy is unknown",
			state:   BucketState{Name: "logs", Encryption: sseS3, Policy: aws.String(`[]`)},
			want:    map[string]any{"public_access_block": nil, "encryption": map[string]any{"sse_algorithm": "AES256"}},
			wantTag: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BucketResource("123456789012", "us-east-1", tt.state)
			if got.Type != TypeBucket || got.ARN != "arn:aws:s3:::logs" || got.ID != "logs" || got.Name != "logs" ||
				got.Account != "123456789012" || got.Region != "us-east-1" || got.Plane != resource.PlaneLive || got.Address != nil {
				t.Errorf("identity = %+v", got)
			}
			want := map[string]any{"bucket": "logs"}
			for k, v := range tt.want {
				want[k] = v
			}
			if !reflect.DeepEqual(got.Properties, want) {
				t.Errorf("properties = %#v, want %#v", got.Properties, want)
			}
			if !reflect.DeepEqual(got.Tags, tt.wantTag) {
				t.Errorf("tags = %v, want %v", got.Tags, tt.wantTag)
			}
		})
	}
}

func TestBucketStateCheck(t *testing.T) {
	tests := []struct {
		name     string
		policy   *string
		noPolicy bool
		wantErr  bool
	}{
		{"not read", nil, false, false},
		{"no policy", nil, true, false},
		{"valid policy", aws.String(`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`), false, false},
		{"not an object", aws.String(`[]`), false, true},
		{"a policy and NoPolicy", aws.String(`{"Statement":[]}`), true, true},
		{"bad principal", aws.String(`{"Statement":[{"Effect":"Allow","Principal":"me","Action":"s3:*"}]}`), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := BucketState{Name: "logs", Policy: tt.policy, NoPolicy: tt.noPolicy}.Check()
			if (err != nil) != tt.wantErr {
				t.Errorf("Check() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestFromBucketCopiesTags(t *testing.T) {
	tags := map[string]string{"a": "1"}
	got := BucketResource("1", "r", BucketState{Name: "b", Tags: tags})
	tags["a"] = "2"
	if got.Tags["a"] != "1" {
		t.Error("FromBucket shares the caller's tag map")
	}
}

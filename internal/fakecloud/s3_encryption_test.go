package fakecloud

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestSeedBucketEncryption: a seeded encryption rule is what
// GetBucketEncryption answers through the SDK; no rule is S3's default;
// a rule S3 would refuse is refused.
func TestSeedBucketEncryption(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	tests := []struct {
		name       string
		enc        *BucketEncryption
		wantErr    string
		wantAlg    types.ServerSideEncryption
		wantKey    string
		wantBucket bool
	}{
		{"default", nil, "", types.ServerSideEncryptionAes256, "", false},
		{"SSE-KMS with a bucket key", &BucketEncryption{SSEAlgorithm: "aws:kms", KMSMasterKeyID: key, BucketKeyEnabled: true}, "", types.ServerSideEncryptionAwsKms, key, true},
		{"DSSE-KMS with the aws/s3 key", &BucketEncryption{SSEAlgorithm: "aws:kms:dsse"}, "", types.ServerSideEncryptionAwsKmsDsse, "", false},
		{"unknown algorithm", &BucketEncryption{SSEAlgorithm: "ROT13"}, "MalformedXML", "", "", false},
		{"key with SSE-S3", &BucketEncryption{SSEAlgorithm: "AES256", KMSMasterKeyID: key}, "InvalidArgument", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, cfg := startCloud(t)
			err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "seeded-enc", Encryption: tt.enc})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("SeedBucket = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out, err := pathClient(cfg).GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String("seeded-enc")})
			if err != nil {
				t.Fatal(err)
			}
			r := out.ServerSideEncryptionConfiguration.Rules
			if len(r) != 1 || r[0].ApplyServerSideEncryptionByDefault == nil {
				t.Fatalf("rules = %+v", r)
			}
			d := r[0].ApplyServerSideEncryptionByDefault
			if d.SSEAlgorithm != tt.wantAlg || aws.ToString(d.KMSMasterKeyID) != tt.wantKey || aws.ToBool(r[0].BucketKeyEnabled) != tt.wantBucket {
				t.Errorf("GetBucketEncryption = %s key %q bucket key %v; want %s key %q bucket key %v",
					d.SSEAlgorithm, aws.ToString(d.KMSMasterKeyID), aws.ToBool(r[0].BucketKeyEnabled), tt.wantAlg, tt.wantKey, tt.wantBucket)
			}
		})
	}
}

func TestSeedFileBucketEncryption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.yaml")
	yaml := "accounts:\n- id: \"123456789012\"\n  buckets:\n  - name: payroll\n    encryption: {sse_algorithm: \"aws:kms\", bucket_key_enabled: true}\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSeedFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := s.Accounts[0].Buckets[0].Encryption
	if got == nil || *got != (BucketEncryption{SSEAlgorithm: "aws:kms", BucketKeyEnabled: true}) {
		t.Errorf("encryption = %+v", got)
	}
}

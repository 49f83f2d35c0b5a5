package s3

import (
	"testing"
)

func TestBucketFromHost(t *testing.T) {
	tests := map[string]string{
		"bucket.s3.amazonaws.com":                                "bucket",
		"Bucket.S3.amazonaws.com":                                "bucket",
		"austin-panther.s3.us-west-2.amazonaws.com":              "austin-panther",
		"logs.s3-eu-west-1.amazonaws.com":                        "logs",
		"my.s3.data.s3.dualstack.us-east-1.amazonaws.com":        "my.s3.data",
		"bucket.s3.amazonaws.com:443":                            "bucket",
		"files.s3-accelerate.amazonaws.com":                      "files",
		"s3.amazonaws.com":                                       "",
		"s3.us-east-1.amazonaws.com":                             "",
		"ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com": "",
		"":       "",
		".s3.x":  "",
		"bucket": "",
	}
	for host, want := range tests {
		if got := bucketFromHost(host); got != want {
			t.Errorf("bucketFromHost(%q) = %q, want %q", host, got, want)
		}
	}
}

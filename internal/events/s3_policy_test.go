package events

import (
	"encoding/json"
	"testing"
)

// TestParseBucketPolicyAndEncryptionCalls: the calls that change a bucket's
// policy or default encryption trigger an evaluation of that bucket. The
// records follow the shape S3 writes for management events: every query
// parameter as a string ("policy": "", "encryption": ""), Host, and the
// request body under its root element (PutBucketPolicy's bucketPolicy is
// the parsed JSON; PutBucketEncryption's is the XML as JSON).
func TestParseBucketPolicyAndEncryptionCalls(t *testing.T) {
	const actor = "arn:aws:sts::123456789012:assumed-role/admin/alice"
	tests := []struct {
		name, eventName string
		params          map[string]any
		wantBucket      string
	}{
		{"PutBucketPolicy", "PutBucketPolicy", map[string]any{
			"bucketName": "acme-site", "Host": "acme-site.s3.us-east-1.amazonaws.com", "policy": "",
			"bucketPolicy": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-site/*",
			}}},
		}, "acme-site"},
		{"DeleteBucketPolicy path style", "DeleteBucketPolicy", map[string]any{
			"bucketName": "acme-site", "Host": "s3.us-east-1.amazonaws.com", "policy": "",
		}, "acme-site"},
		{"PutBucketEncryption", "PutBucketEncryption", map[string]any{
			"bucketName": "acme-payroll", "Host": "acme-payroll.s3.us-east-1.amazonaws.com", "encryption": "",
			"ServerSideEncryptionConfiguration": map[string]any{
				"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
				"Rule": map[string]any{
					"ApplyServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "aws:kms"},
					"BucketKeyEnabled":                   true,
				},
			},
		}, "acme-payroll"},
		{"DeleteBucketEncryption named by Host only", "DeleteBucketEncryption", map[string]any{
			"Host": "acme-payroll.s3.us-east-1.amazonaws.com", "encryption": "",
		}, "acme-payroll"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := map[string]any{
				"eventVersion": "1.09",
				"userIdentity": map[string]any{
					"type": "AssumedRole", "principalId": "AROAEXAMPLE:alice", "arn": actor, "accountId": "123456789012",
					"sessionContext": map[string]any{"sessionIssuer": map[string]any{
						"type": "Role", "arn": "arn:aws:iam::123456789012:role/admin", "accountId": "123456789012", "userName": "admin",
					}},
				},
				"eventTime":           "2026-11-30T09:00:00Z",
				"eventSource":         "s3.amazonaws.com",
				"eventName":           tt.eventName,
				"awsRegion":           "us-east-1",
				"sourceIPAddress":     "198.51.100.7",
				"userAgent":           "[aws-cli/2.15.0]",
				"requestParameters":   tt.params,
				"responseElements":    nil,
				"additionalEventData": map[string]any{"SignatureVersion": "SigV4", "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "abc"},
				"requestID":           "R1",
				"eventID":             "E-" + tt.eventName,
				"readOnly":            false,
				"eventType":           "AwsApiCall",
				"managementEvent":     true,
				"recipientAccountId":  "123456789012",
				"eventCategory":       "Management",
			}
			body, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(body)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("triggers = %+v, want 1", got)
			}
			tr := got[0]
			if tr.Ignored || tr.ResourceType != "aws_s3_bucket" || tr.ResourceID != tt.wantBucket ||
				tr.ARN != "arn:aws:s3:::"+tt.wantBucket || tr.EventName != tt.eventName || tr.Account != "123456789012" ||
				tr.Region != "us-east-1" || tr.ActorARN != actor || tr.Deleted {
				t.Errorf("trigger = %+v, want a change of bucket %s by %s", tr, tt.wantBucket, actor)
			}
		})
	}
}

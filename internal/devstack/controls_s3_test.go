package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
)

// Policy ids of the bucket policy and encryption controls.
const (
	policyS3Public = "aws.s3.bucket_policy_public"
	policyS3TLS    = "aws.s3.bucket_policy_tls"
	policyS3KMS    = "aws.s3.sensitive_kms_encryption"
)

// TestBucketPolicyAndEncryptionControls: a human opens the demo bucket's
// policy to everyone next to a VPC-endpoint statement, and tags it
// confidential while it is on SSE-S3. The CloudTrail events alone drive
// three remediations (all three controls set to enforce): the public
// statement is deleted and nothing else, a TLS deny is added, and the
// default encryption becomes SSE-KMS with a bucket key. Undo of the
// encryption fix restores SSE-S3.
func TestBucketPolicyAndEncryptionControls(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) {
		if c.Policies == nil {
			c.Policies = map[string]config.PolicySettings{}
		}
		for _, id := range []string{policyS3Public, policyS3TLS, policyS3KMS} {
			c.Policies[id] = config.PolicySettings{Mode: contract.ModeEnforce}
		}
		// The public access block must come off for the public policy to
		// be accepted; its own control stays out of this story.
		c.Policies[PolicyS3PAB] = config.PolicySettings{Mode: contract.ModeOff}
	})
	b := aws.String(s.bucket.ID)
	arn := s.bucket.ARN
	vpce := fmt.Sprintf(`{"Sid":"ThroughEndpoint","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"%s/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0a1b2c3d"}}}`, arn)
	public := fmt.Sprintf(`{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"%s/*"}`, arn)

	cl := s.s3()
	if _, err := cl.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
		{Key: aws.String("data-classification"), Value: aws.String("confidential")},
	}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b,
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + vpce + `,` + public + `]}`)}); err != nil {
		t.Fatal(err)
	}

	for _, id := range []string{policyS3Public, policyS3TLS, policyS3KMS} {
		st := s.waitState(contract.RemediationID(id, arn), contract.StateResolved)
		if st.Remediations != 1 {
			t.Errorf("%s: remediations = %d, want 1", id, st.Remediations)
		}
	}

	// The fake cloud's final state: the VPC-endpoint statement untouched,
	// the public one gone, a TLS deny added; SSE-KMS with a bucket key.
	info, _ := s.cloud.Bucket(s.bucket.ID)
	tls := fmt.Sprintf(`{"Sid":"RectifyDenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["%[1]s","%[1]s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`, arn)
	if got, want := normStatements(t, info.Policy), normStatements(t, `{"Statement":[`+vpce+`,`+tls+`]}`); !reflect.DeepEqual(got, want) {
		t.Errorf("bucket policy = %s\nwant the statements of %v", info.Policy, want)
	}
	if e := info.Encryption; e == nil || e.SSEAlgorithm != "aws:kms" || e.KMSMasterKeyID != "" || !e.BucketKeyEnabled {
		t.Errorf("encryption = %+v, want aws:kms with the aws/s3 key and a bucket key", e)
	}
	for _, id := range []string{policyS3Public, policyS3TLS, policyS3KMS} {
		f := s.finding(ctx, id, s.bucket, shtypes.WorkflowStatusResolved)
		if f.Workflow.Status != shtypes.WorkflowStatusResolved || f.Compliance.Status != shtypes.ComplianceStatusPassed || f.RecordState != shtypes.RecordStateArchived {
			t.Errorf("%s finding: workflow %s, compliance %s, record %s; want RESOLVED/PASSED/ARCHIVED",
				id, f.Workflow.Status, f.Compliance.Status, f.RecordState)
		}
	}
	// The remediation role edited the policy twice (one delete of the public
	// statement, one TLS deny), never more: the lock kept the edits apart and
	// the starter dropped rectify's own events.
	if n := s.events.count("PutBucketPolicy", RemediationRoleName); n != 2 {
		t.Errorf("remediation role put the bucket policy %d times, want 2", n)
	}

	// Undo the encryption fix: SSE-S3 is back.
	kmsWF := contract.RemediationID(policyS3KMS, arn)
	if _, err := contract.Undo(ctx, temporalServer.Client, kmsWF, "", contract.UndoRequest{User: HumanUser, Reason: "cross-account reader"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(kmsWF, contract.StateUndone)
	info, _ = s.cloud.Bucket(s.bucket.ID)
	if e := info.Encryption; e == nil || e.SSEAlgorithm != "AES256" || e.KMSMasterKeyID != "" || e.BucketKeyEnabled {
		t.Errorf("encryption after undo = %+v, want SSE-S3 without a bucket key", e)
	}
}

func normStatements(t *testing.T, policy string) []any {
	t.Helper()
	doc, err := resource.NormalizePolicyDocument(policy)
	if err != nil || doc == nil {
		t.Fatalf("policy %q: %v", policy, err)
	}
	// Compare as JSON values so []any element types match.
	b, _ := json.Marshal(doc["Statement"])
	var out []any
	_ = json.Unmarshal(b, &out)
	return out
}

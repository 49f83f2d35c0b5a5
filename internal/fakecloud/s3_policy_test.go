package fakecloud

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// policyWith wraps one statement in a policy document for bucket "pol".
func policyWith(s string) string {
	return `{"Version":"2012-10-17","Statement":[` + s + `]}`
}

const (
	polObjects = `"Resource":"arn:aws:s3:::pol/*"`
	polGet     = `"Action":"s3:GetObject"`
)

func TestS3PolicyStatus(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "pol"}); err != nil {
		t.Fatal(err)
	}
	cl := pathClient(cfg)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		policy string
		public bool
	}{
		{"Principal *", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `}`), true},
		{"AWS *", policyWith(`{"Effect":"Allow","Principal":{"AWS":"*"},` + polGet + `,` + polObjects + `}`), true},
		{"AWS list with *", policyWith(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","*"]},` + polGet + `,` + polObjects + `}`), true},
		{"one statement of several", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},` + polGet + `,` + polObjects +
			`},{"Effect":"Allow","Principal":"*","Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::pol"}]}`, true},
		{"NotPrincipal allow", policyWith(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},` + polGet + `,` + polObjects + `}`), true},
		{"statement as an object", `{"Statement":{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `}}`, true},
		{"SourceIp all addresses", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}`), true},
		{"SourceArn wildcard", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::*"}}}`), true},
		{"NotIpAddress", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`), true},
		{"IfExists", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}`), true},
		{"unrelated condition key", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"Bool":{"aws:SecureTransport":"true"}}}`), true},

		{"SourceIp CIDR", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}}`), false},
		{"SourceVpc", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"StringEquals":{"aws:SourceVpc":"vpc-111bbb22"}}}`), false},
		{"SourceVpce", policyWith(`{"Effect":"Allow","Principal":{"AWS":"*"},` + polGet + `,` + polObjects + `,"Condition":{"StringEquals":{"aws:sourcevpce":"vpce-1a2b3c4d"}}}`), false},
		{"SourceAccount", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}`), false},
		{"SourceArn fixed", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"}}}`), false},
		{"PrincipalOrgID", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}`), false},
		{"ForAnyValue qualifier", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":{"ForAnyValue:StringEquals":{"aws:PrincipalOrgPaths":"o-a1b2c3d4e5/r-ab12/"}}}`), false},
		{"one account", policyWith(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},` + polGet + `,` + polObjects + `}`), false},
		{"service principal", policyWith(`{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject",` + polObjects + `}`), false},
		{"deny everyone", policyWith(`{"Effect":"Deny","Principal":"*","Action":"s3:*",` + polObjects + `,"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustS3(cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol"), Policy: aws.String(tc.policy)}))(t)
			out := mustS3(cl.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("pol")}))(t)
			if got := aws.ToBool(out.PolicyStatus.IsPublic); got != tc.public {
				t.Errorf("IsPublic = %v, want %v for %s", got, tc.public, tc.policy)
			}
		})
	}
}

func TestS3MalformedPolicy(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "pol"}); err != nil {
		t.Fatal(err)
	}
	cl := pathClient(cfg)
	ctx := context.Background()
	for _, tc := range []struct{ name, policy, message string }{
		{"not JSON", `Statement: allow all`, "first byte must be '{'"},
		{"array", `[{"Effect":"Allow"}]`, "first byte must be '{'"},
		{"truncated", `{"Statement":[{"Effect":"Allow"`, "invalid Json"},
		{"missing Statement", `{"Version":"2012-10-17"}`, "Missing required field Statement"},
		{"empty Statement", `{"Statement":[]}`, "Statement is empty"},
		{"Statement not a list", `{"Statement":"allow"}`, "invalid Json"},
		{"unknown field", `{"Statements":[]}`, "Unknown field Statements"},
		{"bad Version", `{"Version":"2020-01-01","Statement":[]}`, "valid version"},
		{"missing Effect", policyWith(`{"Principal":"*",` + polGet + `,` + polObjects + `}`), "Missing required field Effect"},
		{"bad Effect", policyWith(`{"Effect":"Allo","Principal":"*",` + polGet + `,` + polObjects + `}`), "Invalid effect: Allo"},
		{"lower-case Effect", policyWith(`{"Effect":"allow","Principal":"*",` + polGet + `,` + polObjects + `}`), "Invalid effect"},
		{"missing Principal", policyWith(`{"Effect":"Allow",` + polGet + `,` + polObjects + `}`), "Missing required field Principal"},
		{"bad Principal", policyWith(`{"Effect":"Allow","Principal":"everyone",` + polGet + `,` + polObjects + `}`), "Invalid principal"},
		{"bad Principal type", policyWith(`{"Effect":"Allow","Principal":{"User":"x"},` + polGet + `,` + polObjects + `}`), "Invalid principal"},
		{"missing Action", policyWith(`{"Effect":"Allow","Principal":"*",` + polObjects + `}`), "Missing required field Action"},
		{"non-S3 Action", policyWith(`{"Effect":"Allow","Principal":"*","Action":"ec2:*",` + polObjects + `}`), "invalid action"},
		{"missing Resource", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `}`), "Missing required field Resource"},
		{"other bucket", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,"Resource":"arn:aws:s3:::other/*"}`), "invalid resource"},
		{"prefix of a name", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,"Resource":"arn:aws:s3:::polish/*"}`), "invalid resource"},
		{"bad Condition", policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `,"Condition":["x"]}`), "condition"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol"), Policy: aws.String(tc.policy)})
			wantS3Error(t, err, "MalformedPolicy", 400)
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("message %q does not contain %q", err, tc.message)
			}
		})
	}
	if info, _ := c.Bucket("pol"); info.Policy != "" {
		t.Errorf("a malformed policy was stored: %s", info.Policy)
	}
}

// TestS3BlockPublicAccessEnforcement: BlockPublicPolicy and BlockPublicAcls
// refuse new public grants; RestrictPublicBuckets leaves the reported
// status alone.
func TestS3BlockPublicAccessEnforcement(t *testing.T) {
	c, cfg := startCloud(t)
	cl := pathClient(cfg)
	ctx := context.Background()
	publicPolicy := policyWith(`{"Effect":"Allow","Principal":"*",` + polGet + `,` + polObjects + `}`)
	privatePolicy := policyWith(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},` + polGet + `,` + polObjects + `}`)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "pol",
		PublicAccessBlock: &PublicAccessBlockSeed{BlockPublicPolicy: true, BlockPublicAcls: true}}); err != nil {
		t.Fatal(err)
	}
	_, err := cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol"), Policy: aws.String(publicPolicy)})
	wantS3Error(t, err, "AccessDenied", 403)
	mustS3(cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol"), Policy: aws.String(privatePolicy)}))(t)

	_, err = cl.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("pol"), ACL: types.BucketCannedACLPublicRead})
	wantS3Error(t, err, "AccessDenied", 403)
	_, err = cl.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("pol"), GrantRead: aws.String(`uri="` + groupAuthenticatedUsers + `"`)})
	wantS3Error(t, err, "AccessDenied", 403)
	mustS3(cl.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("pol"), ACL: types.BucketCannedACLPrivate}))(t)

	// Only RestrictPublicBuckets: the policy goes in and still reports public.
	mustS3(cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("pol"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}))(t)
	mustS3(cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol"), Policy: aws.String(publicPolicy)}))(t)
	if st := mustS3(cl.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("pol")}))(t); !aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Error("RestrictPublicBuckets hid a public policy's status")
	}
	// Turning BlockPublicPolicy on later leaves the existing policy in place.
	mustS3(cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("pol"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)}}))(t)
	if info, _ := c.Bucket("pol"); info.Policy != publicPolicy {
		t.Errorf("policy after enabling BlockPublicPolicy = %q", info.Policy)
	}
}

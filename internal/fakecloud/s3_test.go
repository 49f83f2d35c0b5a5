package fakecloud

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// pathClient is the S3 client rectify uses against the fake: path style.
func pathClient(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// virtualClient is a virtual-hosted S3 client whose endpoint is
// http://endpointHost:PORT, so buckets go in the Host header
// (bucket.endpointHost:PORT). Its transport dials the cloud whatever the
// name, so the test needs no DNS.
func virtualClient(c *Cloud, cfg aws.Config, endpointHost string) *s3.Client {
	addr := strings.TrimPrefix(c.URL(), "http://")
	_, port, _ := net.SplitHostPort(addr)
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = false
		o.BaseEndpoint = aws.String("http://" + net.JoinHostPort(endpointHost, port))
		o.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: dial}}
	})
}

// inRegion returns cfg signing for another region.
func inRegion(cfg aws.Config, region string) aws.Config {
	cfg = cfg.Copy()
	cfg.Region = region
	return cfg
}

// wantS3Error fails unless err is the AWS error code with the HTTP status.
func wantS3Error(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got error code %s (%v), want %s", ae.ErrorCode(), err, code)
	}
	var re *awshttp.ResponseError
	if status != 0 && (!errors.As(err, &re) || re.HTTPStatusCode() != status) {
		t.Fatalf("%s: got HTTP status %v, want %d", code, re, status)
	}
}

// mustS3(call())(t) returns the call's result, failing t on an error. The
// curried form lets a two-result SDK call be passed straight in.
func mustS3[T any](v T, err error) func(testing.TB) T {
	return func(tb testing.TB) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

const publicReadPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`

// TestS3BucketLifecycle drives every operation through the real SDK, in
// both addressing styles, and checks each answer and the fake's state.
func TestS3BucketLifecycle(t *testing.T) {
	for _, style := range []string{"path", "virtual"} {
		t.Run(style, func(t *testing.T) {
			c, cfg := startCloud(t)
			tap := tapEvents(c)
			cl := pathClient(cfg)
			host := "s3.us-east-1.amazonaws.com"
			if style == "virtual" {
				cl = virtualClient(c, cfg, "localhost")
			}
			ctx := context.Background()
			name := "lifecycle-" + style
			b := aws.String(name)
			if style == "virtual" {
				host = name + ".s3.us-east-1.amazonaws.com"
			}

			created := mustS3(cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))(t)
			if aws.ToString(created.Location) != "/"+name {
				t.Errorf("Location = %q", aws.ToString(created.Location))
			}
			if got := tap.last(t, "CreateBucket")["requestParameters"].(map[string]any)["Host"]; got != host {
				t.Errorf("CloudTrail Host = %v, want %s (addressing style not seen)", got, host)
			}
			head := mustS3(cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}))(t)
			if aws.ToString(head.BucketRegion) != "us-east-1" {
				t.Errorf("HeadBucket region = %q", aws.ToString(head.BucketRegion))
			}
			loc := mustS3(cl.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b}))(t)
			if loc.LocationConstraint != "" {
				t.Errorf("us-east-1 LocationConstraint = %q, want empty", loc.LocationConstraint)
			}
			list := mustS3(cl.ListBuckets(ctx, &s3.ListBucketsInput{}))(t)
			if len(list.Buckets) != 1 || aws.ToString(list.Buckets[0].Name) != name ||
				aws.ToString(list.Buckets[0].BucketRegion) != "us-east-1" || list.Buckets[0].CreationDate == nil {
				t.Errorf("ListBuckets = %+v", list.Buckets)
			}
			if list.Owner == nil || aws.ToString(list.Owner.ID) != canonicalUserID(DefaultAccount) {
				t.Errorf("ListBuckets owner = %+v", list.Owner)
			}

			// Block Public Access.
			_, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
			wantS3Error(t, err, "NoSuchPublicAccessBlockConfiguration", 404)
			mustS3(cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b,
				PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
					BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))(t)
			pab := mustS3(cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}))(t).PublicAccessBlockConfiguration
			if !aws.ToBool(pab.BlockPublicAcls) || !aws.ToBool(pab.IgnorePublicAcls) || aws.ToBool(pab.BlockPublicPolicy) ||
				!aws.ToBool(pab.RestrictPublicBuckets) || pab.BlockPublicPolicy == nil {
				t.Errorf("GetPublicAccessBlock = %+v; an element left out must read back false", pab)
			}
			if info, _ := c.Bucket(name); info.PublicAccessBlock == nil || !info.PublicAccessBlock.BlockPublicAcls {
				t.Errorf("state after PutPublicAccessBlock: %+v", info.PublicAccessBlock)
			}
			mustS3(cl.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}))(t)
			_, err = cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
			wantS3Error(t, err, "NoSuchPublicAccessBlockConfiguration", 404)

			// Policy and its status.
			_, err = cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
			wantS3Error(t, err, "NoSuchBucketPolicy", 404)
			_, err = cl.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})
			wantS3Error(t, err, "NoSuchBucketPolicy", 404)
			policy := fmt.Sprintf(publicReadPolicy, name)
			mustS3(cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policy)}))(t)
			if got := aws.ToString(mustS3(cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}))(t).Policy); got != policy {
				t.Errorf("GetBucketPolicy = %s, want %s", got, policy)
			}
			status := mustS3(cl.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b}))(t)
			if !aws.ToBool(status.PolicyStatus.IsPublic) {
				t.Error("public-read policy: IsPublic = false")
			}
			mustS3(cl.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}))(t)
			_, err = cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
			wantS3Error(t, err, "NoSuchBucketPolicy", 404)

			// Default encryption: S3's SSE-S3 default, then SSE-S3 and
			// SSE-KMS with a bucket key, then the default again.
			wantDefaultSSE(ctx, t, cl, b)
			for _, rule := range []types.ServerSideEncryptionRule{
				{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}},
				{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms,
					KMSMasterKeyID: aws.String("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")}, BucketKeyEnabled: aws.Bool(true)},
			} {
				mustS3(cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
					ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{rule}}}))(t)
				got := mustS3(cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b}))(t).ServerSideEncryptionConfiguration
				if len(got.Rules) != 1 {
					t.Fatalf("GetBucketEncryption rules = %+v", got.Rules)
				}
				d := got.Rules[0].ApplyServerSideEncryptionByDefault
				if d.SSEAlgorithm != rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm ||
					aws.ToString(d.KMSMasterKeyID) != aws.ToString(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) ||
					aws.ToBool(got.Rules[0].BucketKeyEnabled) != aws.ToBool(rule.BucketKeyEnabled) || got.Rules[0].BucketKeyEnabled == nil {
					t.Errorf("GetBucketEncryption = %+v %+v, want %+v", d, got.Rules[0].BucketKeyEnabled, rule)
				}
			}
			if info, _ := c.Bucket(name); info.Encryption == nil || info.Encryption.SSEAlgorithm != "aws:kms" || !info.Encryption.BucketKeyEnabled {
				t.Errorf("state after PutBucketEncryption: %+v", info.Encryption)
			}
			mustS3(cl.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: b}))(t)
			wantDefaultSSE(ctx, t, cl, b)

			// Tags.
			_, err = cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
			wantS3Error(t, err, "NoSuchTagSet", 404)
			tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("sec")}, {Key: aws.String("rectify:exempt"), Value: aws.String("all")}}
			mustS3(cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: tags}}))(t)
			gotTags := mustS3(cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b}))(t).TagSet
			if len(gotTags) != 2 || aws.ToString(gotTags[1].Key) != "rectify:exempt" || aws.ToString(gotTags[1].Value) != "all" {
				t.Errorf("GetBucketTagging = %+v", gotTags)
			}
			mustS3(cl.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: b}))(t)
			_, err = cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
			wantS3Error(t, err, "NoSuchTagSet", 404)

			// ACLs: the default, a canned ACL, then an explicit policy.
			owner := canonicalUserID(DefaultAccount)
			acl := mustS3(cl.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b}))(t)
			if aws.ToString(acl.Owner.ID) != owner || len(acl.Grants) != 1 || acl.Grants[0].Grantee.Type != types.TypeCanonicalUser ||
				aws.ToString(acl.Grants[0].Grantee.ID) != owner || acl.Grants[0].Permission != types.PermissionFullControl {
				t.Errorf("default ACL = %+v %+v", acl.Owner, acl.Grants)
			}
			mustS3(cl.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPublicRead}))(t)
			acl = mustS3(cl.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b}))(t)
			if len(acl.Grants) != 2 || acl.Grants[1].Grantee.Type != types.TypeGroup ||
				aws.ToString(acl.Grants[1].Grantee.URI) != groupAllUsers || acl.Grants[1].Permission != types.PermissionRead {
				t.Errorf("public-read ACL = %+v", acl.Grants)
			}
			mustS3(cl.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, AccessControlPolicy: &types.AccessControlPolicy{
				Owner: &types.Owner{ID: aws.String(owner)},
				Grants: []types.Grant{
					{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(owner)}, Permission: types.PermissionFullControl},
					{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(groupLogDelivery)}, Permission: types.PermissionWrite},
				}}}))(t)
			if info, _ := c.Bucket(name); len(info.Grants) != 2 || info.Grants[1].URI != groupLogDelivery || info.Grants[1].GranteeType != "Group" {
				t.Errorf("state after PutBucketAcl: %+v", info.Grants)
			}

			mustS3(cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}))(t)
			_, err = cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
			var nf *types.NotFound
			if !errors.As(err, &nf) {
				t.Errorf("HeadBucket after DeleteBucket: %v, want *types.NotFound", err)
			}
			if _, ok := c.Bucket(name); ok {
				t.Error("bucket still in state after DeleteBucket")
			}
		})
	}
}

// TestS3Regions covers CreateBucketConfiguration and where each answer
// reports the region.
func TestS3Regions(t *testing.T) {
	c, cfg := startCloud(t)
	ctx := context.Background()
	eu := pathClient(inRegion(cfg, "eu-west-1"))
	mustS3(eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("in-ireland"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}))(t)
	if head := mustS3(eu.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("in-ireland")}))(t); aws.ToString(head.BucketRegion) != "eu-west-1" {
		t.Errorf("HeadBucket region = %q", aws.ToString(head.BucketRegion))
	}
	if loc := mustS3(eu.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("in-ireland")}))(t); loc.LocationConstraint != "eu-west-1" {
		t.Errorf("GetBucketLocation = %q", loc.LocationConstraint)
	}
	// A bucket answers only in its own region. HeadBucket's 301 has no body
	// but names the region in a header, which is how clients find it.
	us := pathClient(cfg)
	_, err := us.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("in-ireland")})
	wantS3Error(t, err, "PermanentRedirect", 301)
	_, err = us.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("in-ireland")})
	wantS3Error(t, err, "MovedPermanently", 301)
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.Response.Header.Get("x-amz-bucket-region") != "eu-west-1" {
		t.Errorf("HeadBucket redirect does not name the region: %v", err)
	}
	if loc := mustS3(us.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("in-ireland")}))(t); loc.LocationConstraint != "eu-west-1" {
		t.Errorf("GetBucketLocation from us-east-1 = %q; it must answer from any region", loc.LocationConstraint)
	}
	if status, body := rawS3(t, c, http.MethodGet, "/in-ireland?tagging", nil, nil); status != 301 ||
		!strings.Contains(body, "<Endpoint>in-ireland.s3.eu-west-1.amazonaws.com</Endpoint>") {
		t.Errorf("PermanentRedirect document: %d %s", status, body)
	}

	// us-east-1 creates anywhere, as the global endpoint does.
	mustS3(us.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("in-oregon"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintUsWest2}}))(t)
	if info, _ := c.Bucket("in-oregon"); info.Region != "us-west-2" {
		t.Errorf("in-oregon region = %q", info.Region)
	}
	list := mustS3(us.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("eu-west-1")}))(t)
	if len(list.Buckets) != 1 || aws.ToString(list.Buckets[0].Name) != "in-ireland" {
		t.Errorf("ListBuckets(bucket-region=eu-west-1) = %+v", list.Buckets)
	}

	for _, tc := range []struct {
		name, region, constraint, code string
	}{
		{"unspecified outside us-east-1", "eu-west-1", "", "IllegalLocationConstraintException"},
		{"other region's endpoint", "eu-west-1", "us-west-2", "IllegalLocationConstraintException"},
		{"explicit us-east-1", "us-east-1", "us-east-1", "InvalidLocationConstraint"},
		{"not a region", "us-east-1", "moon-base-1x", "InvalidLocationConstraint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &s3.CreateBucketInput{Bucket: aws.String("constraint-test")}
			if tc.constraint != "" {
				in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(tc.constraint)}
			}
			_, err := pathClient(inRegion(cfg, tc.region)).CreateBucket(ctx, in)
			wantS3Error(t, err, tc.code, 400)
		})
	}
}

func TestS3ListBucketsPages(t *testing.T) {
	c, cfg := startCloud(t)
	for _, n := range []string{"page-a", "page-b", "page-c", "other"} {
		if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	p := s3.NewListBucketsPaginator(pathClient(cfg), &s3.ListBucketsInput{Prefix: aws.String("page-"), MaxBuckets: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out := mustS3(p.NextPage(context.Background()))(t)
		pages++
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name))
		}
	}
	if strings.Join(got, ",") != "page-a,page-b,page-c" || pages != 2 {
		t.Errorf("paged ListBuckets = %v in %d pages", got, pages)
	}
}

// TestS3CreateBucketConflicts: names are global, so the second CreateBucket
// fails differently for the owner and for a stranger.
func TestS3CreateBucketConflicts(t *testing.T) {
	c, cfg := startCloud(t)
	ctx := context.Background()
	c.AddUser("210987654321", "other", "AKIAOTHERACCOUNT0001", "other-secret")
	other := pathClient(sdkConfig(c.URL(), "AKIAOTHERACCOUNT0001", "other-secret", ""))
	admin := pathClient(cfg)
	mustS3(admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("taken")}))(t)

	_, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("taken")})
	wantS3Error(t, err, "BucketAlreadyOwnedByYou", 409)
	_, err = other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("taken")})
	wantS3Error(t, err, "BucketAlreadyExists", 409)

	for _, name := range []string{"ab", "UpperCase", "under_score", "-dash-first", "dots..twice", "192.168.1.1", "xn--punycode", strings.Repeat("a", 64)} {
		_, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		wantS3Error(t, err, "InvalidBucketName", 400)
	}
}

// s3Ops calls every operation on one bucket, for the tables of error cases.
var s3Ops = []struct {
	name string
	call func(ctx context.Context, cl *s3.Client, b *string) error
}{
	{"DeleteBucket", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
		return err
	}},
	{"GetBucketLocation", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
		return err
	}},
	{"GetPublicAccessBlock", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
		return err
	}},
	{"PutPublicAccessBlock", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b,
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)}})
		return err
	}},
	{"DeletePublicAccessBlock", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b})
		return err
	}},
	{"GetBucketPolicy", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
		return err
	}},
	{"PutBucketPolicy", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(fmt.Sprintf(publicReadPolicy, *b))})
		return err
	}},
	{"DeleteBucketPolicy", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b})
		return err
	}},
	{"GetBucketPolicyStatus", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})
		return err
	}},
	{"GetBucketEncryption", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		return err
	}},
	{"PutBucketEncryption", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{
				{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}})
		return err
	}},
	{"DeleteBucketEncryption", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: b})
		return err
	}},
	{"GetBucketTagging", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
		return err
	}},
	{"PutBucketTagging", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b,
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
		return err
	}},
	{"DeleteBucketTagging", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: b})
		return err
	}},
	{"GetBucketAcl", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})
		return err
	}},
	{"PutBucketAcl", func(ctx context.Context, cl *s3.Client, b *string) error {
		_, err := cl.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPrivate})
		return err
	}},
}

func TestS3NoSuchBucket(t *testing.T) {
	c, cfg := startCloud(t)
	ctx := context.Background()
	for _, style := range []string{"path", "virtual"} {
		cl := pathClient(cfg)
		if style == "virtual" {
			cl = virtualClient(c, cfg, "localhost")
		}
		for _, op := range s3Ops {
			t.Run(style+"/"+op.name, func(t *testing.T) {
				wantS3Error(t, op.call(ctx, cl, aws.String("no-such-bucket")), "NoSuchBucket", 404)
			})
		}
		t.Run(style+"/HeadBucket", func(t *testing.T) {
			_, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("no-such-bucket")})
			var nf *types.NotFound
			if !errors.As(err, &nf) {
				t.Fatalf("HeadBucket on a missing bucket: %v, want *types.NotFound", err)
			}
			wantS3Error(t, err, "NotFound", 404)
		})
	}
}

// TestS3CrossAccount: a bucket owned by another account is AccessDenied for
// every operation and invisible to ListBuckets.
func TestS3CrossAccount(t *testing.T) {
	c, cfg := startCloud(t)
	ctx := context.Background()
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "admins-bucket"}); err != nil {
		t.Fatal(err)
	}
	c.AddUser("210987654321", "mallory", "AKIAOTHERACCOUNT0002", "mallory-secret")
	other := pathClient(sdkConfig(c.URL(), "AKIAOTHERACCOUNT0002", "mallory-secret", ""))
	for _, op := range s3Ops {
		t.Run(op.name, func(t *testing.T) {
			wantS3Error(t, op.call(ctx, other, aws.String("admins-bucket")), "AccessDenied", 403)
		})
	}
	t.Run("HeadBucket", func(t *testing.T) {
		_, err := other.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("admins-bucket")})
		wantS3Error(t, err, "Forbidden", 403) // no body on HEAD: the SDK names the status
	})
	t.Run("ListBuckets", func(t *testing.T) {
		if out := mustS3(other.ListBuckets(ctx, &s3.ListBucketsInput{}))(t); len(out.Buckets) != 0 {
			t.Errorf("another account lists %+v", out.Buckets)
		}
	})
	t.Run("ExpectedBucketOwner", func(t *testing.T) {
		_, err := pathClient(cfg).GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("admins-bucket"), ExpectedBucketOwner: aws.String("210987654321")})
		wantS3Error(t, err, "AccessDenied", 403)
	})
	if info, _ := c.Bucket("admins-bucket"); info.PublicAccessBlock != nil || info.Policy != "" || info.Tags != nil {
		t.Errorf("a denied call changed the bucket: %+v", info)
	}
}

func TestS3AuthErrors(t *testing.T) {
	c, _ := startCloud(t)
	tap := tapEvents(c)
	ctx := context.Background()
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "guarded"}); err != nil {
		t.Fatal(err)
	}

	unknown := pathClient(sdkConfig(c.URL(), "AKIANOSUCHKEY0000000", "x", ""))
	_, err := unknown.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantS3Error(t, err, "InvalidAccessKeyId", 403)

	c.AddUser(DefaultAccount, "readonly", "AKIAREADONLY00000001", "ro-secret", "s3:Put*", "s3:Delete*")
	ro := pathClient(sdkConfig(c.URL(), "AKIAREADONLY00000001", "ro-secret", ""))
	_, err = ro.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("guarded"), Policy: aws.String(fmt.Sprintf(publicReadPolicy, "guarded"))})
	wantS3Error(t, err, "AccessDenied", 403)
	if !strings.Contains(err.Error(), "s3:PutBucketPolicy") || !strings.Contains(err.Error(), "arn:aws:s3:::guarded") {
		t.Errorf("AccessDenied message does not name the action and bucket: %v", err)
	}
	_, err = ro.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("guarded"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{
			{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}})
	if err == nil || !strings.Contains(err.Error(), "s3:PutEncryptionConfiguration") {
		t.Errorf("PutBucketEncryption denial should name the IAM action s3:PutEncryptionConfiguration: %v", err)
	}
	mustS3(ro.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("guarded")}))(t)

	d := tap.last(t, "PutBucketPolicy")
	if d["errorCode"] != "AccessDenied" || d["userIdentity"].(map[string]any)["userName"] != "readonly" {
		t.Errorf("denied PutBucketPolicy event: errorCode=%v userIdentity=%v", d["errorCode"], d["userIdentity"])
	}
}

// rawS3 sends a request the SDK would never send (bad bodies, other
// encodings, other Host headers: set "Host" in header). The fake reads the SigV4 credential scope but does not check
// signatures, so a well-formed Authorization header is enough.
func rawS3(t *testing.T, c *Cloud, method, target string, header http.Header, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, c.URL()+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if h := header.Get("Host"); h != "" {
		req.Host = h
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+DefaultAccessKeyID+
		"/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestS3BadBodies: whatever arrives, the answer is an S3 error, never a
// panic or a 5xx.
func TestS3BadBodies(t *testing.T) {
	c, _ := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "target"}); err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{
		"empty":       "",
		"text":        "not xml at all",
		"unclosed":    "<PublicAccessBlockConfiguration>",
		"mismatched":  "<Tagging><TagSet></Tagging></TagSet>",
		"wrong root":  "<Nope><BlockPublicAcls>true</BlockPublicAcls></Nope>",
		"bad boolean": "<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>",
		"deep":        strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000),
		"binary":      "\x00\xff\xfe<\x01",
	}
	for _, target := range []string{"/target?publicAccessBlock", "/target?encryption", "/target?tagging", "/target?acl", "/new-bucket"} {
		for name, body := range bodies {
			if target == "/new-bucket" && name == "empty" {
				continue // CreateBucket's body is optional
			}
			t.Run(target+"/"+name, func(t *testing.T) {
				status, resp := rawS3(t, c, http.MethodPut, target, nil, []byte(body))
				wantCode := "<Code>MalformedXML</Code>"
				if target == "/target?acl" && name == "empty" {
					wantCode = "<Code>MissingSecurityHeader</Code>"
				}
				if status != 400 || !strings.Contains(resp, wantCode) {
					t.Errorf("PUT %s with %s body: %d %s, want 400 %s", target, name, status, resp, wantCode)
				}
			})
		}
	}
	status, resp := rawS3(t, c, http.MethodPut, "/target?policy", nil, []byte("\x00garbage"))
	if status != 400 || !strings.Contains(resp, "<Code>MalformedPolicy</Code>") {
		t.Errorf("PutBucketPolicy garbage: %d %s", status, resp)
	}
	for _, target := range []string{"/target/some-key?tagging", "/target?versioning", "/target"} {
		status, resp := rawS3(t, c, http.MethodGet, target, nil, nil)
		if status != http.StatusNotImplemented || !strings.Contains(resp, "<Code>NotImplemented</Code>") {
			t.Errorf("GET %s: %d %s, want 501 NotImplemented", target, status, resp)
		}
	}
	status, resp = rawS3(t, c, http.MethodPost, "/target?policy", nil, nil)
	if status != http.StatusMethodNotAllowed || !strings.Contains(resp, "<Code>MethodNotAllowed</Code>") {
		t.Errorf("POST ?policy: %d %s", status, resp)
	}
	status, resp = rawS3(t, c, http.MethodGet, "/no-such?tagging", nil, nil)
	if status != 404 || !strings.Contains(resp, "<BucketName>no-such</BucketName>") || !strings.Contains(resp, "<RequestId>") {
		t.Errorf("NoSuchBucket document: %d %s", status, resp)
	}
	if info, _ := c.Bucket("target"); info.PublicAccessBlock != nil || info.Tags != nil || info.Encryption != nil {
		t.Errorf("a rejected body changed the bucket: %+v", info)
	}
}

func TestS3VirtualHostBucket(t *testing.T) {
	for _, tc := range []struct{ host, listener, want string }{
		{"127.0.0.1:4566", "127.0.0.1", ""},
		{"localhost:4566", "127.0.0.1", ""},
		{"fakecloud:4566", "172.18.0.2", ""},
		{"[::1]:4566", "::1", ""},
		{"s3.amazonaws.com", "127.0.0.1", ""},
		{"s3.us-west-2.amazonaws.com", "127.0.0.1", ""},
		{"s3.127.0.0.1.nip.io:4566", "127.0.0.1", ""},
		{"mybucket.localhost:4566", "127.0.0.1", "mybucket"},
		{"my.dotted.bucket.localhost:4566", "127.0.0.1", "my.dotted.bucket"},
		{"mybucket.s3.127.0.0.1.nip.io:4566", "127.0.0.1", "mybucket"},
		{"my.bucket.s3.us-west-2.amazonaws.com", "", "my.bucket"},
		{"mybucket.s3-us-west-2.amazonaws.com", "", "mybucket"},
		{"mybucket.127.0.0.1.nip.io:4566", "127.0.0.1", "mybucket"},
		{"mybucket.fakecloud.internal:4566", "10.0.0.5", "mybucket"},
		{"MyBucket.LOCALHOST.:4566", "127.0.0.1", "mybucket"},
	} {
		if got := virtualHostBucket(tc.host, tc.listener); got != tc.want {
			t.Errorf("virtualHostBucket(%q, %q) = %q, want %q", tc.host, tc.listener, got, tc.want)
		}
	}
}

// TestS3VirtualHostNipIO: the other virtual-hosted shape, an endpoint name
// that starts with "s3." and embeds the address.
func TestS3VirtualHostNipIO(t *testing.T) {
	c, cfg := startCloud(t)
	tap := tapEvents(c)
	cl := virtualClient(c, cfg, "s3.127.0.0.1.nip.io")
	ctx := context.Background()
	mustS3(cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("nip-bucket")}))(t)
	mustS3(cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("nip-bucket"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}}))(t)
	if info, ok := c.Bucket("nip-bucket"); !ok || info.Tags["env"] != "dev" {
		t.Fatalf("bucket state = %+v, %v", info, ok)
	}
	if h := tap.last(t, "PutBucketTagging")["requestParameters"].(map[string]any)["Host"]; h != "nip-bucket.s3.us-east-1.amazonaws.com" {
		t.Errorf("Host = %v", h)
	}
	list := mustS3(cl.ListBuckets(ctx, &s3.ListBucketsInput{}))(t)
	if len(list.Buckets) != 1 {
		t.Errorf("ListBuckets through s3.127.0.0.1.nip.io = %+v", list.Buckets)
	}
}

// TestS3DottedEndpointName: an endpoint reached through a dotted DNS name
// (host.docker.internal) still serves path-style requests for existing
// buckets, and an object request to a virtual-hosted bucket never becomes
// a bucket request.
func TestS3DottedEndpointName(t *testing.T) {
	c, _ := startCloud(t)
	for _, n := range []string{"existing", "vhost"} {
		if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(c.URL(), "http://"))
	docker := http.Header{"Host": {"host.docker.internal:" + port}}
	if status, body := rawS3(t, c, http.MethodPut, "/existing?tagging", docker,
		[]byte(`<Tagging><TagSet><Tag><Key>via</Key><Value>docker</Value></Tag></TagSet></Tagging>`)); status != 204 {
		t.Fatalf("path style through host.docker.internal: %d %s", status, body)
	}
	if info, _ := c.Bucket("existing"); info.Tags["via"] != "docker" {
		t.Errorf("tags = %v", info.Tags)
	}
	vhost := http.Header{"Host": {"vhost.localhost:" + port}}
	if status, body := rawS3(t, c, http.MethodPut, "/existing", vhost, []byte("object bytes")); status != http.StatusOK {
		t.Errorf("PUT object on a virtual-hosted bucket: %d %s, want 200", status, body)
	}
	if data, _, ok := c.Object("vhost", "existing"); !ok || string(data) != "object bytes" {
		t.Errorf("object on the virtual-hosted bucket: %q %v", data, ok)
	}
	if status, body := rawS3(t, c, http.MethodPut, "/new-name", vhost, nil); status != http.StatusOK {
		t.Errorf("PUT object named like a bucket: %d %s, want 200", status, body)
	}
	if _, ok := c.Bucket("new-name"); ok {
		t.Error("an object PUT created a bucket")
	}
}

func TestS3SeedBucket(t *testing.T) {
	c, cfg := startCloud(t)
	ctx := context.Background()
	tap := tapEvents(c)
	seed := Seed{Accounts: []AccountSeed{{ID: DefaultAccount, Buckets: []BucketSeed{{
		Name: "seeded", Region: "eu-central-1",
		PublicAccessBlock: &PublicAccessBlockSeed{BlockPublicAcls: true, RestrictPublicBuckets: true},
		Tags:              map[string]string{"owner": "data", "rectify:exempt": "aws.s3.public"},
		Policy:            fmt.Sprintf(publicReadPolicy, "seeded"),
	}}}}}
	if err := c.Apply(seed); err != nil {
		t.Fatal(err)
	}
	cl := pathClient(inRegion(cfg, "eu-central-1"))
	b := aws.String("seeded")
	if h := mustS3(cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}))(t); aws.ToString(h.BucketRegion) != "eu-central-1" {
		t.Errorf("region = %q", aws.ToString(h.BucketRegion))
	}
	pab := mustS3(cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}))(t).PublicAccessBlockConfiguration
	if !aws.ToBool(pab.BlockPublicAcls) || aws.ToBool(pab.BlockPublicPolicy) || !aws.ToBool(pab.RestrictPublicBuckets) {
		t.Errorf("seeded PAB = %+v", pab)
	}
	if tags := mustS3(cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b}))(t).TagSet; len(tags) != 2 || aws.ToString(tags[0].Key) != "owner" {
		t.Errorf("seeded tags = %+v", tags)
	}
	if st := mustS3(cl.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b}))(t); !aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Error("seeded public policy is not public")
	}
	tap.mu.Lock()
	if n := len(tap.events); n != 0 {
		t.Errorf("seeding emitted %d CloudTrail events", n)
	}
	tap.mu.Unlock()
	for name, bad := range map[string]BucketSeed{
		"duplicate":  {Name: "seeded"},
		"bad name":   {Name: "Bad_Name"},
		"bad policy": {Name: "ok-name", Policy: `{"Statement":[{"Effect":"Allow"}]}`},
		"bad tag":    {Name: "ok-name-2", Tags: map[string]string{"aws:reserved": "x"}},
	} {
		if err := c.SeedBucket(DefaultAccount, bad); err == nil {
			t.Errorf("SeedBucket %s: no error", name)
		}
	}
}

// wantDefaultSSE checks that the bucket reports S3's default encryption:
// one SSE-S3 rule, no key, bucket key off.
func wantDefaultSSE(ctx context.Context, t *testing.T, cl *s3.Client, b *string) {
	t.Helper()
	got := mustS3(cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b}))(t).ServerSideEncryptionConfiguration
	if len(got.Rules) != 1 || got.Rules[0].ApplyServerSideEncryptionByDefault == nil {
		t.Fatalf("default GetBucketEncryption rules = %+v", got.Rules)
	}
	r := got.Rules[0]
	if d := r.ApplyServerSideEncryptionByDefault; d.SSEAlgorithm != types.ServerSideEncryptionAes256 || d.KMSMasterKeyID != nil ||
		r.BucketKeyEnabled == nil || *r.BucketKeyEnabled {
		t.Errorf("default encryption = %+v, bucket key %v; want AES256 without key or bucket key", *d, r.BucketKeyEnabled)
	}
}

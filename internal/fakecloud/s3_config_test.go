package fakecloud

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestS3EncryptionValidation(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "enc"}); err != nil {
		t.Fatal(err)
	}
	cl := pathClient(cfg)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		rules []types.ServerSideEncryptionRule
		code  string
	}{
		{"rule without default", []types.ServerSideEncryptionRule{{BucketKeyEnabled: aws.Bool(true)}}, "MalformedXML"},
		{"unknown algorithm", []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
			SSEAlgorithm: "ROT13"}}}, "MalformedXML"},
		{"KMS key with AES256", []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
			SSEAlgorithm: types.ServerSideEncryptionAes256, KMSMasterKeyID: aws.String("alias/aws/s3")}}}, "InvalidArgument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("enc"),
				ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: tc.rules}})
			wantS3Error(t, err, tc.code, 400)
		})
	}
	// The SDK refuses to send a configuration without rules; S3 would too.
	if status, resp := rawS3(t, c, "PUT", "/enc?encryption", nil, []byte(`<ServerSideEncryptionConfiguration/>`)); status != 400 ||
		!strings.Contains(resp, "<Code>MalformedXML</Code>") {
		t.Errorf("no rules: %d %s", status, resp)
	}
	// aws:kms without a key uses the AWS managed key; DSSE is accepted too.
	for _, alg := range []types.ServerSideEncryption{types.ServerSideEncryptionAwsKms, types.ServerSideEncryptionAwsKmsDsse} {
		mustS3(cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("enc"),
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{
				{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg}}}}}))(t)
		if info, _ := c.Bucket("enc"); info.Encryption.SSEAlgorithm != string(alg) || info.Encryption.BucketKeyEnabled {
			t.Errorf("state after %s: %+v", alg, info.Encryption)
		}
	}
}

func TestS3TagValidation(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "tags", Tags: map[string]string{"keep": "me"}}); err != nil {
		t.Fatal(err)
	}
	cl := pathClient(cfg)
	ctx := context.Background()
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = tag(fmt.Sprint("k", i), "v")
	}
	for _, tc := range []struct {
		name string
		tags []types.Tag
	}{
		{"duplicate key", []types.Tag{tag("a", "1"), tag("a", "2")}},
		{"aws: prefix", []types.Tag{tag("aws:cloudformation:stack-name", "x")}},
		{"empty key", []types.Tag{tag("", "x")}},
		{"long key", []types.Tag{tag(strings.Repeat("k", 129), "x")}},
		{"long value", []types.Tag{tag("k", strings.Repeat("v", 257))}},
		{"too many", many},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tags"), Tagging: &types.Tagging{TagSet: tc.tags}})
			wantS3Error(t, err, "InvalidTag", 400)
		})
	}
	if info, _ := c.Bucket("tags"); len(info.Tags) != 1 || info.Tags["keep"] != "me" {
		t.Errorf("a rejected tag set changed the bucket: %v", info.Tags)
	}
	// An empty set removes the tags, as S3 does.
	mustS3(cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tags"), Tagging: &types.Tagging{TagSet: []types.Tag{}}}))(t)
	_, err := cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tags")})
	wantS3Error(t, err, "NoSuchTagSet", 404)
}

func TestS3ACLRequests(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedBucket(DefaultAccount, BucketSeed{Name: "acl"}); err != nil {
		t.Fatal(err)
	}
	cl := pathClient(cfg)
	ctx := context.Background()
	b := aws.String("acl")
	owner := canonicalUserID(DefaultAccount)
	ownerOnly := &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(owner)}, Grants: []types.Grant{
		{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(owner)}, Permission: types.PermissionFullControl}}}

	for _, tc := range []struct {
		name   string
		in     s3.PutBucketAclInput
		code   string
		status int
	}{
		{"nothing", s3.PutBucketAclInput{}, "MissingSecurityHeader", 400},
		{"canned and body", s3.PutBucketAclInput{ACL: types.BucketCannedACLPrivate, AccessControlPolicy: ownerOnly}, "UnexpectedContent", 400},
		{"canned and grant header", s3.PutBucketAclInput{ACL: types.BucketCannedACLPrivate, GrantRead: aws.String("id=" + owner)}, "InvalidRequest", 400},
		{"unknown canned ACL", s3.PutBucketAclInput{ACL: "world-writable"}, "InvalidArgument", 400},
		{"email grant header", s3.PutBucketAclInput{GrantRead: aws.String(`emailAddress="someone@example.com"`)}, "UnresolvableGrantByEmailAddress", 400},
		{"bad group", s3.PutBucketAclInput{GrantRead: aws.String(`uri="http://acs.amazonaws.com/groups/global/Everyone"`)}, "InvalidArgument", 400},
		{"bad permission", s3.PutBucketAclInput{AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(owner)},
			Grants: []types.Grant{{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(owner)}, Permission: "EVERYTHING"}}}}, "MalformedACLError", 400},
		{"email grantee", s3.PutBucketAclInput{AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(owner)},
			Grants: []types.Grant{{Grantee: &types.Grantee{Type: types.TypeAmazonCustomerByEmail, EmailAddress: aws.String("a@example.com")},
				Permission: types.PermissionRead}}}}, "UnresolvableGrantByEmailAddress", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket = b
			_, err := cl.PutBucketAcl(ctx, &in)
			wantS3Error(t, err, tc.code, tc.status)
		})
	}

	// Explicit grant headers, several grantees in one header.
	mustS3(cl.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b,
		GrantFullControl: aws.String(`id="` + owner + `"`),
		GrantWrite:       aws.String(`uri="` + groupLogDelivery + `"`),
		GrantReadACP:     aws.String(`uri="` + groupLogDelivery + `", id="` + owner + `"`)}))(t)
	acl := mustS3(cl.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b}))(t)
	var got []string
	for _, g := range acl.Grants {
		got = append(got, fmt.Sprintf("%s:%s%s:%s", g.Grantee.Type, aws.ToString(g.Grantee.ID), aws.ToString(g.Grantee.URI), g.Permission))
	}
	want := []string{"CanonicalUser:" + owner + ":FULL_CONTROL", "Group:" + groupLogDelivery + ":WRITE",
		"Group:" + groupLogDelivery + ":READ_ACP", "CanonicalUser:" + owner + ":READ_ACP"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("grants = %v\nwant %v", got, want)
	}
	for _, canned := range []types.BucketCannedACL{types.BucketCannedACLPublicReadWrite, types.BucketCannedACLAuthenticatedRead} {
		mustS3(cl.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: canned}))(t)
		if info, _ := c.Bucket("acl"); !publicGrantInfo(info.Grants) {
			t.Errorf("%s: no public grant in %+v", canned, info.Grants)
		}
	}
}

func publicGrantInfo(grants []BucketGrant) bool {
	for _, g := range grants {
		if g.URI == groupAllUsers || g.URI == groupAuthenticatedUsers {
			return true
		}
	}
	return false
}

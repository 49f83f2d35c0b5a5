package activities

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TagExempt adds the policy to the resource's rectify:exempt tag with an
// expiry, so an undone fix is not re-applied by the next evaluation, and
// the exemption is visible and auditable where the resource lives.
func (a *Activities) TagExempt(ctx context.Context, in TagExemptInput) error {
	switch in.Ref.Type {
	case resource.TypeIAMUser, resource.TypeIAMRole, resource.TypeIAMGroup:
		return a.tagIAMExempt(ctx, in)
	case resource.TypeSecurityGroup:
		client := a.AWS.EC2(in.Ref.Account, in.Ref.Region)
		out, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{in.Ref.ID}})
		if err != nil {
			return awsError(ctx, "read tags of "+in.Ref.ID, err)
		}
		current := map[string]string{}
		for _, g := range out.SecurityGroups {
			for _, t := range g.Tags {
				current[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		}
		var tags []ec2types.Tag
		for k, v := range exemptTags(current, in.PolicyID, in.Until) {
			if k == TagExempt || k == TagExemptUntil {
				tags = append(tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
			}
		}
		if _, err := client.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{in.Ref.ID}, Tags: tags}); err != nil {
			return awsError(ctx, "tag "+in.Ref.ID+" exempt", err)
		}
		return nil
	case resource.TypeKMSKey:
		return a.tagKMSKeyExempt(ctx, in)
	case resource.TypeDBInstance:
		return a.tagDBInstanceExempt(ctx, in)
	case resource.TypeEBSEncryptionByDefault:
		// No tags exist on the setting: the undo stands, and a human must
		// add a config exemption to keep the next evaluation from re-fixing.
		return permanent(ErrUnsupportedResourceType, "tag %s exempt: EBS encryption by default has no tags; add to the rectify config: exemptions: [{arn: %q, policies: [%s], reason: ..., owner: ..., expires: YYYY-MM-DD}]", in.Ref.ARN, in.Ref.ARN, in.PolicyID)
	case resource.TypeCloudTrail:
		return a.tagTrailExempt(ctx, in)
	case resource.TypeS3Bucket:
		client := a.AWS.S3(in.Ref.Account, in.Ref.Region)
		current := map[string]string{}
		out, err := client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(in.Ref.ID)})
		switch {
		case errorCode(err) == "NoSuchTagSet":
		case err != nil:
			return awsError(ctx, "read tags of bucket "+in.Ref.ID, err)
		default:
			for _, t := range out.TagSet {
				current[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		}
		// PutBucketTagging replaces the whole set, so the others are kept.
		var set []s3types.Tag
		for k, v := range exemptTags(current, in.PolicyID, in.Until) {
			set = append(set, s3types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		slices.SortFunc(set, func(x, y s3types.Tag) int { return strings.Compare(aws.ToString(x.Key), aws.ToString(y.Key)) })
		if _, err := client.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
			Bucket: aws.String(in.Ref.ID), Tagging: &s3types.Tagging{TagSet: set},
		}); err != nil {
			return awsError(ctx, "tag bucket "+in.Ref.ID+" exempt", err)
		}
		return nil
	}
	return permanent(ErrUnsupportedResourceType, "tag %s exempt: resource type %q is not supported", in.Ref.ARN, in.Ref.Type)
}

// exemptTags returns tags with policyID added to rectify:exempt and the
// expiry set. An existing "all" stays "all"; the later expiry wins, so an
// undo never shortens an exemption a human gave.
func exemptTags(tags map[string]string, policyID string, until time.Time) map[string]string {
	out := make(map[string]string, len(tags)+2)
	for k, v := range tags {
		out[k] = v
	}
	var ids []string
	for _, id := range strings.Split(out[TagExempt], ",") {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if !slices.Contains(ids, "all") && !slices.Contains(ids, policyID) {
		ids = append(ids, policyID)
	}
	out[TagExempt] = strings.Join(ids, ",")
	untilStr := until.UTC().Format(time.RFC3339)
	if prev, err := exempt.ParseDate(out[TagExemptUntil]); err != nil || prev.Before(until) {
		out[TagExemptUntil] = untilStr
	}
	return out
}

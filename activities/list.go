package activities

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rectifyhq/rectify/internal/resource"
)

// ListInput asks for one page of the resources of a type.
type ListInput struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Type    string `json:"type"`
	Token   string `json:"token,omitempty"`
	// Limit is the page size (the API's maximum when 0).
	Limit int32 `json:"limit,omitempty"`
}

// ListOutput is one page; Token is empty on the last.
type ListOutput struct {
	Refs  []resource.Ref `json:"refs"`
	Token string         `json:"token,omitempty"`
}

// ListResources lists one page of the resources of a type in an account
// and region, for a sweep: what no event reported is found this way.
func (a *Activities) ListResources(ctx context.Context, in ListInput) (ListOutput, error) {
	r, ok := readerFor(in.Type)
	if !ok {
		return ListOutput{}, permanent(ErrUnsupportedResourceType, "list: resource type %q is not supported", in.Type)
	}
	return r.list(a, ctx, in)
}

func (a *Activities) listSecurityGroups(ctx context.Context, in ListInput) (ListOutput, error) {
	req := &ec2.DescribeSecurityGroupsInput{}
	if in.Token != "" {
		req.NextToken = aws.String(in.Token)
	}
	if in.Limit > 0 {
		req.MaxResults = aws.Int32(max(5, in.Limit)) // EC2's minimum page size is 5
	}
	out, err := a.AWS.EC2(in.Account, in.Region).DescribeSecurityGroups(ctx, req)
	if err != nil {
		return ListOutput{}, awsError(ctx, "list security groups in "+in.Account+"/"+in.Region, err)
	}
	var page ListOutput
	for _, g := range out.SecurityGroups {
		id := aws.ToString(g.GroupId)
		page.Refs = append(page.Refs, resource.Ref{
			Type: resource.TypeSecurityGroup, ID: id, ARN: resource.SecurityGroupARN(in.Account, in.Region, id),
			Account: in.Account, Region: in.Region,
		})
	}
	page.Token = aws.ToString(out.NextToken)
	return page, nil
}

// listBuckets lists the account's buckets in the region: S3 lists all
// regions at once, so a sweep per region keeps only its own.
func (a *Activities) listBuckets(ctx context.Context, in ListInput) (ListOutput, error) {
	req := &s3.ListBucketsInput{BucketRegion: aws.String(in.Region)}
	if in.Token != "" {
		req.ContinuationToken = aws.String(in.Token)
	}
	if in.Limit > 0 {
		req.MaxBuckets = aws.Int32(in.Limit)
	}
	out, err := a.AWS.S3(in.Account, in.Region).ListBuckets(ctx, req)
	if err != nil {
		return ListOutput{}, awsError(ctx, "list buckets in "+in.Account+"/"+in.Region, err)
	}
	var page ListOutput
	for _, b := range out.Buckets {
		if r := aws.ToString(b.BucketRegion); r != "" && r != in.Region {
			continue
		}
		name := aws.ToString(b.Name)
		page.Refs = append(page.Refs, resource.Ref{
			Type: resource.TypeS3Bucket, ID: name, ARN: resource.BucketARN(name), Account: in.Account, Region: in.Region,
		})
	}
	page.Token = aws.ToString(out.ContinuationToken)
	return page, nil
}

// Package cloudtrail holds rectify's knowledge of AWS CloudTrail: the
// trail, read in its home region, the calls that change it, its Terraform
// resource, and the fixes that keep it logging.
package cloudtrail

import (
	"context"
	"encoding/json"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TypeTrail is the Terraform type of a trail.
const TypeTrail = "aws_cloudtrail"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Trail}

const source = "cloudtrail.amazonaws.com"

// Trail is a CloudTrail trail, named in its home region (ID and Name the
// trail name). Live: DescribeTrails with includeShadowTrails=false, so a
// multi-region trail is judged once, in its home region.
//
// properties:
//
//	{"name": "…", "logging": bool,          // GetTrailStatus.IsLogging
//	 "is_multi_region_trail": bool,
//	 "log_file_validation_enabled": bool,
//	 "kms_key_id": null | "arn:aws:kms:…"}  // null: SSE-S3 only
var Trail = &kind.Kind{
	Type:          TypeTrail,
	Noun:          "CloudTrail trail",
	ConfigType:    "AWS::CloudTrail::Trail",
	ASFFType:      "AwsCloudTrailTrail",
	ASFFDetailsID: "Name",
	ARN:           TrailARN,
	ParseARN:      func(a kind.ARN) (string, bool) { return a.Of("cloudtrail", "trail/") },
	Fetch:         fetchTrail,
	List:          listTrails,
	Tag:           tagTrail,
	Normalize:     normalizeTrail,
	Calls: []kind.Call{
		// StopLogging matters most: it blinds every reactive control,
		// rectify's own included, and it is the last event the stopped
		// trail delivers. A trail is named by name (in the event's region:
		// changes must be made in its home region) or by its ARN.
		{Source: source, Names: []string{"CreateTrail", "UpdateTrail", "StartLogging", "StopLogging"}, IDs: []string{"requestParameters.name"}},
		{Source: source, Names: []string{"DeleteTrail"}, IDs: []string{"requestParameters.name"}, Deletes: true},
		// Tags feed exemptions. CloudTrail tags trails, event data stores
		// and channels, always by ARN: only a trail ARN resolves here.
		{Source: source, Names: []string{"AddTags", "RemoveTags"}, IDs: []string{"requestParameters.resourceId"}, ByARNOnly: true},
	},
	Plan:    trailPlan,
	Actions: []*kind.Action{StartLogging, EnableLogFileValidation, SetKMSKey},
	Permissions: kind.Permissions{
		Read: []string{"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:ListTags"},
		List: []string{"cloudtrail:DescribeTrails"},
		Tag:  []string{"cloudtrail:AddTags"},
	},
}

// TrailARN builds the ARN of a trail in its home region.
func TrailARN(account, region, name string) string {
	return "arn:aws:cloudtrail:" + region + ":" + account + ":trail/" + name
}

// TrailState is what the live plane reads about one trail: its entry in
// DescribeTrails (includeShadowTrails=false), GetTrailStatus and ListTags.
type TrailState struct {
	Trail cttypes.Trail
	// IsLogging is GetTrailStatus.IsLogging; nil (unknown) leaves "logging"
	// absent.
	IsLogging *bool
	Tags      map[string]string
}

// describeTrail reads one trail whose home is the client's region; ok is
// false when there is none of that name.
func describeTrail(ctx context.Context, client *cloudtrail.Client, name string) (cttypes.Trail, bool, error) {
	out, err := client.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{
		TrailNameList: []string{name}, IncludeShadowTrails: aws.Bool(false),
	})
	if err != nil {
		return cttypes.Trail{}, false, awserr.Wrap(ctx, "describe trail "+name, err)
	}
	for _, t := range out.TrailList {
		if aws.ToString(t.Name) == name {
			return t, true, nil
		}
	}
	return cttypes.Trail{}, false, nil
}

// fetchTrail reads a trail in its home region: its settings, whether it is
// logging, and its tags.
func fetchTrail(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.CloudTrail(ref.Account, ref.Region)
	t, ok, err := describeTrail(ctx, client, ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	arn := aws.ToString(t.TrailARN)
	if arn == "" {
		arn = ref.ARN
	}
	status, err := client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if awserr.Code(err) == "TrailNotFoundException" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awserr.Wrap(ctx, "get status of trail "+ref.ID, err)
	}
	tags, err := trailTags(ctx, client, arn)
	if awserr.Code(err) == "ResourceNotFoundException" || awserr.Code(err) == "TrailNotFoundException" {
		return resource.Resource{}, false, nil
	}
	res := TrailResource(ref.Account, TrailState{Trail: t, IsLogging: status.IsLogging, Tags: tags})
	if err != nil {
		if !kind.TagReadRefused(err) {
			return resource.Resource{}, false, err
		}
		res = kind.WithoutTags(res, err)
	}
	return res, true, nil
}

// trailTags lists every tag of one trail, all pages.
func trailTags(ctx context.Context, client *cloudtrail.Client, arn string) (map[string]string, error) {
	tags := map[string]string{}
	pages := cloudtrail.NewListTagsPaginator(client, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awserr.Wrap(ctx, "list tags of trail "+arn, err)
		}
		for _, rt := range page.ResourceTagList {
			for _, t := range rt.TagsList {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		}
	}
	return tags, nil
}

// listTrails lists the trails whose home is the region. DescribeTrails has
// no pages; a shadow of a multi-region trail is left to its home region's
// sweep, so each trail is judged once.
func listTrails(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	out, err := env.AWS.CloudTrail(p.Account, p.Region).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list trails in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, t := range out.TrailList {
		if r := aws.ToString(t.HomeRegion); r != "" && r != p.Region {
			continue
		}
		page.Refs = append(page.Refs, p.Ref(aws.ToString(t.Name)))
	}
	return page, nil
}

// tagTrail writes tags on a trail. AddTags adds or overwrites only the
// tags it names.
func tagTrail(ctx context.Context, env kind.Env, ref resource.Ref, set map[string]string) error {
	tags := make([]cttypes.Tag, 0, len(set))
	for _, k := range kind.SortedKeys(set) {
		tags = append(tags, cttypes.Tag{Key: aws.String(k), Value: aws.String(set[k])})
	}
	if _, err := env.AWS.CloudTrail(ref.Account, ref.Region).AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(ref.ARN), TagsList: tags}); err != nil {
		return awserr.Wrap(ctx, "tag trail "+ref.ID, err)
	}
	return nil
}

func normalizeTrail(account, _ string, state json.RawMessage) (resource.Resource, error) {
	var s TrailState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return TrailResource(account, s), nil
}

// TrailResource normalizes a trail read live, in its home region.
func TrailResource(account string, t TrailState) resource.Resource {
	name := aws.ToString(t.Trail.Name)
	region := aws.ToString(t.Trail.HomeRegion)
	props := map[string]any{"name": name}
	if t.IsLogging != nil {
		props["logging"] = *t.IsLogging
	}
	if t.Trail.IsMultiRegionTrail != nil {
		props["is_multi_region_trail"] = *t.Trail.IsMultiRegionTrail
	}
	if t.Trail.LogFileValidationEnabled != nil {
		props["log_file_validation_enabled"] = *t.Trail.LogFileValidationEnabled
	}
	// DescribeTrails leaves KmsKeyId out of a trail without SSE-KMS.
	if key := aws.ToString(t.Trail.KmsKeyId); key != "" {
		props["kms_key_id"] = key
	} else {
		props["kms_key_id"] = nil
	}
	tags := maps.Clone(t.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	arn := aws.ToString(t.Trail.TrailARN)
	if arn == "" {
		arn = TrailARN(account, region, name)
	}
	return resource.Resource{
		Type: TypeTrail, ARN: arn, ID: name, Name: name, Account: account, Region: region,
		Tags: tags, Plane: resource.PlaneLive, Properties: props,
	}
}

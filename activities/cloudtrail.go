package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/live"
)

// fetchTrail reads a trail in its home region: its settings, whether it is
// logging, and its tags.
func (a *Activities) fetchTrail(ctx context.Context, ref resource.Ref) (resource.Resource, bool, error) {
	client := a.AWS.CloudTrail(ref.Account, ref.Region)
	out, err := client.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{
		TrailNameList: []string{ref.ID}, IncludeShadowTrails: aws.Bool(false),
	})
	if err != nil {
		return resource.Resource{}, false, awsError(ctx, "describe trail "+ref.ID, err)
	}
	var trail *cttypes.Trail
	for i, t := range out.TrailList {
		if aws.ToString(t.Name) == ref.ID {
			trail = &out.TrailList[i]
		}
	}
	if trail == nil {
		return resource.Resource{}, false, nil
	}
	arn := aws.ToString(trail.TrailARN)
	if arn == "" {
		arn = ref.ARN
	}
	status, err := client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if errorCode(err) == "TrailNotFoundException" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awsError(ctx, "get status of trail "+ref.ID, err)
	}
	var tagsErr error
	tags, err := trailTags(ctx, client, arn)
	if errorCode(err) == "ResourceNotFoundException" || errorCode(err) == "TrailNotFoundException" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		if !tagReadRefused(err) {
			return resource.Resource{}, false, err
		}
		tagsErr = err
	}
	return withoutTags(live.Trail(ref.Account, live.TrailState{Trail: *trail, IsLogging: status.IsLogging, Tags: tags}), tagsErr), true, nil
}

// trailTags lists every tag of one trail, all pages.
func trailTags(ctx context.Context, client *cloudtrail.Client, arn string) (map[string]string, error) {
	tags := map[string]string{}
	pages := cloudtrail.NewListTagsPaginator(client, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awsError(ctx, "list tags of trail "+arn, err)
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
func (a *Activities) listTrails(ctx context.Context, in ListInput) (ListOutput, error) {
	out, err := a.AWS.CloudTrail(in.Account, in.Region).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
	if err != nil {
		return ListOutput{}, awsError(ctx, "list trails in "+in.Account+"/"+in.Region, err)
	}
	var page ListOutput
	for _, t := range out.TrailList {
		if r := aws.ToString(t.HomeRegion); r != "" && r != in.Region {
			continue
		}
		name := aws.ToString(t.Name)
		arn := aws.ToString(t.TrailARN)
		if arn == "" {
			arn = resource.TrailARN(in.Account, in.Region, name)
		}
		page.Refs = append(page.Refs, resource.Ref{Type: resource.TypeCloudTrail, ID: name, ARN: arn, Account: in.Account, Region: in.Region})
	}
	return page, nil
}

// tagTrailExempt writes the exemption tags on a trail. AddTags adds or
// overwrites only the tags it names.
func (a *Activities) tagTrailExempt(ctx context.Context, in TagExemptInput) error {
	client := a.AWS.CloudTrail(in.Ref.Account, in.Ref.Region)
	current, err := trailTags(ctx, client, in.Ref.ARN)
	if err != nil {
		return err
	}
	var tags []cttypes.Tag
	for k, v := range exemptTags(current, in.PolicyID, in.Until) {
		if k == TagExempt || k == TagExemptUntil {
			tags = append(tags, cttypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
	}
	if _, err := client.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(in.Ref.ARN), TagsList: tags}); err != nil {
		return awsError(ctx, "tag trail "+in.Ref.ID+" exempt", err)
	}
	return nil
}

// cloudtrailStartLogging restarts a stopped trail. It is safe to repeat,
// and every minute stopped is activity nobody will ever see (rectify
// included: it learns of changes from this very trail).
type cloudtrailStartLogging struct{}

// loggingSnapshot is the logging switch before the change.
type loggingSnapshot struct {
	TrailARN string `json:"trail_arn"`
	Logging  bool   `json:"logging"`
}

// trailName checks that params.name is the resource's trail. The calls
// then name the trail by ARN, which works whatever the caller's region.
func trailName(ref resource.Ref, params map[string]any) error {
	raw, ok := params["name"]
	if !ok || raw == nil {
		return nil
	}
	if name, _ := raw.(string); name != ref.ID && name != ref.ARN {
		return permanent(ErrInvalidParams, "params.name %v is not the resource's trail %s", raw, ref.ID)
	}
	return nil
}

func (cloudtrailStartLogging) describe(params map[string]any) string {
	name, _ := params["name"].(string)
	return "start logging on CloudTrail trail " + name
}

func trailLogging(ctx context.Context, client *cloudtrail.Client, arn string) (bool, error) {
	out, err := client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if err != nil {
		return false, awsError(ctx, "get status of trail "+arn, err)
	}
	return aws.ToBool(out.IsLogging), nil
}

func (cloudtrailStartLogging) snapshot(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (any, error) {
	if err := trailName(ref, params); err != nil {
		return nil, err
	}
	on, err := trailLogging(ctx, a.AWS.CloudTrail(ref.Account, ref.Region), ref.ARN)
	if err != nil {
		return nil, err
	}
	return loggingSnapshot{TrailARN: ref.ARN, Logging: on}, nil
}

func (cloudtrailStartLogging) apply(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (ApplyOutput, error) {
	if err := trailName(ref, params); err != nil {
		return ApplyOutput{}, err
	}
	client := a.AWS.CloudTrail(ref.Account, ref.Region)
	on, err := trailLogging(ctx, client, ref.ARN)
	if err != nil {
		return ApplyOutput{}, err
	}
	if on {
		return ApplyOutput{Summary: "trail " + ref.ID + " is already logging"}, nil
	}
	if _, err := client.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(ref.ARN)}); err != nil {
		return ApplyOutput{}, awsError(ctx, "start logging on trail "+ref.ID, err)
	}
	return ApplyOutput{Changed: true, Summary: "started logging on trail " + ref.ID}, nil
}

func (cloudtrailStartLogging) undo(ctx context.Context, a *Activities, ref resource.Ref, data json.RawMessage) error {
	var snap loggingSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.TrailARN == "" {
		return permanent(ErrInvalidParams, "undo cloudtrail_start_logging on %s: snapshot: %v", ref.ID, err)
	}
	if snap.Logging {
		return nil // it was logging before: nothing of ours to take back
	}
	if _, err := a.AWS.CloudTrail(ref.Account, ref.Region).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(snap.TrailARN)}); err != nil {
		return awsError(ctx, fmt.Sprintf("stop logging on trail %s (undo)", ref.ID), err)
	}
	return nil
}

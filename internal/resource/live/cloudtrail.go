package live

import (
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/rectifyhq/rectify/internal/resource"
)

// TrailState is what the live plane read about one trail: its entry in
// DescribeTrails (includeShadowTrails=false), GetTrailStatus and ListTags.
type TrailState struct {
	Trail cttypes.Trail
	// IsLogging is GetTrailStatus.IsLogging; nil (unknown) leaves
	// "logging" absent.
	IsLogging *bool
	Tags      map[string]string
}

// Trail normalizes a CloudTrail trail read live, in its home region.
//
// properties:
//
//	{"name": "…", "logging": bool, "is_multi_region_trail": bool}
func Trail(account string, t TrailState) resource.Resource {
	name := aws.ToString(t.Trail.Name)
	region := aws.ToString(t.Trail.HomeRegion)
	props := map[string]any{"name": name}
	if t.IsLogging != nil {
		props["logging"] = *t.IsLogging
	}
	if t.Trail.IsMultiRegionTrail != nil {
		props["is_multi_region_trail"] = *t.Trail.IsMultiRegionTrail
	}
	tags := maps.Clone(t.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	arn := aws.ToString(t.Trail.TrailARN)
	if arn == "" {
		arn = resource.TrailARN(account, region, name)
	}
	return resource.Resource{
		Type:       resource.TypeCloudTrail,
		ARN:        arn,
		ID:         name,
		Name:       name,
		Account:    account,
		Region:     region,
		Tags:       tags,
		Plane:      resource.PlaneLive,
		Properties: props,
	}
}

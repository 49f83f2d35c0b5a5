package live

import (
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rectifyhq/rectify/internal/resource"
)

// DBInstance normalizes a DB instance from DescribeDBInstances.
//
// properties:
//
//	{"identifier": "…", "engine": "postgres", "publicly_accessible": bool}
//
// A field the SDK left nil is absent (unknown), never false or "", so a
// policy cannot deny on it. tags are ListTagsForResource's (or the
// instance's TagList), {} when none. The ARN is built from the identifier
// rather than taken from DBInstanceArn so both planes name it the same way.
func DBInstance(account, region string, d rdstypes.DBInstance, tags map[string]string) resource.Resource {
	id := aws.ToString(d.DBInstanceIdentifier)
	props := map[string]any{"identifier": id}
	if d.Engine != nil {
		props["engine"] = *d.Engine
	}
	if d.PubliclyAccessible != nil {
		props["publicly_accessible"] = *d.PubliclyAccessible
	}
	out := maps.Clone(tags)
	if out == nil {
		out = map[string]string{}
	}
	return resource.Resource{
		Type:       resource.TypeDBInstance,
		ARN:        resource.DBInstanceARN(account, region, id),
		ID:         id,
		Name:       id,
		Account:    account,
		Region:     region,
		Tags:       out,
		Plane:      resource.PlaneLive,
		Properties: props,
	}
}

// RDSTags turns an RDS TagList into the tags map.
func RDSTags(list []rdstypes.Tag) map[string]string {
	out := make(map[string]string, len(list))
	for _, t := range list {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// Package rds holds rectify's knowledge of Amazon RDS: the DB instance
// (Aurora cluster members included), the DB cluster and the DB snapshot,
// each read and listed live, named by its CloudTrail calls and its
// Terraform resources, and their fixes.
package rds

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TypeInstance is the Terraform type of a DB instance.
const TypeInstance = "aws_db_instance"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Instance, Cluster, Snapshot}

const source = "rds.amazonaws.com"

// Instance is a DB instance (ID and Name the identifier). The plan plane
// also maps aws_rds_cluster_instance here, because DescribeDBInstances
// lists cluster members as DB instances too.
//
// properties:
//
//	{"identifier": "…", "engine": "postgres", "publicly_accessible": bool,
//	 "deletion_protection": bool, "auto_minor_version_upgrade": bool,
//	 "copy_tags_to_snapshot": bool,
//	 "cluster_identifier": "…"}   // only for a member of a DB cluster
var Instance = &kind.Kind{
	Type:          TypeInstance,
	Noun:          "DB instance",
	ConfigType:    "AWS::RDS::DBInstance",
	ASFFType:      "AwsRdsDbInstance",
	ASFFDetailsID: "DBInstanceIdentifier",
	ARN:           InstanceARN,
	ParseARN:      func(a kind.ARN) (string, bool) { return a.Of("rds", "db:") },
	// resourceId is the DbiResourceId (db-...); the identifier is the name.
	ConfigIDs: []string{kind.ConfigName},
	// RDS keeps identifiers in lower case whatever the caller typed.
	CanonicalID: strings.ToLower,
	Fetch:       fetchInstance,
	List:        listInstances,
	Tag:         tagResource,
	Normalize:   normalizeInstance,
	Calls: []kind.Call{
		// Every call that creates an instance or changes PubliclyAccessible.
		// The response's identifier is the one RDS stored; the request names
		// it as given, point-in-time restores name the new one
		// targetDBInstanceIdentifier, and a rename's old name
		// (dBInstanceIdentifier beside newDBInstanceIdentifier) no longer
		// exists and passes.
		{Source: source, Names: []string{"CreateDBInstance", "CreateDBInstanceReadReplica", "ModifyDBInstance",
			"RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceToPointInTime", "RestoreDBInstanceFromS3"},
			IDs: []string{"responseElements.dBInstanceIdentifier", "requestParameters.targetDBInstanceIdentifier", "requestParameters.dBInstanceIdentifier"}, Every: true},
		{Source: source, Names: []string{"DeleteDBInstance"},
			IDs: []string{"responseElements.dBInstanceIdentifier", "requestParameters.dBInstanceIdentifier"}, Every: true, Deletes: true},
		// RDS tags every kind of resource by ARN; tags feed exemptions.
		{Source: source, Names: []string{"AddTagsToResource", "RemoveTagsFromResource"}, IDs: []string{"requestParameters.resourceName"}, ByARNOnly: true},
	},
	Plan:    instancePlan,
	Actions: []*kind.Action{DisablePublicAccess, EnableInstanceDeletionProtection, EnableAutoMinorVersionUpgrade, EnableInstanceCopyTagsToSnapshot},
	Permissions: kind.Permissions{
		// DescribeDBInstances carries the TagList.
		Read: []string{"rds:DescribeDBInstances"},
		List: []string{"rds:DescribeDBInstances"},
		Tag:  []string{"rds:AddTagsToResource"},
	},
}

// InstanceARN builds the ARN RDS uses for a DB instance.
func InstanceARN(account, region, identifier string) string {
	return "arn:aws:rds:" + region + ":" + account + ":db:" + identifier
}

// describeDBInstance reads one DB instance; ok is false when it does not
// exist. DescribeDBInstances carries the instance's TagList, so no
// ListTagsForResource call (and permission) is needed for the tags.
func describeDBInstance(ctx context.Context, client *rds.Client, id string) (rdstypes.DBInstance, bool, error) {
	out, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if awserr.Code(err) == "DBInstanceNotFound" {
		return rdstypes.DBInstance{}, false, nil
	}
	if err != nil {
		return rdstypes.DBInstance{}, false, awserr.Wrap(ctx, "describe DB instance "+id, err)
	}
	if len(out.DBInstances) == 0 {
		return rdstypes.DBInstance{}, false, nil
	}
	return out.DBInstances[0], true, nil
}

// fetchInstance reads a DB instance and its tags.
func fetchInstance(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	d, ok, err := describeDBInstance(ctx, env.AWS.RDS(ref.Account, ref.Region), ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	return InstanceResource(ref.Account, ref.Region, d), true, nil
}

// listInstances lists one page of the region's DB instances, Aurora
// cluster members included, as the plan plane maps them to the same type.
func listInstances(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &rds.DescribeDBInstancesInput{}
	if p.Token != "" {
		req.Marker = aws.String(p.Token)
	}
	req.MaxRecords = pageSize(p.Limit)
	out, err := env.AWS.RDS(p.Account, p.Region).DescribeDBInstances(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list DB instances in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, d := range out.DBInstances {
		page.Refs = append(page.Refs, p.Ref(aws.ToString(d.DBInstanceIdentifier)))
	}
	page.Token = aws.ToString(out.Marker)
	return page, nil
}

// tagResource writes tags on an instance, a cluster or a snapshot: RDS
// tags every kind by ARN. AddTagsToResource adds or overwrites only the
// tags it names.
func tagResource(ctx context.Context, env kind.Env, ref resource.Ref, set map[string]string) error {
	tags := make([]rdstypes.Tag, 0, len(set))
	for _, k := range kind.SortedKeys(set) {
		tags = append(tags, rdstypes.Tag{Key: aws.String(k), Value: aws.String(set[k])})
	}
	if _, err := env.AWS.RDS(ref.Account, ref.Region).AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(ref.ARN), Tags: tags}); err != nil {
		return awserr.Wrap(ctx, "tag "+ref.ARN, err)
	}
	return nil
}

// tagMap is an RDS TagList as a map, {} when none.
func tagMap(list []rdstypes.Tag) map[string]string {
	tags := make(map[string]string, len(list))
	for _, t := range list {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags
}

// pageSize is the MaxRecords of a sweep page: RDS pages 20 to 100.
func pageSize(limit int32) *int32 {
	if limit <= 0 {
		return nil
	}
	return aws.Int32(min(max(limit, 20), 100))
}

func normalizeInstance(account, region string, state json.RawMessage) (resource.Resource, error) {
	var d rdstypes.DBInstance
	if err := json.Unmarshal(state, &d); err != nil {
		return resource.Resource{}, err
	}
	return InstanceResource(account, region, d), nil
}

// InstanceResource normalizes a DB instance from DescribeDBInstances. A
// field the SDK left nil is absent (unknown), never false or "", so a
// policy cannot deny on it. Tags are the instance's TagList, {} when none.
// The ARN is built from the identifier rather than taken from
// DBInstanceArn, so both planes name it the same way.
func InstanceResource(account, region string, d rdstypes.DBInstance) resource.Resource {
	id := aws.ToString(d.DBInstanceIdentifier)
	props := map[string]any{"identifier": id}
	if d.Engine != nil {
		props["engine"] = *d.Engine
	}
	if d.PubliclyAccessible != nil {
		props["publicly_accessible"] = *d.PubliclyAccessible
	}
	if d.DeletionProtection != nil {
		props["deletion_protection"] = *d.DeletionProtection
	}
	if d.AutoMinorVersionUpgrade != nil {
		props["auto_minor_version_upgrade"] = *d.AutoMinorVersionUpgrade
	}
	if d.CopyTagsToSnapshot != nil {
		props["copy_tags_to_snapshot"] = *d.CopyTagsToSnapshot
	}
	if c := aws.ToString(d.DBClusterIdentifier); c != "" {
		props["cluster_identifier"] = c
	}
	return resource.Resource{
		Type: TypeInstance, ARN: InstanceARN(account, region, id), ID: id, Name: id, Account: account, Region: region,
		Tags: tagMap(d.TagList), Plane: resource.PlaneLive, Properties: props,
	}
}

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
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// TypeCluster is the Terraform type of a DB cluster.
const TypeCluster = "aws_rds_cluster"

// Cluster is a DB cluster, Aurora or Multi-AZ (ID and Name the cluster
// identifier). DescribeDBClusters also lists Neptune and DocumentDB
// clusters, which share the RDS API; their engine tells them apart.
//
// properties:
//
//	{"identifier": "…", "engine": "aurora-postgresql", "deletion_protection": bool,
//	 "copy_tags_to_snapshot": bool}
var Cluster = &kind.Kind{
	Type:          TypeCluster,
	Noun:          "DB cluster",
	ConfigType:    "AWS::RDS::DBCluster",
	ASFFType:      "AwsRdsDbCluster",
	ASFFDetailsID: "DbClusterIdentifier",
	ARN:           ClusterARN,
	ParseARN:      func(a kind.ARN) (string, bool) { return a.Of("rds", "cluster:") },
	// resourceId is the DbClusterResourceId (cluster-...); the name is the
	// identifier.
	ConfigIDs:   []string{kind.ConfigName},
	CanonicalID: strings.ToLower,
	Fetch:       fetchCluster,
	List:        listClusters,
	Tag:         tagResource,
	Normalize:   normalizeCluster,
	Calls: []kind.Call{
		// Every call that creates a cluster or may change its deletion
		// protection. A rename (newDBClusterIdentifier) names both.
		{Source: source, Names: []string{"CreateDBCluster", "ModifyDBCluster", "RestoreDBClusterFromSnapshot",
			"RestoreDBClusterToPointInTime", "RestoreDBClusterFromS3"},
			IDs: []string{"responseElements.dBClusterIdentifier", "requestParameters.dBClusterIdentifier", "requestParameters.newDBClusterIdentifier"}, Every: true},
		{Source: source, Names: []string{"DeleteDBCluster"},
			IDs: []string{"responseElements.dBClusterIdentifier", "requestParameters.dBClusterIdentifier"}, Every: true, Deletes: true},
		{Source: source, Names: []string{"AddTagsToResource", "RemoveTagsFromResource"}, IDs: []string{"requestParameters.resourceName"}, ByARNOnly: true},
	},
	Plan:    plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){TypeCluster: planCluster}},
	Actions: []*kind.Action{EnableClusterDeletionProtection, EnableClusterCopyTagsToSnapshot},
	Permissions: kind.Permissions{
		// DescribeDBClusters carries the TagList.
		Read: []string{"rds:DescribeDBClusters"},
		List: []string{"rds:DescribeDBClusters"},
		Tag:  []string{"rds:AddTagsToResource"},
	},
}

// ClusterARN builds the ARN RDS uses for a DB cluster.
func ClusterARN(account, region, identifier string) string {
	return "arn:aws:rds:" + region + ":" + account + ":cluster:" + identifier
}

// describeDBCluster reads one DB cluster; ok is false when it does not
// exist.
func describeDBCluster(ctx context.Context, client *rds.Client, id string) (rdstypes.DBCluster, bool, error) {
	out, err := client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	if awserr.Code(err) == "DBClusterNotFoundFault" {
		return rdstypes.DBCluster{}, false, nil
	}
	if err != nil {
		return rdstypes.DBCluster{}, false, awserr.Wrap(ctx, "describe DB cluster "+id, err)
	}
	if len(out.DBClusters) == 0 {
		return rdstypes.DBCluster{}, false, nil
	}
	return out.DBClusters[0], true, nil
}

func fetchCluster(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	c, ok, err := describeDBCluster(ctx, env.AWS.RDS(ref.Account, ref.Region), ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	return ClusterResource(ref.Account, ref.Region, c), true, nil
}

// listClusters lists one page of the region's DB clusters.
func listClusters(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &rds.DescribeDBClustersInput{MaxRecords: pageSize(p.Limit)}
	if p.Token != "" {
		req.Marker = aws.String(p.Token)
	}
	out, err := env.AWS.RDS(p.Account, p.Region).DescribeDBClusters(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list DB clusters in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, c := range out.DBClusters {
		page.Refs = append(page.Refs, p.Ref(aws.ToString(c.DBClusterIdentifier)))
	}
	page.Token = aws.ToString(out.Marker)
	return page, nil
}

func normalizeCluster(account, region string, state json.RawMessage) (resource.Resource, error) {
	var c rdstypes.DBCluster
	if err := json.Unmarshal(state, &c); err != nil {
		return resource.Resource{}, err
	}
	return ClusterResource(account, region, c), nil
}

// ClusterResource normalizes a DB cluster from DescribeDBClusters; a field
// the SDK left nil is absent.
func ClusterResource(account, region string, c rdstypes.DBCluster) resource.Resource {
	id := aws.ToString(c.DBClusterIdentifier)
	props := map[string]any{"identifier": id}
	if c.Engine != nil {
		props["engine"] = *c.Engine
	}
	if c.DeletionProtection != nil {
		props["deletion_protection"] = *c.DeletionProtection
	}
	if c.CopyTagsToSnapshot != nil {
		props["copy_tags_to_snapshot"] = *c.CopyTagsToSnapshot
	}
	return resource.Resource{
		Type: TypeCluster, ARN: ClusterARN(account, region, id), ID: id, Name: id, Account: account, Region: region,
		Tags: tagMap(c.TagList), Plane: resource.PlaneLive, Properties: props,
	}
}

func planCluster(in *plan.Instance) (resource.Resource, error) {
	a := in.After()
	id, _ := plan.NonEmpty(a, "cluster_identifier")
	r := plan.Identity(in, TypeCluster, id)
	r.ID = id // the provider's id is the identifier too, but unknown on a create
	r.Properties = map[string]any{}
	plan.PutString(r.Properties, "identifier", id)
	plan.PutKnown(r.Properties, "engine", a)
	if v, ok := createdOff(in, "deletion_protection"); ok {
		r.Properties["deletion_protection"] = v
	}
	if v, ok := createdOff(in, "copy_tags_to_snapshot"); ok {
		r.Properties["copy_tags_to_snapshot"] = v
	}
	return r, nil
}

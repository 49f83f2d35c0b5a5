package rds

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// TypeSnapshot is the Terraform type of a DB snapshot.
const TypeSnapshot = "aws_db_snapshot"

// restoreAttribute is the snapshot attribute that lists who may restore
// (copy) the snapshot: account ids, or "all" for every AWS account.
const restoreAttribute = "restore"

// Public is the restore attribute value that shares a snapshot with every
// AWS account.
const Public = "all"

// Snapshot is a DB snapshot of a DB instance, manual or automated (ID and
// Name the snapshot identifier; automated ones are named rds:…).
//
// properties:
//
//	{"identifier": "…", "instance_identifier": "…",
//	 "shared_accounts": ["all" | account id, …]}   // the restore attribute, sorted
//
// Live, shared_accounts is DescribeDBSnapshotAttributes' restore values;
// in a plan, aws_db_snapshot's shared_accounts (null: shared with nobody).
var Snapshot = &kind.Kind{
	Type:          TypeSnapshot,
	Noun:          "DB snapshot",
	ConfigType:    "AWS::RDS::DBSnapshot",
	ASFFType:      "AwsRdsDbSnapshot",
	ASFFDetailsID: "DbSnapshotIdentifier",
	ARN:           SnapshotARN,
	ParseARN:      func(a kind.ARN) (string, bool) { return a.Of("rds", "snapshot:") },
	ConfigIDs:     []string{kind.ConfigName},
	// RDS stores snapshot identifiers in lower case.
	CanonicalID: strings.ToLower,
	Fetch:       fetchSnapshot,
	List:        listSnapshots,
	Tag:         tagResource,
	Normalize:   normalizeSnapshot,
	Calls: []kind.Call{
		// Sharing changes only through ModifyDBSnapshotAttribute; a new
		// snapshot or a copy is private, and is judged all the same so a
		// sweep is never the first to see it.
		{Source: source, Names: []string{"ModifyDBSnapshotAttribute", "CreateDBSnapshot"},
			IDs: []string{"responseElements.dBSnapshotIdentifier", "requestParameters.dBSnapshotIdentifier"}},
		{Source: source, Names: []string{"CopyDBSnapshot"},
			IDs: []string{"responseElements.dBSnapshotIdentifier", "requestParameters.targetDBSnapshotIdentifier"}},
		{Source: source, Names: []string{"DeleteDBSnapshot"},
			IDs: []string{"responseElements.dBSnapshotIdentifier", "requestParameters.dBSnapshotIdentifier"}, Deletes: true},
		{Source: source, Names: []string{"AddTagsToResource", "RemoveTagsFromResource"}, IDs: []string{"requestParameters.resourceName"}, ByARNOnly: true},
	},
	Plan:    plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){TypeSnapshot: planSnapshot}},
	Actions: []*kind.Action{MakeSnapshotPrivate},
	Permissions: kind.Permissions{
		// DescribeDBSnapshots carries the TagList.
		Read: []string{"rds:DescribeDBSnapshots", "rds:DescribeDBSnapshotAttributes"},
		List: []string{"rds:DescribeDBSnapshots"},
		Tag:  []string{"rds:AddTagsToResource"},
	},
}

// SnapshotARN builds the ARN RDS uses for a DB snapshot.
func SnapshotARN(account, region, identifier string) string {
	return "arn:aws:rds:" + region + ":" + account + ":snapshot:" + identifier
}

// SnapshotState is what the live plane reads about one DB snapshot: its
// entry in DescribeDBSnapshots and its restore attribute. Restore nil is
// unknown (not read); an empty list is shared with nobody.
type SnapshotState struct {
	Snapshot rdstypes.DBSnapshot
	Restore  []string
}

// describeDBSnapshot reads one DB snapshot; ok is false when it does not
// exist.
func describeDBSnapshot(ctx context.Context, client *rds.Client, id string) (rdstypes.DBSnapshot, bool, error) {
	out, err := client.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(id)})
	if awserr.Code(err) == "DBSnapshotNotFound" {
		return rdstypes.DBSnapshot{}, false, nil
	}
	if err != nil {
		return rdstypes.DBSnapshot{}, false, awserr.Wrap(ctx, "describe DB snapshot "+id, err)
	}
	if len(out.DBSnapshots) == 0 {
		return rdstypes.DBSnapshot{}, false, nil
	}
	return out.DBSnapshots[0], true, nil
}

// restoreValues reads who may restore the snapshot; ok is false when the
// snapshot does not exist. The list is never nil.
func restoreValues(ctx context.Context, client *rds.Client, id string) ([]string, bool, error) {
	out, err := client.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: aws.String(id)})
	if awserr.Code(err) == "DBSnapshotNotFound" {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, awserr.Wrap(ctx, "describe attributes of DB snapshot "+id, err)
	}
	values := []string{}
	if r := out.DBSnapshotAttributesResult; r != nil {
		for _, a := range r.DBSnapshotAttributes {
			if aws.ToString(a.AttributeName) == restoreAttribute {
				values = append(values, a.AttributeValues...)
			}
		}
	}
	return values, true, nil
}

func fetchSnapshot(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.RDS(ref.Account, ref.Region)
	snap, ok, err := describeDBSnapshot(ctx, client, ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	restore, ok, err := restoreValues(ctx, client, ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	return SnapshotResource(ref.Account, ref.Region, SnapshotState{Snapshot: snap, Restore: restore}), true, nil
}

// listSnapshots lists one page of the region's own DB snapshots, manual
// and automated (never the ones others share with the account).
func listSnapshots(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &rds.DescribeDBSnapshotsInput{MaxRecords: pageSize(p.Limit)}
	if p.Token != "" {
		req.Marker = aws.String(p.Token)
	}
	out, err := env.AWS.RDS(p.Account, p.Region).DescribeDBSnapshots(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list DB snapshots in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, s := range out.DBSnapshots {
		page.Refs = append(page.Refs, p.Ref(aws.ToString(s.DBSnapshotIdentifier)))
	}
	page.Token = aws.ToString(out.Marker)
	return page, nil
}

func normalizeSnapshot(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s SnapshotState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return SnapshotResource(account, region, s), nil
}

// SnapshotResource normalizes a DB snapshot read live.
func SnapshotResource(account, region string, s SnapshotState) resource.Resource {
	id := aws.ToString(s.Snapshot.DBSnapshotIdentifier)
	props := map[string]any{"identifier": id}
	if db := aws.ToString(s.Snapshot.DBInstanceIdentifier); db != "" {
		props["instance_identifier"] = db
	}
	if s.Restore != nil {
		props["shared_accounts"] = sortedAny(s.Restore)
	}
	return resource.Resource{
		Type: TypeSnapshot, ARN: SnapshotARN(account, region, id), ID: id, Name: id, Account: account, Region: region,
		Tags: tagMap(s.Snapshot.TagList), Plane: resource.PlaneLive, Properties: props,
	}
}

// sortedAny is a set of strings as a sorted JSON list.
func sortedAny(values []string) []any {
	sorted := slices.Sorted(slices.Values(values))
	sorted = slices.Compact(sorted)
	out := make([]any, 0, len(sorted))
	for _, v := range sorted {
		out = append(out, v)
	}
	return out
}

func planSnapshot(in *plan.Instance) (resource.Resource, error) {
	a := in.After()
	id, _ := plan.NonEmpty(a, "db_snapshot_identifier")
	r := plan.Identity(in, TypeSnapshot, id)
	r.ID = id
	r.ARN, _ = plan.NonEmpty(a, "db_snapshot_arn")
	r.Properties = map[string]any{}
	plan.PutString(r.Properties, "identifier", id)
	plan.PutKnown(r.Properties, "instance_identifier", a)
	// null: shared with nobody. An element unknown at plan time (an
	// account id from another resource) is left out: it is an account,
	// not "all", which is only ever written as the literal.
	switch raw, present := a["shared_accounts"]; {
	case present && raw == nil:
		r.Properties["shared_accounts"] = []any{}
	case present:
		if _, ok := raw.([]any); ok {
			r.Properties["shared_accounts"] = sortedAny(plan.Strings(a, "shared_accounts"))
		}
	}
	return r, nil
}

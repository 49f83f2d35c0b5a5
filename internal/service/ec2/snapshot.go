package ec2

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TypeEBSSnapshot is the Terraform type of an EBS snapshot.
const TypeEBSSnapshot = "aws_ebs_snapshot"

// PublicGroup is the createVolumePermission group that lets every AWS
// account create volumes from a snapshot: the only group EC2 knows.
const PublicGroup = "all"

// EBSSnapshot is an EBS snapshot the account owns (ID and Name the snap-
// id).
//
// properties:
//
//	{"snapshot_id": "snap-…", "volume_id": "vol-…",
//	 "public": bool,                                // "all" is in createVolumePermission
//	 "shared_accounts": ["111122223333", …]}        // the account ids in it, sorted
//
// Live only: Terraform cannot make a snapshot public.
// aws_snapshot_create_volume_permission takes one account_id, which EC2
// refuses to read as the group "all", and aws_ebs_snapshot has no
// permission argument at all, so no plan can express the violation (FSBP
// EC2.1) and the kind has no plan plane.
var EBSSnapshot = &kind.Kind{
	Type: TypeEBSSnapshot,
	Noun: "EBS snapshot",
	// AWS Config does not record EBS snapshots, and the ASFF has no
	// snapshot type: FSBP reports EC2.1 on the account.
	ASFFType:  "Other",
	ARN:       func(_, region, id string) string { return EBSSnapshotARN(region, id) },
	ParseARN:  func(a kind.ARN) (string, bool) { return a.Of("ec2", "snapshot/") },
	IsID:      func(s string) bool { return strings.HasPrefix(s, "snap-") && len(s) > len("snap-") },
	Fetch:     fetchEBSSnapshot,
	List:      listEBSSnapshots,
	Tag:       tagEC2,
	Normalize: normalizeEBSSnapshot,
	Calls: []kind.Call{
		// Sharing changes through ModifySnapshotAttribute and
		// ResetSnapshotAttribute; a new snapshot or copy starts private and
		// is judged all the same, so a sweep is never the first to see it.
		{Source: source, Names: []string{"ModifySnapshotAttribute", "ResetSnapshotAttribute"}, IDs: []string{"requestParameters.snapshotId"}},
		{Source: source, Names: []string{"CreateSnapshot", "CopySnapshot"}, IDs: []string{"responseElements.snapshotId"}},
		{Source: source, Names: []string{"DeleteSnapshot"}, IDs: []string{"requestParameters.snapshotId"}, Deletes: true},
		{Source: source, Names: []string{"CreateTags", "DeleteTags"}, IDs: []string{"requestParameters.resourcesSet.items.*.resourceId"}},
	},
	Actions: []*kind.Action{MakeEBSSnapshotPrivate},
	Permissions: kind.Permissions{
		// DescribeSnapshots carries the tags.
		Read: []string{"ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute"},
		List: []string{"ec2:DescribeSnapshots"},
		Tag:  []string{"ec2:CreateTags"},
	},
}

// EBSSnapshotARN builds the ARN EC2 uses for a snapshot. It names no
// account: snapshot ids are unique across accounts, and IAM matches
// snapshots by arn:aws:ec2:REGION::snapshot/ID.
func EBSSnapshotARN(region, id string) string {
	return "arn:aws:ec2:" + region + "::snapshot/" + id
}

// EBSSnapshotState is what the live plane reads about one snapshot: its
// entry in DescribeSnapshots and its createVolumePermission. Permissions
// nil is unknown (not read); empty is shared with nobody.
type EBSSnapshotState struct {
	Snapshot    ec2types.Snapshot                 `json:"snapshot"`
	Permissions []ec2types.CreateVolumePermission `json:"create_volume_permissions"`
}

// describeEBSSnapshot reads one of the account's snapshots; ok is false
// when it does not exist. Owner self keeps another account's public
// snapshot, which DescribeSnapshots would show by id, out of the judging.
func describeEBSSnapshot(ctx context.Context, client *ec2.Client, id string) (ec2types.Snapshot, bool, error) {
	out, err := client.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{id}, OwnerIds: []string{"self"}})
	if awserr.Code(err) == "InvalidSnapshot.NotFound" {
		return ec2types.Snapshot{}, false, nil
	}
	if err != nil {
		return ec2types.Snapshot{}, false, awserr.Wrap(ctx, "describe EBS snapshot "+id, err)
	}
	if len(out.Snapshots) == 0 {
		return ec2types.Snapshot{}, false, nil
	}
	return out.Snapshots[0], true, nil
}

// volumePermissions reads who may create volumes from the snapshot; ok is
// false when it does not exist. The list is never nil.
func volumePermissions(ctx context.Context, client *ec2.Client, id string) ([]ec2types.CreateVolumePermission, bool, error) {
	out, err := client.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{
		SnapshotId: aws.String(id), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
	})
	if awserr.Code(err) == "InvalidSnapshot.NotFound" {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, awserr.Wrap(ctx, "describe createVolumePermission of EBS snapshot "+id, err)
	}
	return append([]ec2types.CreateVolumePermission{}, out.CreateVolumePermissions...), true, nil
}

// isPublic reports whether the group "all" is among the permissions.
func isPublic(perms []ec2types.CreateVolumePermission) bool {
	return slices.ContainsFunc(perms, func(p ec2types.CreateVolumePermission) bool { return string(p.Group) == PublicGroup })
}

func fetchEBSSnapshot(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.EC2(ref.Account, ref.Region)
	snap, ok, err := describeEBSSnapshot(ctx, client, ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	perms, ok, err := volumePermissions(ctx, client, ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	return EBSSnapshotResource(ref.Account, ref.Region, EBSSnapshotState{Snapshot: snap, Permissions: perms}), true, nil
}

// listEBSSnapshots lists one page of the region's own snapshots. Owner
// self matters: without it DescribeSnapshots lists every public snapshot
// of every account too.
func listEBSSnapshots(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}}
	if p.Token != "" {
		req.NextToken = aws.String(p.Token)
	}
	if p.Limit > 0 {
		req.MaxResults = aws.Int32(max(5, p.Limit)) // EC2's minimum page size is 5
	}
	out, err := env.AWS.EC2(p.Account, p.Region).DescribeSnapshots(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list EBS snapshots in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, s := range out.Snapshots {
		page.Refs = append(page.Refs, p.Ref(aws.ToString(s.SnapshotId)))
	}
	page.Token = aws.ToString(out.NextToken)
	return page, nil
}

func normalizeEBSSnapshot(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s EBSSnapshotState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return EBSSnapshotResource(account, region, s), nil
}

// EBSSnapshotResource normalizes an EBS snapshot read live.
func EBSSnapshotResource(account, region string, s EBSSnapshotState) resource.Resource {
	id := aws.ToString(s.Snapshot.SnapshotId)
	props := map[string]any{"snapshot_id": id}
	if v := aws.ToString(s.Snapshot.VolumeId); v != "" {
		props["volume_id"] = v
	}
	if s.Permissions != nil {
		var users []string
		for _, p := range s.Permissions {
			if u := aws.ToString(p.UserId); u != "" {
				users = append(users, u)
			}
		}
		props["public"] = isPublic(s.Permissions)
		props["shared_accounts"] = sortedSet(users)
	}
	return resource.Resource{
		Type: TypeEBSSnapshot, ARN: EBSSnapshotARN(region, id), ID: id, Name: id, Account: account, Region: region,
		Tags: ec2Tags(s.Snapshot.Tags), Plane: resource.PlaneLive, Properties: props,
	}
}

// sortedSet is a set of strings as a sorted JSON list, never nil.
func sortedSet(values []string) []any {
	sorted := slices.Compact(slices.Sorted(slices.Values(values)))
	out := make([]any, 0, len(sorted))
	for _, v := range sorted {
		out = append(out, v)
	}
	return out
}

package fakecloud

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestEC2SnapshotSharing: CreateSnapshot, DescribeSnapshots,
// DescribeSnapshotAttribute and ModifySnapshotAttribute through the SDK,
// in both request forms, with the CloudTrail shapes detection reads.
func TestEC2SnapshotSharing(t *testing.T) {
	c, client := newEC2(t)
	tap := tapEvents(c)
	ctx := t.Context()
	if err := c.SeedVolume(DefaultAccount, DefaultRegion, "vol-0data", 8); err != nil {
		t.Fatal(err)
	}
	_, err := client.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String("vol-0ghost")})
	wantEC2Error(t, err, "InvalidVolume.NotFound")

	created := okEC2(client.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String("vol-0data")}))(t)
	id := aws.ToString(created.SnapshotId)
	if created.State != ec2types.SnapshotStatePending || aws.ToInt32(created.VolumeSize) != 8 || aws.ToString(created.OwnerId) != DefaultAccount {
		t.Fatalf("CreateSnapshot = %+v", created)
	}
	if ev := tap.last(t, "CreateSnapshot"); ev["responseElements"].(map[string]any)["snapshotId"] != id {
		t.Fatalf("CreateSnapshot event: %v", ev["responseElements"])
	}
	list := okEC2(client.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}}))(t)
	if len(list.Snapshots) != 1 || aws.ToString(list.Snapshots[0].SnapshotId) != id || list.Snapshots[0].State != ec2types.SnapshotStateCompleted {
		t.Fatalf("DescribeSnapshots = %+v", list.Snapshots)
	}
	_, err = client.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{"snap-0ghost"}})
	wantEC2Error(t, err, "InvalidSnapshot.NotFound")

	perms := func() (groups []string, users []string) {
		t.Helper()
		out := okEC2(client.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{
			SnapshotId: aws.String(id), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
		}))(t)
		for _, p := range out.CreateVolumePermissions {
			if p.Group != "" {
				groups = append(groups, string(p.Group))
			}
			if p.UserId != nil {
				users = append(users, *p.UserId)
			}
		}
		return groups, users
	}
	if g, u := perms(); len(g)+len(u) != 0 {
		t.Fatalf("a new snapshot is shared: %v %v", g, u)
	}

	okEC2(client.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{
		SnapshotId: aws.String(id), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
		CreateVolumePermission: &ec2types.CreateVolumePermissionModifications{Add: []ec2types.CreateVolumePermission{
			{Group: ec2types.PermissionGroupAll}, {UserId: aws.String("111122223333")},
		}},
	}))(t)
	if g, u := perms(); !slices.Equal(g, []string{"all"}) || !slices.Equal(u, []string{"111122223333"}) {
		t.Fatalf("after adding all and an account: groups %v users %v", g, u)
	}
	ev := tap.last(t, "ModifySnapshotAttribute")
	req := ev["requestParameters"].(map[string]any)
	add := req["createVolumePermission"].(map[string]any)["add"].(map[string]any)["items"].([]any)
	if req["snapshotId"] != id || req["attributeType"] != "CREATE_VOLUME_PERMISSION" || len(add) != 2 || add[0].(map[string]any)["group"] != "all" {
		t.Fatalf("ModifySnapshotAttribute event: %v", req)
	}

	// The older form: OperationType with UserGroup.N.
	okEC2(client.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{
		SnapshotId: aws.String(id), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
		OperationType: ec2types.OperationTypeRemove, GroupNames: []string{"all"},
	}))(t)
	if g, u := perms(); len(g) != 0 || !slices.Equal(u, []string{"111122223333"}) {
		t.Fatalf("after removing all: groups %v users %v", g, u)
	}
	if users, public, ok := c.SnapshotCreateVolumePermission(DefaultAccount, DefaultRegion, id); !ok || public || len(users) != 1 {
		t.Fatalf("SnapshotCreateVolumePermission = %v %v %v", users, public, ok)
	}

	_, err = client.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{
		SnapshotId: aws.String(id), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
		CreateVolumePermission: &ec2types.CreateVolumePermissionModifications{Add: []ec2types.CreateVolumePermission{{UserId: aws.String("nobody")}}},
	})
	wantEC2Error(t, err, "InvalidUserID.Malformed")

	// Snapshots take exemption tags like any EC2 resource.
	okEC2(client.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("rectify:exempt"), Value: aws.String("all")}}}))(t)
	tagged := okEC2(client.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{id}}))(t)
	if len(tagged.Snapshots[0].Tags) != 1 {
		t.Fatalf("snapshot tags = %+v", tagged.Snapshots[0].Tags)
	}
}

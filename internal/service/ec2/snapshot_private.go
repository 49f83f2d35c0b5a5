package ec2

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

const makeEBSSnapshotPrivateAction = "ec2_make_snapshot_private"

// MakeEBSSnapshotPrivate removes the group "all" from an EBS snapshot's
// createVolumePermission (FSBP EC2.1), so no stranger can create a volume
// from it. The accounts it is shared with by id keep their access: they
// were named on purpose.
var MakeEBSSnapshotPrivate = &kind.Action{
	Name:        makeEBSSnapshotPrivateAction,
	Permissions: []string{"ec2:DescribeSnapshotAttribute", "ec2:ModifySnapshotAttribute"},
	Describe: func(params map[string]any) string {
		id, _ := params["snapshot_id"].(string)
		if id == "" {
			id = "the EBS snapshot"
		}
		return "stop sharing EBS snapshot " + id + " with every AWS account (remove the group \"all\" from its createVolumePermission); accounts named by id keep access"
	},
	Snapshot: snapshotVolumePermission,
	Apply:    makeEBSSnapshotPrivate,
	Undo:     undoEBSSnapshotPrivate,
}

// volumePermissionSnapshot is whether the snapshot was public before the
// change; the accounts named by id are left alone, so they need no record.
type volumePermissionSnapshot struct {
	SnapshotID string `json:"snapshot_id"`
	Public     bool   `json:"public"`
}

// paramSnapshotID checks that params.snapshot_id, when the policy gave one,
// names the resource the action runs on.
func paramSnapshotID(ref resource.Ref, params map[string]any) (string, error) {
	return paramID(makeEBSSnapshotPrivateAction, "snapshot_id", ref, params)
}

func snapshotVolumePermission(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	id, err := paramSnapshotID(ref, params)
	if err != nil {
		return nil, err
	}
	perms, ok, err := volumePermissions(ctx, env.AWS.EC2(ref.Account, ref.Region), id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.Permanent("InvalidSnapshot.NotFound", "snapshot EBS snapshot %s: it no longer exists", id)
	}
	return volumePermissionSnapshot{SnapshotID: id, Public: isPublic(perms)}, nil
}

func makeEBSSnapshotPrivate(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	id, err := paramSnapshotID(ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.EC2(ref.Account, ref.Region)
	perms, ok, err := volumePermissions(ctx, client, id)
	switch {
	case err != nil:
		return kind.Applied{}, err
	case !ok:
		return kind.Applied{Summary: fmt.Sprintf("EBS snapshot %s no longer exists", id)}, nil
	case !isPublic(perms):
		return kind.Applied{Summary: fmt.Sprintf("EBS snapshot %s is already not public", id)}, nil
	}
	if err := shareEBSSnapshot(ctx, client, id, false); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("EBS snapshot %s is no longer shared with every AWS account", id)}, nil
}

func undoEBSSnapshotPrivate(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap volumePermissionSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.SnapshotID == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo %s on %s: snapshot: %v", makeEBSSnapshotPrivateAction, ref.ID, err)
	}
	if !snap.Public {
		return nil // it was not public: apply changed nothing
	}
	return shareEBSSnapshot(ctx, env.AWS.EC2(ref.Account, ref.Region), snap.SnapshotID, true)
}

// shareEBSSnapshot adds the group "all" to createVolumePermission, or
// removes it.
func shareEBSSnapshot(ctx context.Context, client *ec2.Client, id string, public bool) error {
	all := []ec2types.CreateVolumePermission{{Group: ec2types.PermissionGroupAll}}
	in := &ec2.ModifySnapshotAttributeInput{
		SnapshotId: aws.String(id), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
		CreateVolumePermission: &ec2types.CreateVolumePermissionModifications{},
	}
	verb := "remove"
	if public {
		in.CreateVolumePermission.Add, verb = all, "add"
	} else {
		in.CreateVolumePermission.Remove = all
	}
	if _, err := client.ModifySnapshotAttribute(ctx, in); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("%s the group %q in the createVolumePermission of EBS snapshot %s", verb, PublicGroup, id), err)
	}
	return nil
}

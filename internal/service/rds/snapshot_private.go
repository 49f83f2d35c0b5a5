package rds

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

const makeSnapshotPrivateAction = "rds_make_snapshot_private"

// MakeSnapshotPrivate removes "all" from a DB snapshot's restore attribute
// (FSBP RDS.1), so no stranger can copy or restore it. The accounts it is
// shared with by id keep their access: they were named on purpose.
var MakeSnapshotPrivate = &kind.Action{
	Name:        makeSnapshotPrivateAction,
	Permissions: []string{"rds:DescribeDBSnapshotAttributes", "rds:ModifyDBSnapshotAttribute"},
	Describe: func(params map[string]any) string {
		id, _ := params["identifier"].(string)
		if id == "" {
			id = "the DB snapshot"
		}
		return "stop sharing DB snapshot " + id + " with every AWS account (remove \"all\" from its restore attribute); accounts named by id keep access"
	},
	Snapshot: snapshotSharing,
	Apply:    makeSnapshotPrivate,
	Undo:     undoSnapshotPrivate,
}

// sharingSnapshot is the restore attribute before the change.
type sharingSnapshot struct {
	Identifier string   `json:"identifier"`
	Restore    []string `json:"restore"`
}

func snapshotSharing(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	id, err := paramIdentifier(makeSnapshotPrivateAction, ref, params)
	if err != nil {
		return nil, err
	}
	values, ok, err := restoreValues(ctx, env.AWS.RDS(ref.Account, ref.Region), id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.Permanent("DBSnapshotNotFound", "snapshot DB snapshot %s: it no longer exists", id)
	}
	return sharingSnapshot{Identifier: id, Restore: values}, nil
}

func makeSnapshotPrivate(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	id, err := paramIdentifier(makeSnapshotPrivateAction, ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.RDS(ref.Account, ref.Region)
	values, ok, err := restoreValues(ctx, client, id)
	switch {
	case err != nil:
		return kind.Applied{}, err
	case !ok:
		return kind.Applied{Summary: fmt.Sprintf("DB snapshot %s no longer exists", id)}, nil
	case !slices.Contains(values, Public):
		return kind.Applied{Summary: fmt.Sprintf("DB snapshot %s is already not public", id)}, nil
	}
	if err := shareSnapshot(ctx, client, id, false); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("DB snapshot %s is no longer shared with every AWS account", id)}, nil
}

func undoSnapshotPrivate(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap sharingSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.Identifier == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo %s on %s: snapshot: %v", makeSnapshotPrivateAction, ref.ID, err)
	}
	if !slices.Contains(snap.Restore, Public) {
		return nil // it was not public: apply changed nothing
	}
	return shareSnapshot(ctx, env.AWS.RDS(ref.Account, ref.Region), snap.Identifier, true)
}

// shareSnapshot adds "all" to the restore attribute, or removes it.
func shareSnapshot(ctx context.Context, client *rds.Client, id string, public bool) error {
	in := &rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: aws.String(id), AttributeName: aws.String(restoreAttribute)}
	verb := "remove"
	if public {
		in.ValuesToAdd, verb = []string{Public}, "add"
	} else {
		in.ValuesToRemove = []string{Public}
	}
	if _, err := client.ModifyDBSnapshotAttribute(ctx, in); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("%s %q in the restore attribute of DB snapshot %s", verb, Public, id), err)
	}
	return nil
}

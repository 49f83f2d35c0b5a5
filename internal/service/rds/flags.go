package rds

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// The flags these actions turn on take effect at once without
// ApplyImmediately, which is left out on purpose: ApplyImmediately=true
// would also apply every modification someone left pending for the next
// maintenance window (a class change, a storage change), an outage nobody
// asked rectify for.

// EnableInstanceDeletionProtection turns DeletionProtection on for a DB
// instance (FSBP RDS.8): DeleteDBInstance then fails until someone turns it
// off. Nothing else about the instance changes.
var EnableInstanceDeletionProtection = instanceFlagAction(instanceFlag{
	action: "rds_enable_instance_deletion_protection",
	flag:   "DeletionProtection",
	get:    func(d rdstypes.DBInstance) *bool { return d.DeletionProtection },
	set:    func(in *rds.ModifyDBInstanceInput, v bool) { in.DeletionProtection = aws.Bool(v) },
	what:   "deletion protection",
})

// EnableAutoMinorVersionUpgrade turns AutoMinorVersionUpgrade on for a DB
// instance (FSBP RDS.13): RDS then applies minor engine versions in the
// maintenance window. The change itself causes no outage.
var EnableAutoMinorVersionUpgrade = instanceFlagAction(instanceFlag{
	action: "rds_enable_auto_minor_version_upgrade",
	flag:   "AutoMinorVersionUpgrade",
	get:    func(d rdstypes.DBInstance) *bool { return d.AutoMinorVersionUpgrade },
	set:    func(in *rds.ModifyDBInstanceInput, v bool) { in.AutoMinorVersionUpgrade = aws.Bool(v) },
	what:   "automatic minor version upgrades",
})

// EnableInstanceCopyTagsToSnapshot turns CopyTagsToSnapshot on for a DB
// instance (FSBP RDS.17): the snapshots RDS takes of it from then on carry
// its tags, so tag-based access rules and cost reports cover its backups.
// Snapshots taken before keep the tags they have. Aurora members are left
// alone: their snapshots are the cluster's (RDS.16), and RDS ignores the
// flag on them.
var EnableInstanceCopyTagsToSnapshot = instanceFlagAction(instanceFlag{
	action: "rds_enable_instance_copy_tags_to_snapshot",
	flag:   "CopyTagsToSnapshot",
	get:    func(d rdstypes.DBInstance) *bool { return d.CopyTagsToSnapshot },
	set:    func(in *rds.ModifyDBInstanceInput, v bool) { in.CopyTagsToSnapshot = aws.Bool(v) },
	what:   "copying tags to snapshots",
})

// EnableClusterDeletionProtection turns DeletionProtection on for a DB
// cluster (FSBP RDS.7): DeleteDBCluster then fails until someone turns it
// off. It takes effect at once; ApplyImmediately is left out for the reason
// above.
var EnableClusterDeletionProtection = clusterFlagAction(clusterFlag{
	action: "rds_enable_cluster_deletion_protection",
	flag:   "DeletionProtection",
	get:    func(c rdstypes.DBCluster) *bool { return c.DeletionProtection },
	set:    func(in *rds.ModifyDBClusterInput, v bool) { in.DeletionProtection = aws.Bool(v) },
	what:   "deletion protection",
})

// EnableClusterCopyTagsToSnapshot turns CopyTagsToSnapshot on for a DB
// cluster (FSBP RDS.16): the cluster snapshots RDS takes from then on carry
// its tags. Snapshots taken before keep the tags they have. It takes
// effect at once, with no restart.
var EnableClusterCopyTagsToSnapshot = clusterFlagAction(clusterFlag{
	action: "rds_enable_cluster_copy_tags_to_snapshot",
	flag:   "CopyTagsToSnapshot",
	get:    func(c rdstypes.DBCluster) *bool { return c.CopyTagsToSnapshot },
	set:    func(in *rds.ModifyDBClusterInput, v bool) { in.CopyTagsToSnapshot = aws.Bool(v) },
	what:   "copying tags to snapshots",
})

// instanceFlag is one boolean of ModifyDBInstance that an action turns on.
type instanceFlag struct {
	action, flag, what string
	get                func(rdstypes.DBInstance) *bool
	set                func(*rds.ModifyDBInstanceInput, bool)
}

func instanceFlagAction(f instanceFlag) *kind.Action {
	return boolFlag{
		action: f.action, flag: f.flag, what: f.what, noun: "DB instance", notFound: "DBInstanceNotFound",
		permissions: []string{"rds:DescribeDBInstances", "rds:ModifyDBInstance"},
		read: func(ctx context.Context, client *rds.Client, id string) (bool, bool, error) {
			d, ok, err := describeDBInstance(ctx, client, id)
			if err != nil || !ok {
				return false, ok, err
			}
			return aws.ToBool(f.get(d)), true, nil
		},
		write: func(ctx context.Context, client *rds.Client, id string, on bool) error {
			in := &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id)}
			f.set(in, on)
			_, err := client.ModifyDBInstance(ctx, in)
			return err
		},
	}.kindAction()
}

// clusterFlag is one boolean of ModifyDBCluster that an action turns on.
type clusterFlag struct {
	action, flag, what string
	get                func(rdstypes.DBCluster) *bool
	set                func(*rds.ModifyDBClusterInput, bool)
}

func clusterFlagAction(f clusterFlag) *kind.Action {
	return boolFlag{
		action: f.action, flag: f.flag, what: f.what, noun: "DB cluster", notFound: "DBClusterNotFoundFault",
		permissions: []string{"rds:DescribeDBClusters", "rds:ModifyDBCluster"},
		read: func(ctx context.Context, client *rds.Client, id string) (bool, bool, error) {
			c, ok, err := describeDBCluster(ctx, client, id)
			if err != nil || !ok {
				return false, ok, err
			}
			return aws.ToBool(f.get(c)), true, nil
		},
		write: func(ctx context.Context, client *rds.Client, id string, on bool) error {
			in := &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String(id)}
			f.set(in, on)
			_, err := client.ModifyDBCluster(ctx, in)
			return err
		},
	}.kindAction()
}

// flagSnapshot is the flag before the change.
type flagSnapshot struct {
	Identifier string `json:"identifier"`
	On         bool   `json:"on"`
}

// boolFlag is what every flag action shares, whatever it is set on: read
// the flag (and whether the resource still exists), write it, snapshot
// before, apply only when off, undo only what apply changed.
type boolFlag struct {
	action, flag, what, noun, notFound string
	permissions                        []string
	read                               func(ctx context.Context, client *rds.Client, id string) (on, exists bool, err error)
	write                              func(ctx context.Context, client *rds.Client, id string, on bool) error
}

func (f boolFlag) kindAction() *kind.Action {
	return &kind.Action{
		Name:        f.action,
		Permissions: f.permissions,
		Describe: func(params map[string]any) string {
			id, _ := params["identifier"].(string)
			if id == "" {
				id = "the " + f.noun
			}
			return fmt.Sprintf("turn on %s for %s %s (%s=true)", f.what, f.noun, id, f.flag)
		},
		Snapshot: f.snapshot,
		Apply:    f.apply,
		Undo:     f.undo,
	}
}

func (f boolFlag) snapshot(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	id, err := paramIdentifier(f.action, ref, params)
	if err != nil {
		return nil, err
	}
	on, ok, err := f.read(ctx, env.AWS.RDS(ref.Account, ref.Region), id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.Permanent(f.notFound, "snapshot %s %s: it no longer exists", f.noun, id)
	}
	return flagSnapshot{Identifier: id, On: on}, nil
}

func (f boolFlag) apply(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	id, err := paramIdentifier(f.action, ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.RDS(ref.Account, ref.Region)
	on, ok, err := f.read(ctx, client, id)
	switch {
	case err != nil:
		return kind.Applied{}, err
	case !ok:
		return kind.Applied{Summary: fmt.Sprintf("%s %s no longer exists", f.noun, id)}, nil
	case on:
		return kind.Applied{Summary: fmt.Sprintf("%s is already on for %s %s", f.what, f.noun, id)}, nil
	}
	if err := f.modify(ctx, client, id, true); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("turned on %s for %s %s", f.what, f.noun, id)}, nil
}

func (f boolFlag) undo(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap flagSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.Identifier == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo %s on %s: snapshot: %v", f.action, ref.ID, err)
	}
	if snap.On {
		return nil // it was on already: apply changed nothing
	}
	return f.modify(ctx, env.AWS.RDS(ref.Account, ref.Region), snap.Identifier, false)
}

func (f boolFlag) modify(ctx context.Context, client *rds.Client, id string, on bool) error {
	if err := f.write(ctx, client, id, on); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("set %s=%t on %s %s", f.flag, on, f.noun, id), err)
	}
	return nil
}

package rds

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// DisablePublicAccess turns PubliclyAccessible off.
var DisablePublicAccess = &kind.Action{
	Name:        "rds_disable_public_access",
	Permissions: []string{"rds:DescribeDBInstances", "rds:ModifyDBInstance"},
	Describe:    rdsDisablePublicAccess{}.describe,
	Snapshot:    rdsDisablePublicAccess{}.snapshot,
	Apply:       rdsDisablePublicAccess{}.apply,
	Undo:        rdsDisablePublicAccess{}.undo,
}

// rdsDisablePublicAccess turns PubliclyAccessible off. RDS applies that
// change at once whatever ApplyImmediately says; it is sent anyway so the
// intent is plain in CloudTrail. The instance keeps running: only its
// endpoint stops resolving to a public address.
type rdsDisablePublicAccess struct{}

// publicAccessSnapshot is the flag before the change.
type publicAccessSnapshot struct {
	Identifier         string `json:"identifier"`
	PubliclyAccessible bool   `json:"publicly_accessible"`
}

// paramIdentifier checks that params.identifier, when the policy gave
// one, is the resource's own identifier: an action never touches another
// resource.
func paramIdentifier(action string, ref resource.Ref, params map[string]any) (string, error) {
	raw, ok := params["identifier"]
	if !ok || raw == nil {
		return ref.ID, nil
	}
	id, isString := raw.(string)
	switch {
	case !isString:
		return "", awserr.Permanent(awserr.InvalidParams, "%s on %s: params.identifier: want a string, got %T", action, ref.ID, raw)
	case !strings.EqualFold(id, ref.ID):
		return "", awserr.Permanent(awserr.InvalidParams, "%s on %s: params.identifier names another resource, %s", action, ref.ID, id)
	}
	return ref.ID, nil
}

func dbIdentifier(ref resource.Ref, params map[string]any) (string, error) {
	return paramIdentifier("rds_disable_public_access", ref, params)
}

func (rdsDisablePublicAccess) describe(params map[string]any) string {
	id, _ := params["identifier"].(string)
	if id == "" {
		id = "the DB instance"
	}
	return "make DB instance " + id + " not publicly accessible (PubliclyAccessible=false)"
}

func (rdsDisablePublicAccess) snapshot(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	id, err := dbIdentifier(ref, params)
	if err != nil {
		return nil, err
	}
	d, ok, err := describeDBInstance(ctx, env.AWS.RDS(ref.Account, ref.Region), id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.Permanent("DBInstanceNotFound", "snapshot DB instance %s: it no longer exists", id)
	}
	return publicAccessSnapshot{Identifier: id, PubliclyAccessible: aws.ToBool(d.PubliclyAccessible)}, nil
}

func (rdsDisablePublicAccess) apply(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	id, err := dbIdentifier(ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.RDS(ref.Account, ref.Region)
	d, ok, err := describeDBInstance(ctx, client, id)
	switch {
	case err != nil:
		return kind.Applied{}, err
	case !ok:
		// A deleted instance is not reachable from anywhere: nothing to do.
		return kind.Applied{Summary: fmt.Sprintf("DB instance %s no longer exists", id)}, nil
	case d.PubliclyAccessible != nil && !*d.PubliclyAccessible:
		return kind.Applied{Summary: fmt.Sprintf("DB instance %s is already not publicly accessible", id)}, nil
	}
	if err := setPubliclyAccessible(ctx, client, id, false); err != nil {
		return kind.Applied{}, err
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("turned off public accessibility of DB instance %s", id)}, nil
}

func (rdsDisablePublicAccess) undo(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap publicAccessSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return awserr.Permanent(awserr.InvalidParams, "undo rds_disable_public_access on %s: snapshot: %v", ref.ID, err)
	}
	if !snap.PubliclyAccessible {
		return nil // it was private already: apply changed nothing
	}
	return setPubliclyAccessible(ctx, env.AWS.RDS(ref.Account, ref.Region), snap.Identifier, true)
}

func setPubliclyAccessible(ctx context.Context, client *rds.Client, id string, public bool) error {
	_, err := client.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), PubliclyAccessible: aws.Bool(public), ApplyImmediately: aws.Bool(true),
	})
	if err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("set PubliclyAccessible=%t on DB instance %s", public, id), err)
	}
	return nil
}

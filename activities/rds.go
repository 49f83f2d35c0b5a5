package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/live"
)

// describeDBInstance reads one DB instance; ok is false when it does not
// exist. DescribeDBInstances carries the instance's TagList, so no
// ListTagsForResource call (and permission) is needed for the tags.
func describeDBInstance(ctx context.Context, client *rds.Client, id string) (rdstypes.DBInstance, bool, error) {
	out, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if errorCode(err) == "DBInstanceNotFound" {
		return rdstypes.DBInstance{}, false, nil
	}
	if err != nil {
		return rdstypes.DBInstance{}, false, awsError(ctx, "describe DB instance "+id, err)
	}
	if len(out.DBInstances) == 0 {
		return rdstypes.DBInstance{}, false, nil
	}
	return out.DBInstances[0], true, nil
}

// fetchDBInstance reads a DB instance and its tags.
func (a *Activities) fetchDBInstance(ctx context.Context, ref resource.Ref) (resource.Resource, bool, error) {
	d, ok, err := describeDBInstance(ctx, a.AWS.RDS(ref.Account, ref.Region), ref.ID)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	return live.DBInstance(ref.Account, ref.Region, d, live.RDSTags(d.TagList)), true, nil
}

// listDBInstances lists one page of the region's DB instances, Aurora
// cluster members included, as the plan plane maps them to the same type.
func (a *Activities) listDBInstances(ctx context.Context, in ListInput) (ListOutput, error) {
	req := &rds.DescribeDBInstancesInput{}
	if in.Token != "" {
		req.Marker = aws.String(in.Token)
	}
	if in.Limit > 0 {
		req.MaxRecords = aws.Int32(min(max(in.Limit, 20), 100)) // RDS pages 20 to 100
	}
	out, err := a.AWS.RDS(in.Account, in.Region).DescribeDBInstances(ctx, req)
	if err != nil {
		return ListOutput{}, awsError(ctx, "list DB instances in "+in.Account+"/"+in.Region, err)
	}
	var page ListOutput
	for _, d := range out.DBInstances {
		id := aws.ToString(d.DBInstanceIdentifier)
		page.Refs = append(page.Refs, resource.Ref{
			Type: resource.TypeDBInstance, ID: id, ARN: resource.DBInstanceARN(in.Account, in.Region, id),
			Account: in.Account, Region: in.Region,
		})
	}
	page.Token = aws.ToString(out.Marker)
	return page, nil
}

// tagDBInstanceExempt writes the exemption tags on an instance.
// AddTagsToResource adds or overwrites only the tags it names; the current
// ones are read first so an existing rectify:exempt list is extended.
func (a *Activities) tagDBInstanceExempt(ctx context.Context, in TagExemptInput) error {
	client := a.AWS.RDS(in.Ref.Account, in.Ref.Region)
	d, ok, err := describeDBInstance(ctx, client, in.Ref.ID)
	if err != nil {
		return err
	}
	if !ok {
		return permanent("DBInstanceNotFound", "tag DB instance %s exempt: it no longer exists", in.Ref.ID)
	}
	var tags []rdstypes.Tag
	for k, v := range exemptTags(live.RDSTags(d.TagList), in.PolicyID, in.Until) {
		if k == TagExempt || k == TagExemptUntil {
			tags = append(tags, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
	}
	arn := aws.ToString(d.DBInstanceArn)
	if arn == "" {
		arn = in.Ref.ARN
	}
	if _, err := client.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: tags}); err != nil {
		return awsError(ctx, "tag DB instance "+in.Ref.ID+" exempt", err)
	}
	return nil
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

// dbIdentifier checks that params.identifier, when the policy gave one, is
// the resource's instance: an action never touches another resource.
func dbIdentifier(ref resource.Ref, params map[string]any) (string, error) {
	raw, ok := params["identifier"]
	if !ok || raw == nil {
		return ref.ID, nil
	}
	id, isString := raw.(string)
	switch {
	case !isString:
		return "", permanent(ErrInvalidParams, "rds_disable_public_access on %s: params.identifier: want a string, got %T", ref.ID, raw)
	case id != ref.ID:
		return "", permanent(ErrInvalidParams, "rds_disable_public_access on %s: params.identifier names another instance, %s", ref.ID, id)
	}
	return id, nil
}

func (rdsDisablePublicAccess) describe(params map[string]any) string {
	id, _ := params["identifier"].(string)
	if id == "" {
		id = "the DB instance"
	}
	return "make DB instance " + id + " not publicly accessible (PubliclyAccessible=false)"
}

func (rdsDisablePublicAccess) snapshot(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (any, error) {
	id, err := dbIdentifier(ref, params)
	if err != nil {
		return nil, err
	}
	d, ok, err := describeDBInstance(ctx, a.AWS.RDS(ref.Account, ref.Region), id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, permanent("DBInstanceNotFound", "snapshot DB instance %s: it no longer exists", id)
	}
	return publicAccessSnapshot{Identifier: id, PubliclyAccessible: aws.ToBool(d.PubliclyAccessible)}, nil
}

func (rdsDisablePublicAccess) apply(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (ApplyOutput, error) {
	id, err := dbIdentifier(ref, params)
	if err != nil {
		return ApplyOutput{}, err
	}
	client := a.AWS.RDS(ref.Account, ref.Region)
	d, ok, err := describeDBInstance(ctx, client, id)
	switch {
	case err != nil:
		return ApplyOutput{}, err
	case !ok:
		// A deleted instance is not reachable from anywhere: nothing to do.
		return ApplyOutput{Summary: fmt.Sprintf("DB instance %s no longer exists", id)}, nil
	case d.PubliclyAccessible != nil && !*d.PubliclyAccessible:
		return ApplyOutput{Summary: fmt.Sprintf("DB instance %s is already not publicly accessible", id)}, nil
	}
	if err := setPubliclyAccessible(ctx, client, id, false); err != nil {
		return ApplyOutput{}, err
	}
	return ApplyOutput{Changed: true, Summary: fmt.Sprintf("turned off public accessibility of DB instance %s", id)}, nil
}

func (rdsDisablePublicAccess) undo(ctx context.Context, a *Activities, ref resource.Ref, data json.RawMessage) error {
	var snap publicAccessSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return permanent(ErrInvalidParams, "undo rds_disable_public_access on %s: snapshot: %v", ref.ID, err)
	}
	if !snap.PubliclyAccessible {
		return nil // it was private already: apply changed nothing
	}
	return setPubliclyAccessible(ctx, a.AWS.RDS(ref.Account, ref.Region), snap.Identifier, true)
}

func setPubliclyAccessible(ctx context.Context, client *rds.Client, id string, public bool) error {
	_, err := client.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), PubliclyAccessible: aws.Bool(public), ApplyImmediately: aws.Bool(true),
	})
	if err != nil {
		return awsError(ctx, fmt.Sprintf("set PubliclyAccessible=%t on DB instance %s", public, id), err)
	}
	return nil
}

package rds

import (
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// instancePlan also reads aws_rds_cluster_instance: DescribeDBInstances
// lists cluster members as DB instances, so the live plane cannot tell
// them apart and both planes call them aws_db_instance.
var instancePlan = plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){
	TypeInstance:               planInstance,
	"aws_rds_cluster_instance": planInstance,
}}

func planInstance(in *plan.Instance) (resource.Resource, error) {
	a := in.After()
	id, _ := plan.NonEmpty(a, "identifier")
	r := plan.Identity(in, TypeInstance, id)
	if id != "" {
		r.ID = id
	}
	r.Properties = map[string]any{}
	plan.PutString(r.Properties, "identifier", id)
	plan.PutKnown(r.Properties, "engine", a)
	if v, ok := plan.Bool(a, "publicly_accessible"); ok {
		r.Properties["publicly_accessible"] = v
	}
	if v, ok := plan.Bool(a, "auto_minor_version_upgrade"); ok {
		r.Properties["auto_minor_version_upgrade"] = v
	}
	if in.Type() == "aws_rds_cluster_instance" {
		// Deletion protection of a cluster member is the cluster's.
		plan.PutKnown(r.Properties, "cluster_identifier", a)
	} else {
		// So are its snapshots and their tags (copy_tags_to_snapshot).
		if v, ok := createdOff(in, "deletion_protection"); ok {
			r.Properties["deletion_protection"] = v
		}
		if v, ok := createdOff(in, "copy_tags_to_snapshot"); ok {
			r.Properties["copy_tags_to_snapshot"] = v
		}
	}
	return r, nil
}

// createdOff reads an optional flag that RDS turns off when a request
// leaves it out: a known null is false (the provider sends nothing, and
// reads false back into the state), unknown is not ok.
func createdOff(in *plan.Instance, attr string) (bool, bool) {
	a := in.After()
	if v, ok := plan.Bool(a, attr); ok {
		return v, true
	}
	if v, present := a[attr]; present && v == nil {
		return false, true
	}
	return false, false
}

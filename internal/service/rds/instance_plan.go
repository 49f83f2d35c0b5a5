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
	return r, nil
}

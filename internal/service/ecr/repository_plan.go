package ecr

import (
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

var repositoryPlan = plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){TypeRepository: planRepository}}

// planRepository: Terraform's id is the name. Without an
// image_scanning_configuration block ECR creates the repository with scan
// on push off, which the plan says as an empty list: known, false.
func planRepository(in *plan.Instance) (resource.Resource, error) {
	a := in.After()
	name, _ := plan.NonEmpty(a, "name")
	r := plan.Identity(in, TypeRepository, name)
	r.ID = name
	p := map[string]any{}
	plan.PutString(p, "name", name)
	plan.PutKnown(p, "image_tag_mutability", a)
	if !in.Unknown("image_scanning_configuration") {
		if block, ok := plan.FirstBlock(a, "image_scanning_configuration"); ok {
			if v, ok := plan.Bool(block, "scan_on_push"); ok {
				p["scan_on_push"] = v
			}
		} else if blocks, ok := plan.List(a, "image_scanning_configuration"); ok && len(blocks) == 0 {
			p["scan_on_push"] = false
		}
	}
	r.Properties = p
	return r, nil
}

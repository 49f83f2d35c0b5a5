package cloudtrail

import (
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

var trailPlan = plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){TypeTrail: planTrail}}

func planTrail(in *plan.Instance) (resource.Resource, error) {
	a := in.After()
	name, _ := plan.NonEmpty(a, "name")
	r := plan.Identity(in, TypeTrail, name)
	r.ID = name // the provider's id is the ARN; the live plane uses the name
	r.Properties = map[string]any{}
	plan.PutString(r.Properties, "name", name)
	if v, ok := plan.Bool(a, "enable_logging"); ok {
		r.Properties["logging"] = v
	}
	if v, ok := plan.Bool(a, "is_multi_region_trail"); ok {
		r.Properties["is_multi_region_trail"] = v
	}
	if v, ok := plan.Bool(a, "enable_log_file_validation"); ok {
		r.Properties["log_file_validation_enabled"] = v
	}
	// A key created in the same plan is unknown: absent.
	switch key, present := a["kms_key_id"]; {
	case present && (key == nil || key == ""):
		r.Properties["kms_key_id"] = nil
	case present:
		if s, ok := key.(string); ok {
			r.Properties["kms_key_id"] = s
		}
	}
	return r, nil
}

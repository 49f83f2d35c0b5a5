package sns

import (
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

var topicPlan = plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){TypeTopic: planTopic}}

// planTopic: Terraform's id is the topic ARN; the document's id is the
// name, as live. kms_master_key_id left out of the configuration is null
// (no key: known); a reference to a key not created yet is unknown, and
// stays absent.
func planTopic(in *plan.Instance) (resource.Resource, error) {
	a := in.After()
	name, _ := plan.NonEmpty(a, "name")
	r := plan.Identity(in, TypeTopic, name)
	r.ID = name
	p := map[string]any{}
	plan.PutString(p, "name", name)
	if !in.Unknown("kms_master_key_id") {
		key, _ := plan.Str(a, "kms_master_key_id")
		p["kms_master_key_id"] = key
	}
	r.Properties = p
	return r, nil
}

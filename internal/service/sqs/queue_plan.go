package sqs

import (
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

var queuePlan = plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){TypeQueue: planQueue}}

// planQueue: Terraform's id is the queue URL; the document's id is the
// name, as live. sqs_managed_sse_enabled is optional and computed: left out
// of the configuration it is unknown until apply (AWS turns SSE-SQS on for
// new queues), so it stays absent.
func planQueue(in *plan.Instance) (resource.Resource, error) {
	a := in.After()
	name, _ := plan.NonEmpty(a, "name")
	r := plan.Identity(in, TypeQueue, name)
	r.ID = name
	p := map[string]any{}
	plan.PutString(p, "name", name)
	if v, ok := plan.Bool(a, "sqs_managed_sse_enabled"); ok {
		p["sqs_managed_sse_enabled"] = v
	}
	if v, ok := plan.NonEmpty(a, "kms_master_key_id"); ok {
		p["kms_master_key_id"] = v
	}
	r.Properties = p
	return r, nil
}

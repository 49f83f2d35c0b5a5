package kms

import (
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

var keyPlan = plan.Kind{Standalone: map[string]func(*plan.Instance) (resource.Resource, error){TypeKey: planKey}}

// planKey: a key Terraform creates with aws_kms_key is customer managed.
// Its key material origin follows from where the key is stored.
func planKey(in *plan.Instance) (resource.Resource, error) {
	a := in.After()
	keyID, _ := plan.NonEmpty(a, "key_id")
	r := plan.Identity(in, TypeKey, keyID)
	r.ID = keyID
	p := map[string]any{"key_manager": "CUSTOMER"}
	plan.PutString(p, "key_id", keyID)
	if v, ok := plan.NonEmpty(a, "customer_master_key_spec"); ok {
		p["key_spec"] = v
	}
	plan.PutKnown(p, "key_usage", a)
	if o, ok := keyOrigin(in); ok {
		p["origin"] = o
	}
	if v, ok := plan.Bool(a, "is_enabled"); ok {
		p["enabled"] = v
	}
	if v, ok := plan.Bool(a, "enable_key_rotation"); ok {
		p["key_rotation_enabled"] = v
	}
	r.Properties = p
	return r, nil
}

// keyOrigin: provider v3 has neither custom_key_store_id nor xks_key_id,
// and could only create keys with KMS-generated material.
func keyOrigin(in *plan.Instance) (string, bool) {
	if in.Unknown("custom_key_store_id") || in.Unknown("xks_key_id") {
		return "", false
	}
	a := in.After()
	switch {
	case a["xks_key_id"] != nil && a["xks_key_id"] != "":
		return "EXTERNAL_KEY_STORE", true
	case a["custom_key_store_id"] != nil && a["custom_key_store_id"] != "":
		return "AWS_CLOUDHSM", true
	}
	return "AWS_KMS", true
}

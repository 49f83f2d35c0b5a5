package plan

import "github.com/rectifyhq/rectify/internal/resource"

// standalone are the modelled types no child joins into: each one's
// document comes from its own planned values.
var standalone = map[string]func(in *instance) (resource.Resource, error){
	"aws_ebs_encryption_by_default": ebsEncryptionByDefault,
	"aws_db_instance":               dbInstance,
	"aws_rds_cluster_instance":      dbInstance,
	"aws_cloudtrail":                trail,
	"aws_kms_key":                   kmsKey,
}

// ebsEncryptionByDefault is the per-region setting, named by its region as
// the live plane names it.
func ebsEncryptionByDefault(in *instance) (resource.Resource, error) {
	r := identity(in, resource.TypeEBSEncryptionByDefault, in.region)
	r.ID = in.region
	r.Properties = map[string]any{}
	if v, ok := boolean(in.after, "enabled"); ok {
		r.Properties["enabled"] = v
	}
	return r, nil
}

// dbInstance also reads aws_rds_cluster_instance: DescribeDBInstances lists
// cluster members as DB instances, so the live plane cannot tell them apart
// and both planes call them aws_db_instance.
func dbInstance(in *instance) (resource.Resource, error) {
	id, _ := nonEmpty(in.after, "identifier")
	r := identity(in, resource.TypeDBInstance, id)
	if id != "" {
		r.ID = id
	}
	r.Properties = map[string]any{}
	putString(r.Properties, "identifier", id)
	putKnown(r.Properties, "engine", in.after)
	if v, ok := boolean(in.after, "publicly_accessible"); ok {
		r.Properties["publicly_accessible"] = v
	}
	return r, nil
}

func trail(in *instance) (resource.Resource, error) {
	name, _ := nonEmpty(in.after, "name")
	r := identity(in, resource.TypeCloudTrail, name)
	r.ID = name // the provider's id is the ARN; the live plane uses the name
	r.Properties = map[string]any{}
	putString(r.Properties, "name", name)
	if v, ok := boolean(in.after, "enable_logging"); ok {
		r.Properties["logging"] = v
	}
	if v, ok := boolean(in.after, "is_multi_region_trail"); ok {
		r.Properties["is_multi_region_trail"] = v
	}
	return r, nil
}

// kmsKey: a key Terraform creates with aws_kms_key is customer managed.
// Its key material origin follows from where the key is stored.
func kmsKey(in *instance) (resource.Resource, error) {
	a := in.after
	keyID, _ := nonEmpty(a, "key_id")
	r := identity(in, resource.TypeKMSKey, keyID)
	r.ID = keyID
	p := map[string]any{"key_manager": "CUSTOMER"}
	putString(p, "key_id", keyID)
	if v, ok := nonEmpty(a, "customer_master_key_spec"); ok {
		p["key_spec"] = v
	}
	putKnown(p, "key_usage", a)
	if o, ok := kmsOrigin(in); ok {
		p["origin"] = o
	}
	if v, ok := boolean(a, "is_enabled"); ok {
		p["enabled"] = v
	}
	if v, ok := boolean(a, "enable_key_rotation"); ok {
		p["key_rotation_enabled"] = v
	}
	r.Properties = p
	return r, nil
}

// kmsOrigin: provider v3 has neither custom_key_store_id nor xks_key_id,
// and could only create keys with KMS-generated material.
func kmsOrigin(in *instance) (string, bool) {
	if in.unknown["custom_key_store_id"] || in.unknown["xks_key_id"] {
		return "", false
	}
	switch {
	case in.after["xks_key_id"] != nil && in.after["xks_key_id"] != "":
		return "EXTERNAL_KEY_STORE", true
	case in.after["custom_key_store_id"] != nil && in.after["custom_key_store_id"] != "":
		return "AWS_CLOUDHSM", true
	}
	return "AWS_KMS", true
}

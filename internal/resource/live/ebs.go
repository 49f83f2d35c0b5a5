package live

import "github.com/rectifyhq/rectify/internal/resource"

// EBSEncryptionByDefault normalizes GetEbsEncryptionByDefault for one
// account and region. enabled is nil when EC2 left the flag out, which
// makes the property absent (unknown) rather than a false that would deny.
// The setting has no tags, so exemptions for it come from config only.
func EBSEncryptionByDefault(account, region string, enabled *bool) resource.Resource {
	props := map[string]any{}
	if enabled != nil {
		props["enabled"] = *enabled
	}
	return resource.Resource{
		Type:       resource.TypeEBSEncryptionByDefault,
		ARN:        resource.EBSEncryptionByDefaultARN(account, region),
		ID:         region,
		Name:       region,
		Account:    account,
		Region:     region,
		Tags:       map[string]string{},
		Plane:      resource.PlaneLive,
		Properties: props,
	}
}

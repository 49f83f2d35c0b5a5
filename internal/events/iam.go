package events

import "github.com/rectifyhq/rectify/internal/resource"

// principal says where an IAM call names the user, role or group it changes.
type principal struct {
	param string // the requestParameters key
	typ   string // Terraform type
	kind  string // ARN resource kind
}

var (
	iamUser  = principal{"userName", resource.TypeIAMUser, "user"}
	iamRole  = principal{"roleName", resource.TypeIAMRole, "role"}
	iamGroup = principal{"groupName", resource.TypeIAMGroup, "group"}
)

// Inline and managed policy changes: the permissions a principal ends up
// with are what the policies judge. Tag changes on users and roles too,
// since the exemption tags are part of the policy input (groups take no
// tags).
var iamExtractors = map[string]extractor{
	"TagUser":           iamUser.changed,
	"UntagUser":         iamUser.changed,
	"TagRole":           iamRole.changed,
	"UntagRole":         iamRole.changed,
	"AttachUserPolicy":  iamUser.changed,
	"DetachUserPolicy":  iamUser.changed,
	"PutUserPolicy":     iamUser.changed,
	"DeleteUserPolicy":  iamUser.changed,
	"AttachRolePolicy":  iamRole.changed,
	"DetachRolePolicy":  iamRole.changed,
	"PutRolePolicy":     iamRole.changed,
	"DeleteRolePolicy":  iamRole.changed,
	"AttachGroupPolicy": iamGroup.changed,
	"DetachGroupPolicy": iamGroup.changed,
	"PutGroupPolicy":    iamGroup.changed,
	"DeleteGroupPolicy": iamGroup.changed,
}

// The ARN is built without the IAM path, which the call does not carry
// (role/service-role/x is reported as roleName x).
func (p principal) changed(e *event) ([]Trigger, error) {
	req, err := e.request()
	if err != nil {
		return nil, err
	}
	name, err := req.str(p.param)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, e.rec.errorf("%s has no requestParameters.%s", e.name, p.param)
	}
	return []Trigger{e.resource(p.typ, name, resource.IAMARN(e.base.Account, p.kind, name))}, nil
}

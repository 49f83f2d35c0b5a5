// Package iam holds rectify's knowledge of AWS IAM: users, roles and
// groups with the policies that give them their permissions, read and
// listed live (IAM is global: every ref is filed under kind.GlobalRegion),
// named by their CloudTrail calls and Terraform resources, and the fix
// that takes administrator access away; and the account's password policy
// with the fix that raises it to the CIS requirements.
package iam

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// Terraform types of this service's kinds.
const (
	TypeUser  = "aws_iam_user"
	TypeRole  = "aws_iam_role"
	TypeGroup = "aws_iam_group"
)

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{User, Role, Group, PasswordPolicy}

const source = "iam.amazonaws.com"

// User, Role and Group are IAM principals (ARN PrincipalARN, without the
// path: CloudTrail names principals without it; ID and Name the name).
//
// properties:
//
//	{"name": "…", "path": "/",
//	 "attached_policy_arns": ["arn:aws:iam::aws:policy/…", …],   // sorted, unique
//	 "inline_policies": [{"name": "…", "document": resource.NormalizePolicyDocument(…)}, …],  // sorted by name
//	 "access_keys": [{"id": "AKIA…", "status": "Active", "create_date": "2024-01-02T03:04:05Z", "age_days": 705,
//	                  "used": true, "last_used_days": 120}, …],  // users only, sorted by id
//	 "login_profile": {"create_date": "…", "age_days": 300} | null,  // users, live only
//	 "password_last_used_days": 120}                                 // users, live only
//
// Live: List{User,Role,Group}AttachedPolicies (all pages) and
// List{User,Role,Group}Policies + Get{User,Role,Group}Policy, whose
// PolicyDocument is URL-encoded: decoded before NormalizePolicyDocument;
// ListAccessKeys (all pages) for users. In a plan, a user's access_keys are
// the aws_iam_access_key resources that name it, when there are any: a new
// key has no create_date until apply, and is new. age_days is measured
// when the keys were read (PrincipalState.ReadAt) or the plan was made
// (its timestamp): policies may not read a clock.
//
// Live only (FSBP IAM.8, IAM.22): GetAccessKeyLastUsed per key gives "used"
// and last_used_days (absent when never used), GetLoginProfile the
// console password (null when none: NoSuchEntity) and GetUser's
// PasswordLastUsed password_last_used_days. Terraform never knows when a
// credential was last used, so a plan carries none of these.
var (
	User  = principal(TypeUser, "user", "UserName", "AwsIamUser", "AWS::IAM::User", true)
	Role  = principal(TypeRole, "role", "RoleName", "AwsIamRole", "AWS::IAM::Role", true)
	Group = principal(TypeGroup, "group", "GroupName", "AwsIamGroup", "AWS::IAM::Group", false)
)

// principal declares one IAM principal kind: users, roles and groups
// differ only in their names, and groups in that IAM cannot tag them.
func principal(typ, arnKind, detailsID, asff, config string, taggable bool) *kind.Kind {
	title := strings.ToUpper(arnKind[:1]) + arnKind[1:]
	k := &kind.Kind{
		Type:          typ,
		Noun:          "IAM " + arnKind,
		ConfigType:    config,
		ASFFType:      asff,
		ASFFDetailsID: detailsID,
		Global:        true,
		// resourceId is the unique id (AIDA..., AROA...): the name is what
		// CloudTrail and Terraform use.
		ConfigIDs: []string{kind.ConfigName},
		ARN:       func(account, _, name string) string { return PrincipalARN(account, arnKind, name) },
		// CloudTrail names principals without their path, so the name both
		// planes agree on is the ARN's last element
		// (role/service-role/x → x).
		ParseARN: func(a kind.ARN) (string, bool) {
			rest, ok := a.Of("iam", arnKind+"/")
			return rest[strings.LastIndexByte(rest, '/')+1:], ok
		},
		IsID:  isName,
		Fetch: fetchPrincipal,
		List:  listPrincipals,
		Normalize: func(account, region string, state json.RawMessage) (resource.Resource, error) {
			return normalizePrincipal(typ, account, region, state)
		},
		Calls: []kind.Call{
			// Inline and managed policy changes: the permissions a
			// principal ends up with are what the policies judge.
			{Source: source, Names: []string{"Attach" + title + "Policy", "Detach" + title + "Policy",
				"Put" + title + "Policy", "Delete" + title + "Policy"}, IDs: []string{"requestParameters." + arnKind + "Name"}},
		},
		Plan: plan.Kind{
			Parents: map[string]func(*plan.Instance) (plan.Doc, string, error){typ: newPrincipal},
			Children: map[string]string{
				typ + "_policy_attachment": arnKind,
				typ + "_policy":            arnKind,
			},
			Synthetic: syntheticPrincipal(typ),
		},
		// One action fixes all three kinds.
		Actions: []*kind.Action{DetachPolicy},
		Permissions: kind.Permissions{
			Read: []string{"iam:Get" + title, "iam:ListAttached" + title + "Policies", "iam:List" + title + "Policies", "iam:Get" + title + "Policy"},
			List: []string{"iam:List" + title + "s"},
		},
	}
	if typ == TypeUser {
		// Access keys (FSBP IAM.3): a key made, turned on or off, or
		// deleted changes what the user can be judged on.
		k.Calls = append(k.Calls, kind.Call{Source: source, Names: []string{"CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey"},
			IDs: []string{"requestParameters.userName"}})
		k.Plan.Children["aws_iam_access_key"] = "user"
		k.Permissions.Read = append(k.Permissions.Read, "iam:ListAccessKeys")
		k.Actions = append(k.Actions, DeactivateAccessKeys)
		// Unused credentials (FSBP IAM.8, IAM.22): the last use of each
		// key and the console password; a password given, reset or
		// taken away changes what the user is judged on.
		k.Calls = append(k.Calls, kind.Call{Source: source, Names: []string{"CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile"},
			IDs: []string{"requestParameters.userName"}})
		k.Permissions.Read = append(k.Permissions.Read, "iam:GetAccessKeyLastUsed", "iam:GetLoginProfile")
		k.Actions = append(k.Actions, DeleteLoginProfile)
	}
	if taggable {
		// Tag changes too: the exemption tags are part of the policy input.
		k.Calls = append(k.Calls, kind.Call{Source: source, Names: []string{"Tag" + title, "Untag" + title}, IDs: []string{"requestParameters." + arnKind + "Name"}})
		k.Tag = tagPrincipal
		k.Permissions.Tag = []string{"iam:Tag" + title}
	}
	return k
}

// uniqueID is an IAM unique id (AIDA... for a user, AROA... a role, AGPA...
// a group): some sources name principals by it, which no API takes.
var uniqueID = regexp.MustCompile(`^A(IDA|ROA|GPA|NPA|NVA|IPA|SIA|KIA)[A-Z0-9]+$`)

// isName accepts a principal's name, not its unique id.
func isName(s string) bool { return s != "" && !uniqueID.MatchString(s) }

// PrincipalARN builds the ARN of an IAM user, role or group ("user",
// "role", "group"), without its path.
func PrincipalARN(account, arnKind, name string) string {
	return "arn:aws:iam::" + account + ":" + arnKind + "/" + name
}

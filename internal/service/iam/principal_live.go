package iam

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rectifyhq/rectify/internal/resource"
)

// InlinePolicy is one inline policy as Get{User,Role,Group}Policy returns
// it: Document is URL-encoded, as IAM sends it.
type InlinePolicy struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// PrincipalState is what the live reads of an IAM user, role or group
// return: the entity's own fields (Get{User,Role,Group}), every page of
// List{User,Role,Group}AttachedPolicies, each inline policy and the tags
// (groups have none).
type PrincipalState struct {
	Type     string                    `json:"type"` // TypeUser, TypeIAMRole or TypeIAMGroup
	Name     string                    `json:"name"`
	Path     string                    `json:"path"`
	Attached []iamtypes.AttachedPolicy `json:"attached"`
	Inline   []InlinePolicy            `json:"inline"`
	Tags     []iamtypes.Tag            `json:"tags"`
	// AccessKeys are a user's access keys (ListAccessKeys, every page);
	// nil for roles and groups, and for a state that did not read them.
	AccessKeys []iamtypes.AccessKeyMetadata `json:"access_keys,omitempty"`
	// ReadAt is when the keys were read: a key's age is measured at it,
	// so the document, not the clock of whoever judges it, holds the age.
	ReadAt time.Time `json:"read_at,omitempty"`
	// AccessKeyLastUsed is when each access key was last used
	// (GetAccessKeyLastUsed), by key id, nil for a key never used; a nil
	// map was not read (a plan never knows it).
	AccessKeyLastUsed map[string]*time.Time `json:"access_key_last_used,omitempty"`
	// Console is the user's console password; nil when not read.
	Console *ConsoleState `json:"console,omitempty"`
}

// ConsoleState is what IAM says of a user's console password.
type ConsoleState struct {
	// LoginProfile is GetLoginProfile's; nil when the user has no password.
	LoginProfile *iamtypes.LoginProfile `json:"login_profile"`
	// PasswordLastUsed is GetUser's: the last sign-in with a password (any
	// password the user had, not only the current one); nil when never.
	PasswordLastUsed *time.Time `json:"password_last_used,omitempty"`
}

// iamKinds maps a principal type to its ARN resource kind.
var iamKinds = map[string]string{
	TypeUser:  "user",
	TypeRole:  "role",
	TypeGroup: "group",
}

// IAMPrincipal normalizes an IAM user, role or group read
//
// properties:
//
//	{"name", "path",
//	 "attached_policy_arns": [arn...],                     // sorted, unique
//	 "inline_policies": [{"name", "document"}...],         // sorted by name
//	 "access_keys": [{"id", "status", "create_date", "age_days",       // users: sorted by id; RFC 3339 UTC; whole days at ReadAt
//	                  "used", "last_used_days"}...],                   // when the last use was read; last_used_days absent when never used
//	 "login_profile": {"create_date", "age_days"} | null,              // users, when read: null without a console password
//	 "password_last_used_days": n}                                      // users, when read and the password was ever used
//
// IAM is global; region is the one the resource is filed under
// (us-east-1, where IAM's CloudTrail events are delivered).
func PrincipalResource(account, region string, s PrincipalState) (resource.Resource, error) {
	kind, ok := iamKinds[s.Type]
	if !ok {
		return resource.Resource{}, fmt.Errorf("normalize IAM principal %s: type %q is not an IAM user, role or group", s.Name, s.Type)
	}
	props := map[string]any{"name": s.Name}
	if s.Path != "" {
		props["path"] = s.Path
	}

	var arns []string
	for _, p := range s.Attached {
		if arn := aws.ToString(p.PolicyArn); arn != "" {
			arns = append(arns, arn)
		}
	}
	slices.Sort(arns)
	arns = slices.Compact(arns)
	attached := make([]any, 0, len(arns))
	for _, a := range arns {
		attached = append(attached, a)
	}
	props["attached_policy_arns"] = attached

	inline := slices.Clone(s.Inline)
	slices.SortFunc(inline, func(a, b InlinePolicy) int { return strings.Compare(a.Name, b.Name) })
	policies := make([]any, 0, len(inline))
	for _, p := range inline {
		text, err := url.PathUnescape(p.Document)
		if err != nil {
			return resource.Resource{}, fmt.Errorf("normalize inline policy %s of %s %s: decode the URL-encoded document: %w", p.Name, kind, s.Name, err)
		}
		doc, err := resource.NormalizePolicyDocument(text)
		if err != nil {
			return resource.Resource{}, fmt.Errorf("normalize inline policy %s of %s %s: %w", p.Name, kind, s.Name, err)
		}
		entry := map[string]any{"name": p.Name}
		if doc != nil {
			entry["document"] = doc
		}
		policies = append(policies, entry)
	}
	props["inline_policies"] = policies
	if s.AccessKeys != nil {
		props["access_keys"] = accessKeys(s.AccessKeys, s.ReadAt, s.AccessKeyLastUsed)
	}
	if s.Console != nil {
		var profile any // null: no console password
		if lp := s.Console.LoginProfile; lp != nil {
			m := map[string]any{}
			if lp.CreateDate != nil {
				m["create_date"] = lp.CreateDate.UTC().Format(time.RFC3339)
				if !s.ReadAt.IsZero() {
					m["age_days"] = AgeDays(*lp.CreateDate, s.ReadAt)
				}
			}
			profile = m
		}
		props["login_profile"] = profile
		if used := s.Console.PasswordLastUsed; used != nil && !s.ReadAt.IsZero() {
			props["password_last_used_days"] = AgeDays(*used, s.ReadAt)
		}
	}

	tags := make(map[string]string, len(s.Tags))
	for _, t := range s.Tags {
		if t.Key != nil {
			tags[*t.Key] = aws.ToString(t.Value)
		}
	}
	return resource.Resource{
		Type: s.Type,
		// Without the path: CloudTrail names a principal by name only, and
		// the ARN is the workflow identity both must agree on.
		ARN:        PrincipalARN(account, kind, s.Name),
		ID:         s.Name,
		Name:       s.Name,
		Account:    account,
		Region:     region,
		Tags:       tags,
		Plane:      resource.PlaneLive,
		Properties: props,
	}, nil
}

func normalizePrincipal(typ, account, region string, state json.RawMessage) (resource.Resource, error) {
	var s PrincipalState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	if s.Type == "" {
		s.Type = typ
	}
	return PrincipalResource(account, region, s)
}

// accessKeys normalizes ListAccessKeys: Active or Inactive, the creation
// time in UTC seconds, the way Terraform's create_date writes it, and the
// age in whole days at readAt (absent when readAt is zero: unknown); with
// lastUsed (GetAccessKeyLastUsed), whether each key was ever used and how
// many whole days ago (absent when never: "used" says which).
func accessKeys(keys []iamtypes.AccessKeyMetadata, readAt time.Time, lastUsed map[string]*time.Time) []any {
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, func(a, b iamtypes.AccessKeyMetadata) int {
		return strings.Compare(aws.ToString(a.AccessKeyId), aws.ToString(b.AccessKeyId))
	})
	out := make([]any, 0, len(sorted))
	for _, k := range sorted {
		m := map[string]any{"id": aws.ToString(k.AccessKeyId), "status": string(k.Status)}
		if k.CreateDate != nil {
			m["create_date"] = k.CreateDate.UTC().Format(time.RFC3339)
			if !readAt.IsZero() {
				m["age_days"] = AgeDays(*k.CreateDate, readAt)
			}
		}
		if used, read := lastUsed[aws.ToString(k.AccessKeyId)]; read && !readAt.IsZero() {
			m["used"] = used != nil
			if used != nil {
				m["last_used_days"] = AgeDays(*used, readAt)
			}
		}
		out = append(out, m)
	}
	return out
}

// AgeDays is how many whole days passed from created to at (never
// negative): the age both planes give an access key.
func AgeDays(created, at time.Time) int {
	return max(0, int(at.Sub(created)/(24*time.Hour)))
}

package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// iamAPI is the IAM calls that differ between users, roles and groups only
// in their names.
type iamAPI struct {
	kind string // ARN resource kind: user, role, group
	// get reads the path and, for users and roles, the tags; for users
	// also when the console password was last used (nil: never, or no
	// password), which GetUser alone reports.
	get func(ctx context.Context, c *iam.Client, name string) (path string, tags []iamtypes.Tag, passwordLastUsed *time.Time, err error)
	// attached and inlineNames read every page, through the SDK's
	// paginators.
	attached    func(ctx context.Context, c *iam.Client, name string) ([]iamtypes.AttachedPolicy, error)
	inlineNames func(ctx context.Context, c *iam.Client, name string) ([]string, error)
	// inlineDoc returns the document URL-encoded, as IAM sends it.
	inlineDoc func(ctx context.Context, c *iam.Client, name, policy string) (string, error)
	attach    func(ctx context.Context, c *iam.Client, name, arn string) error
	detach    func(ctx context.Context, c *iam.Client, name, arn string) error
	put       func(ctx context.Context, c *iam.Client, name, policy, doc string) error
	remove    func(ctx context.Context, c *iam.Client, name, policy string) error
	// tag is nil for groups, which IAM cannot tag.
	tag func(ctx context.Context, c *iam.Client, name string, tags []iamtypes.Tag) error
}

// allPages reads every page of a paginator into one list.
func allPages[O, T any](ctx context.Context, more func() bool, next func(context.Context, ...func(*iam.Options)) (O, error), items func(O) []T) ([]T, error) {
	var out []T
	for more() {
		page, err := next(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items(page)...)
	}
	return out, nil
}

var iamAPIs = map[string]iamAPI{
	TypeUser: {
		kind: "user",
		get: func(ctx context.Context, c *iam.Client, name string) (string, []iamtypes.Tag, *time.Time, error) {
			out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: &name})
			if err != nil {
				return "", nil, nil, err
			}
			return aws.ToString(out.User.Path), out.User.Tags, out.User.PasswordLastUsed, nil
		},
		attached: func(ctx context.Context, c *iam.Client, name string) ([]iamtypes.AttachedPolicy, error) {
			p := iam.NewListAttachedUserPoliciesPaginator(c, &iam.ListAttachedUserPoliciesInput{UserName: &name})
			return allPages(ctx, p.HasMorePages, p.NextPage, func(o *iam.ListAttachedUserPoliciesOutput) []iamtypes.AttachedPolicy { return o.AttachedPolicies })
		},
		inlineNames: func(ctx context.Context, c *iam.Client, name string) ([]string, error) {
			p := iam.NewListUserPoliciesPaginator(c, &iam.ListUserPoliciesInput{UserName: &name})
			return allPages(ctx, p.HasMorePages, p.NextPage, func(o *iam.ListUserPoliciesOutput) []string { return o.PolicyNames })
		},
		inlineDoc: func(ctx context.Context, c *iam.Client, name, policy string) (string, error) {
			out, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: &name, PolicyName: &policy})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.PolicyDocument), nil
		},
		attach: func(ctx context.Context, c *iam.Client, name, arn string) error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: &name, PolicyArn: &arn})
			return err
		},
		detach: func(ctx context.Context, c *iam.Client, name, arn string) error {
			_, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: &name, PolicyArn: &arn})
			return err
		},
		put: func(ctx context.Context, c *iam.Client, name, policy, doc string) error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: &name, PolicyName: &policy, PolicyDocument: &doc})
			return err
		},
		remove: func(ctx context.Context, c *iam.Client, name, policy string) error {
			_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: &name, PolicyName: &policy})
			return err
		},
		tag: func(ctx context.Context, c *iam.Client, name string, tags []iamtypes.Tag) error {
			_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: &name, Tags: tags})
			return err
		},
	},
	TypeRole: {
		kind: "role",
		get: func(ctx context.Context, c *iam.Client, name string) (string, []iamtypes.Tag, *time.Time, error) {
			out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
			if err != nil {
				return "", nil, nil, err
			}
			return aws.ToString(out.Role.Path), out.Role.Tags, nil, nil
		},
		attached: func(ctx context.Context, c *iam.Client, name string) ([]iamtypes.AttachedPolicy, error) {
			p := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: &name})
			return allPages(ctx, p.HasMorePages, p.NextPage, func(o *iam.ListAttachedRolePoliciesOutput) []iamtypes.AttachedPolicy { return o.AttachedPolicies })
		},
		inlineNames: func(ctx context.Context, c *iam.Client, name string) ([]string, error) {
			p := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: &name})
			return allPages(ctx, p.HasMorePages, p.NextPage, func(o *iam.ListRolePoliciesOutput) []string { return o.PolicyNames })
		},
		inlineDoc: func(ctx context.Context, c *iam.Client, name, policy string) (string, error) {
			out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &name, PolicyName: &policy})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.PolicyDocument), nil
		},
		attach: func(ctx context.Context, c *iam.Client, name, arn string) error {
			_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: &name, PolicyArn: &arn})
			return err
		},
		detach: func(ctx context.Context, c *iam.Client, name, arn string) error {
			_, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: &name, PolicyArn: &arn})
			return err
		},
		put: func(ctx context.Context, c *iam.Client, name, policy, doc string) error {
			_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: &name, PolicyName: &policy, PolicyDocument: &doc})
			return err
		},
		remove: func(ctx context.Context, c *iam.Client, name, policy string) error {
			_, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &name, PolicyName: &policy})
			return err
		},
		tag: func(ctx context.Context, c *iam.Client, name string, tags []iamtypes.Tag) error {
			_, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: &name, Tags: tags})
			return err
		},
	},
	TypeGroup: {
		kind: "group",
		get: func(ctx context.Context, c *iam.Client, name string) (string, []iamtypes.Tag, *time.Time, error) {
			// MaxItems 1: only the group is wanted, not its member list.
			out, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: &name, MaxItems: aws.Int32(1)})
			if err != nil {
				return "", nil, nil, err
			}
			return aws.ToString(out.Group.Path), nil, nil, nil
		},
		attached: func(ctx context.Context, c *iam.Client, name string) ([]iamtypes.AttachedPolicy, error) {
			p := iam.NewListAttachedGroupPoliciesPaginator(c, &iam.ListAttachedGroupPoliciesInput{GroupName: &name})
			return allPages(ctx, p.HasMorePages, p.NextPage, func(o *iam.ListAttachedGroupPoliciesOutput) []iamtypes.AttachedPolicy { return o.AttachedPolicies })
		},
		inlineNames: func(ctx context.Context, c *iam.Client, name string) ([]string, error) {
			p := iam.NewListGroupPoliciesPaginator(c, &iam.ListGroupPoliciesInput{GroupName: &name})
			return allPages(ctx, p.HasMorePages, p.NextPage, func(o *iam.ListGroupPoliciesOutput) []string { return o.PolicyNames })
		},
		inlineDoc: func(ctx context.Context, c *iam.Client, name, policy string) (string, error) {
			out, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: &name, PolicyName: &policy})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.PolicyDocument), nil
		},
		attach: func(ctx context.Context, c *iam.Client, name, arn string) error {
			_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: &name, PolicyArn: &arn})
			return err
		},
		detach: func(ctx context.Context, c *iam.Client, name, arn string) error {
			_, err := c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: &name, PolicyArn: &arn})
			return err
		},
		put: func(ctx context.Context, c *iam.Client, name, policy, doc string) error {
			_, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: &name, PolicyName: &policy, PolicyDocument: &doc})
			return err
		},
		remove: func(ctx context.Context, c *iam.Client, name, policy string) error {
			_, err := c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: &name, PolicyName: &policy})
			return err
		},
	},
}

func iamAPIFor(ref resource.Ref) (iamAPI, error) {
	api, ok := iamAPIs[ref.Type]
	if !ok {
		return iamAPI{}, awserr.Permanent(awserr.UnsupportedResourceType, "%s: resource type %q is not an IAM user, role or group", ref.ARN, ref.Type)
	}
	return api, nil
}

// fetchPrincipal reads a user, role or group with every managed policy
// attached to it and every inline policy document.
func fetchPrincipal(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	api, err := iamAPIFor(ref)
	if err != nil {
		return resource.Resource{}, false, err
	}
	client := env.AWS.IAM(ref.Account, ref.Region)
	name := ref.ID
	path, tags, passwordLastUsed, err := api.get(ctx, client, name)
	if awserr.Code(err) == "NoSuchEntity" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awserr.Wrap(ctx, fmt.Sprintf("get IAM %s %s", api.kind, name), err)
	}
	state := PrincipalState{Type: ref.Type, Name: name, Path: path, Tags: tags}
	state.Attached, err = api.attached(ctx, client, name)
	if awserr.Code(err) == "NoSuchEntity" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awserr.Wrap(ctx, fmt.Sprintf("list managed policies of IAM %s %s", api.kind, name), err)
	}
	names, err := api.inlineNames(ctx, client, name)
	if awserr.Code(err) == "NoSuchEntity" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awserr.Wrap(ctx, fmt.Sprintf("list inline policies of IAM %s %s", api.kind, name), err)
	}
	for _, policy := range names {
		doc, err := api.inlineDoc(ctx, client, name, policy)
		if awserr.Code(err) == "NoSuchEntity" {
			continue // deleted since the list: it grants nothing now
		}
		if err != nil {
			return resource.Resource{}, false, awserr.Wrap(ctx, fmt.Sprintf("get inline policy %s of IAM %s %s", policy, api.kind, name), err)
		}
		state.Inline = append(state.Inline, InlinePolicy{Name: policy, Document: doc})
	}
	if ref.Type == TypeUser {
		state.ReadAt = time.Now().UTC()
		if env.Now != nil {
			state.ReadAt = env.Now().UTC()
		}
		state.AccessKeys, err = userAccessKeys(ctx, client, name)
		if awserr.Code(err) == "NoSuchEntity" {
			return resource.Resource{}, false, nil
		}
		if err != nil {
			return resource.Resource{}, false, awserr.Wrap(ctx, "list access keys of IAM user "+name, err)
		}
		state.AccessKeyLastUsed, err = accessKeysLastUsed(ctx, client, state.AccessKeys)
		if err != nil {
			return resource.Resource{}, false, awserr.Wrap(ctx, "read the last use of the access keys of IAM user "+name, err)
		}
		state.Console = &ConsoleState{PasswordLastUsed: passwordLastUsed}
		state.Console.LoginProfile, err = loginProfile(ctx, client, name)
		if err != nil {
			return resource.Resource{}, false, awserr.Wrap(ctx, "get the login profile of IAM user "+name, err)
		}
	}
	res, err := PrincipalResource(ref.Account, ref.Region, state)
	if err != nil {
		return resource.Resource{}, false, awserr.Permanent(awserr.InvalidParams, "read %s: %v", ref.ARN, err)
	}
	return res, true, nil
}

// userAccessKeys lists every access key of a user; never nil, so a user
// without keys reads as an empty list, not an unknown one.
func userAccessKeys(ctx context.Context, client *iam.Client, user string) ([]iamtypes.AccessKeyMetadata, error) {
	p := iam.NewListAccessKeysPaginator(client, &iam.ListAccessKeysInput{UserName: aws.String(user)})
	keys, err := allPages(ctx, p.HasMorePages, p.NextPage, func(o *iam.ListAccessKeysOutput) []iamtypes.AccessKeyMetadata { return o.AccessKeyMetadata })
	if keys == nil {
		keys = []iamtypes.AccessKeyMetadata{}
	}
	return keys, err
}

// accessKeysLastUsed asks when each key was last used, by key id: a nil
// time is a key never used. A key deleted since the list is left out, as
// the list would leave it out now.
func accessKeysLastUsed(ctx context.Context, client *iam.Client, keys []iamtypes.AccessKeyMetadata) (map[string]*time.Time, error) {
	out := make(map[string]*time.Time, len(keys))
	for _, k := range keys {
		id := aws.ToString(k.AccessKeyId)
		used, err := client.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
		if awserr.Code(err) == "NoSuchEntity" {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("access key %s: %w", id, err)
		}
		var at *time.Time
		if used.AccessKeyLastUsed != nil {
			at = used.AccessKeyLastUsed.LastUsedDate
		}
		out[id] = at
	}
	return out, nil
}

// loginProfile reads the user's console password; nil when it has none
// (GetLoginProfile answers NoSuchEntity for a user without one).
func loginProfile(ctx context.Context, client *iam.Client, user string) (*iamtypes.LoginProfile, error) {
	out, err := client.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(user)})
	if awserr.Code(err) == "NoSuchEntity" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return out.LoginProfile, nil
}

// attachedPolicyARNs lists the ARNs of every managed policy attached.
func attachedPolicyARNs(ctx context.Context, api iamAPI, client *iam.Client, name string) ([]string, error) {
	page, err := api.attached(ctx, client, name)
	if err != nil {
		return nil, awserr.Wrap(ctx, fmt.Sprintf("list managed policies of IAM %s %s", api.kind, name), err)
	}
	arns := make([]string, len(page))
	for i, p := range page {
		arns[i] = aws.ToString(p.PolicyArn)
	}
	return arns, nil
}

// iamDetachPolicy takes administrator access away from a principal: it
// detaches the managed policies the policy named and deletes the inline
// policies that allow every action on every resource. An inline policy has
// no other copy in AWS, so its document is kept in the snapshot, and Undo
// puts it back exactly.
// DetachPolicy takes administrator access away from a user, role or
// group.
var DetachPolicy = &kind.Action{
	Name: "iam_detach_policy",
	Permissions: []string{
		"iam:ListAttachedUserPolicies", "iam:ListAttachedRolePolicies", "iam:ListAttachedGroupPolicies",
		"iam:GetUserPolicy", "iam:GetRolePolicy", "iam:GetGroupPolicy",
		"iam:DetachUserPolicy", "iam:DetachRolePolicy", "iam:DetachGroupPolicy",
		"iam:DeleteUserPolicy", "iam:DeleteRolePolicy", "iam:DeleteGroupPolicy",
		"iam:AttachUserPolicy", "iam:AttachRolePolicy", "iam:AttachGroupPolicy",
		"iam:PutUserPolicy", "iam:PutRolePolicy", "iam:PutGroupPolicy",
	},
	Describe: iamDetachPolicy{}.describe,
	Snapshot: iamDetachPolicy{}.snapshot,
	Apply:    iamDetachPolicy{}.apply,
	Undo:     iamDetachPolicy{}.undo,
}

type iamDetachPolicy struct{}

type iamDetachSnapshot struct {
	Type string `json:"type"`
	Name string `json:"name"`
	// PolicyARNs are the named managed policies attached when the snapshot
	// was taken: Undo re-attaches these and no others.
	PolicyARNs []string `json:"policy_arns"`
	// Inline holds each named inline policy's document, decoded, as it was.
	Inline []iamInlineSnapshot `json:"inline_policies"`
}

type iamInlineSnapshot struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// iamParams reads the params of aws.iam.admin_access and checks they name
// the resource the workflow is about, so a policy cannot aim the action
// at another principal.
func iamParams(ref resource.Ref, params map[string]any) (api iamAPI, arns, inline []string, err error) {
	if api, err = iamAPIFor(ref); err != nil {
		return
	}
	if pt, _ := params["principal_type"].(string); pt != api.kind {
		return api, nil, nil, awserr.Permanent(awserr.InvalidParams, "iam_detach_policy on %s: params.principal_type is %q, want %q", ref.ARN, pt, api.kind)
	}
	if name, _ := params["name"].(string); name != ref.ID {
		return api, nil, nil, awserr.Permanent(awserr.InvalidParams, "iam_detach_policy on %s: params.name is %q, want %q", ref.ARN, name, ref.ID)
	}
	if arns, err = kind.Strings(params, "policy_arns"); err != nil {
		return
	}
	if inline, err = kind.Strings(params, "inline_policy_names"); err != nil {
		return
	}
	if len(arns)+len(inline) == 0 {
		return api, nil, nil, awserr.Permanent(awserr.InvalidParams, "iam_detach_policy on %s: params name no policy_arns and no inline_policy_names", ref.ARN)
	}
	return api, arns, inline, nil
}

func (iamDetachPolicy) describe(params map[string]any) string {
	principalType, _ := params["principal_type"].(string)
	name, _ := params["name"].(string)
	arns, _ := kind.Strings(params, "policy_arns")
	inline, _ := kind.Strings(params, "inline_policy_names")
	var parts []string
	if len(arns) > 0 {
		parts = append(parts, "detach "+strings.Join(arns, ", ")+" from IAM "+principalType+" "+name)
	}
	if len(inline) > 0 {
		parts = append(parts, "delete inline polic(ies) "+strings.Join(inline, ", ")+" of IAM "+principalType+" "+name+" (the documents are kept for Undo)")
	}
	return strings.Join(parts, "; ")
}

func (iamDetachPolicy) snapshot(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	api, arns, inline, err := iamParams(ref, params)
	if err != nil {
		return nil, err
	}
	client := env.AWS.IAM(ref.Account, ref.Region)
	snap := iamDetachSnapshot{Type: ref.Type, Name: ref.ID}
	attached, err := attachedPolicyARNs(ctx, api, client, ref.ID)
	if err != nil {
		return nil, err
	}
	for _, arn := range arns {
		if slices.Contains(attached, arn) {
			snap.PolicyARNs = append(snap.PolicyARNs, arn)
		}
	}
	for _, policy := range inline {
		doc, found, err := inlineDocument(ctx, api, client, ref.ID, policy)
		if err != nil {
			return nil, err
		}
		if found {
			snap.Inline = append(snap.Inline, iamInlineSnapshot{Name: policy, Document: doc})
		}
	}
	return snap, nil
}

// inlineDocument reads and decodes an inline policy; found is false when
// the principal or the policy is gone.
func inlineDocument(ctx context.Context, api iamAPI, client *iam.Client, name, policy string) (doc string, found bool, err error) {
	raw, err := api.inlineDoc(ctx, client, name, policy)
	if awserr.Code(err) == "NoSuchEntity" {
		return "", false, nil
	}
	if err != nil {
		return "", false, awserr.Wrap(ctx, fmt.Sprintf("get inline policy %s of IAM %s %s", policy, api.kind, name), err)
	}
	doc, err = url.PathUnescape(raw)
	if err != nil {
		return "", false, awserr.Permanent(awserr.InvalidParams, "inline policy %s of IAM %s %s: decode the URL-encoded document: %v", policy, api.kind, name, err)
	}
	return doc, true, nil
}

// allowsEverything is the admin_access test on one document: a statement
// that allows "*" (or "*:*") on "*". apply re-checks it just before
// deleting, so a policy narrowed since the evaluation is left alone.
func allowsEverything(text string) (bool, error) {
	doc, err := resource.NormalizePolicyDocument(text)
	if err != nil {
		return false, err
	}
	stmts, _ := doc["Statement"].([]any)
	for _, s := range stmts {
		st, _ := s.(map[string]any)
		actions, _ := st["Action"].([]any)
		resources, _ := st["Resource"].([]any)
		if st["Effect"] == "Allow" &&
			(slices.Contains(actions, any("*")) || slices.Contains(actions, any("*:*"))) &&
			slices.Contains(resources, any("*")) {
			return true, nil
		}
	}
	return false, nil
}

func (iamDetachPolicy) apply(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	api, arns, inline, err := iamParams(ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.IAM(ref.Account, ref.Region)
	var done, already []string
	for _, arn := range arns {
		err := api.detach(ctx, client, ref.ID, arn)
		switch {
		case awserr.Code(err) == "NoSuchEntity":
			// Not attached (or the principal is gone): nothing to take away.
			already = append(already, arn)
		case err != nil:
			return kind.Applied{}, awserr.Wrap(ctx, fmt.Sprintf("detach %s from IAM %s %s", arn, api.kind, ref.ID), err)
		default:
			done = append(done, "detached "+arn)
		}
	}
	for _, policy := range inline {
		doc, found, err := inlineDocument(ctx, api, client, ref.ID, policy)
		if err != nil {
			return kind.Applied{}, err
		}
		if !found {
			already = append(already, "inline policy "+policy)
			continue
		}
		if all, err := allowsEverything(doc); err != nil || !all {
			already = append(already, "inline policy "+policy+" (no longer allows *:*; left in place)")
			continue
		}
		err = api.remove(ctx, client, ref.ID, policy)
		switch {
		case awserr.Code(err) == "NoSuchEntity":
			already = append(already, "inline policy "+policy)
		case err != nil:
			return kind.Applied{}, awserr.Wrap(ctx, fmt.Sprintf("delete inline policy %s of IAM %s %s", policy, api.kind, ref.ID), err)
		default:
			done = append(done, "deleted inline policy "+policy)
		}
	}
	summary := fmt.Sprintf("IAM %s %s: ", api.kind, ref.ID)
	if len(done) > 0 {
		summary += strings.Join(done, ", ")
	}
	if len(already) > 0 {
		if len(done) > 0 {
			summary += "; "
		}
		summary += "already fixed: " + strings.Join(already, ", ")
	}
	return kind.Applied{Changed: len(done) > 0, Summary: summary}, nil
}

func (iamDetachPolicy) undo(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap iamDetachSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return awserr.Permanent(awserr.InvalidParams, "undo iam_detach_policy on %s: snapshot: %v", ref.ARN, err)
	}
	api, err := iamAPIFor(ref)
	if err != nil {
		return err
	}
	if snap.Type != ref.Type || snap.Name != ref.ID {
		return awserr.Permanent(awserr.InvalidParams, "undo iam_detach_policy on %s: the snapshot is of %s %s", ref.ARN, snap.Type, snap.Name)
	}
	client := env.AWS.IAM(ref.Account, ref.Region)
	gone := func(err error) error {
		return awserr.Permanent("NoSuchEntity", "undo iam_detach_policy: IAM %s %s no longer exists: %v", api.kind, ref.ID, err)
	}
	// Attaching what is attached already succeeds, so a retried undo is safe.
	for _, arn := range snap.PolicyARNs {
		err := api.attach(ctx, client, ref.ID, arn)
		if awserr.Code(err) == "NoSuchEntity" {
			return gone(err)
		}
		if err != nil {
			return awserr.Wrap(ctx, fmt.Sprintf("re-attach %s to IAM %s %s", arn, api.kind, ref.ID), err)
		}
	}
	for _, p := range snap.Inline {
		err := api.put(ctx, client, ref.ID, p.Name, p.Document)
		if awserr.Code(err) == "NoSuchEntity" {
			return gone(err)
		}
		if err != nil {
			return awserr.Wrap(ctx, fmt.Sprintf("restore inline policy %s of IAM %s %s", p.Name, api.kind, ref.ID), err)
		}
	}
	return nil
}

// tagIAMExempt writes the exemption tags on a user or role. TagUser and
// TagRole add to the set, so only the two exemption keys are sent; the
// tagPrincipal writes tags on a user or role. TagUser and TagRole add to
// the set.
func tagPrincipal(ctx context.Context, env kind.Env, ref resource.Ref, set map[string]string) error {
	api, err := iamAPIFor(ref)
	if err != nil {
		return err
	}
	tags := make([]iamtypes.Tag, 0, len(set))
	for _, k := range kind.SortedKeys(set) {
		tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(set[k])})
	}
	if err := api.tag(ctx, env.AWS.IAM(ref.Account, ref.Region), ref.ID, tags); err != nil {
		return awserr.Wrap(ctx, fmt.Sprintf("tag IAM %s %s", api.kind, ref.ID), err)
	}
	return nil
}

// listPrincipals lists one page of an account's users, roles or groups.
// IAM is global: every region's sweep sees the same principals, all filed
// under GlobalRegion, and the Evaluate workflow ID (its ARN) folds the
// repeats into one evaluation.
func listPrincipals(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	client := env.AWS.IAM(p.Account, p.Region)
	var marker *string
	if p.Token != "" {
		marker = aws.String(p.Token)
	}
	var limit *int32
	if p.Limit > 0 {
		limit = aws.Int32(min(p.Limit, 1000))
	}
	var names []string
	var truncated bool
	var next *string
	switch p.Of.Type {
	case TypeUser:
		out, err := client.ListUsers(ctx, &iam.ListUsersInput{Marker: marker, MaxItems: limit})
		if err != nil {
			return kind.Listed{}, awserr.Wrap(ctx, "list IAM users in "+p.Account, err)
		}
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.UserName))
		}
		truncated, next = out.IsTruncated, out.Marker
	case TypeRole:
		out, err := client.ListRoles(ctx, &iam.ListRolesInput{Marker: marker, MaxItems: limit})
		if err != nil {
			return kind.Listed{}, awserr.Wrap(ctx, "list IAM roles in "+p.Account, err)
		}
		for _, r := range out.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
		truncated, next = out.IsTruncated, out.Marker
	case TypeGroup:
		out, err := client.ListGroups(ctx, &iam.ListGroupsInput{Marker: marker, MaxItems: limit})
		if err != nil {
			return kind.Listed{}, awserr.Wrap(ctx, "list IAM groups in "+p.Account, err)
		}
		for _, g := range out.Groups {
			names = append(names, aws.ToString(g.GroupName))
		}
		truncated, next = out.IsTruncated, out.Marker
	}
	var page kind.Listed
	for _, n := range names {
		page.Refs = append(page.Refs, p.Ref(n))
	}
	if truncated {
		page.Token = aws.ToString(next)
	}
	return page, nil
}

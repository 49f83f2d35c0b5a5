package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/live"
)

// iamRegion is where IAM, a global service, is filed: its CloudTrail
// events carry awsRegion us-east-1, and so do the refs rectify builds.
const iamRegion = "us-east-1"

// untaggableTypes have no tags for Undo's exemption: exempt them in the
// config instead.
var untaggableTypes = []string{resource.TypeIAMGroup}

// iamAPI is the IAM calls that differ between users, roles and groups only
// in their names.
type iamAPI struct {
	kind string // ARN resource kind: user, role, group
	// get reads the path and, for users and roles, the tags.
	get         func(ctx context.Context, c *iam.Client, name string) (path string, tags []iamtypes.Tag, err error)
	attached    func(ctx context.Context, c *iam.Client, name string, marker *string) ([]iamtypes.AttachedPolicy, *string, error)
	inlineNames func(ctx context.Context, c *iam.Client, name string, marker *string) ([]string, *string, error)
	// inlineDoc returns the document URL-encoded, as IAM sends it.
	inlineDoc func(ctx context.Context, c *iam.Client, name, policy string) (string, error)
	attach    func(ctx context.Context, c *iam.Client, name, arn string) error
	detach    func(ctx context.Context, c *iam.Client, name, arn string) error
	put       func(ctx context.Context, c *iam.Client, name, policy, doc string) error
	remove    func(ctx context.Context, c *iam.Client, name, policy string) error
	// tag is nil for groups, which IAM cannot tag.
	tag func(ctx context.Context, c *iam.Client, name string, tags []iamtypes.Tag) error
}

// next is the marker of the next page, nil on the last.
func next(truncated bool, marker *string) *string {
	if truncated {
		return marker
	}
	return nil
}

var iamAPIs = map[string]iamAPI{
	resource.TypeIAMUser: {
		kind: "user",
		get: func(ctx context.Context, c *iam.Client, name string) (string, []iamtypes.Tag, error) {
			out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: &name})
			if err != nil {
				return "", nil, err
			}
			return aws.ToString(out.User.Path), out.User.Tags, nil
		},
		attached: func(ctx context.Context, c *iam.Client, name string, marker *string) ([]iamtypes.AttachedPolicy, *string, error) {
			out, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: &name, Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.AttachedPolicies, next(out.IsTruncated, out.Marker), nil
		},
		inlineNames: func(ctx context.Context, c *iam.Client, name string, marker *string) ([]string, *string, error) {
			out, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: &name, Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.PolicyNames, next(out.IsTruncated, out.Marker), nil
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
	resource.TypeIAMRole: {
		kind: "role",
		get: func(ctx context.Context, c *iam.Client, name string) (string, []iamtypes.Tag, error) {
			out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
			if err != nil {
				return "", nil, err
			}
			return aws.ToString(out.Role.Path), out.Role.Tags, nil
		},
		attached: func(ctx context.Context, c *iam.Client, name string, marker *string) ([]iamtypes.AttachedPolicy, *string, error) {
			out, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: &name, Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.AttachedPolicies, next(out.IsTruncated, out.Marker), nil
		},
		inlineNames: func(ctx context.Context, c *iam.Client, name string, marker *string) ([]string, *string, error) {
			out, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: &name, Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.PolicyNames, next(out.IsTruncated, out.Marker), nil
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
	resource.TypeIAMGroup: {
		kind: "group",
		get: func(ctx context.Context, c *iam.Client, name string) (string, []iamtypes.Tag, error) {
			// MaxItems 1: only the group is wanted, not its member list.
			out, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: &name, MaxItems: aws.Int32(1)})
			if err != nil {
				return "", nil, err
			}
			return aws.ToString(out.Group.Path), nil, nil
		},
		attached: func(ctx context.Context, c *iam.Client, name string, marker *string) ([]iamtypes.AttachedPolicy, *string, error) {
			out, err := c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: &name, Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.AttachedPolicies, next(out.IsTruncated, out.Marker), nil
		},
		inlineNames: func(ctx context.Context, c *iam.Client, name string, marker *string) ([]string, *string, error) {
			out, err := c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: &name, Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.PolicyNames, next(out.IsTruncated, out.Marker), nil
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
		return iamAPI{}, permanent(ErrUnsupportedResourceType, "%s: resource type %q is not an IAM user, role or group", ref.ARN, ref.Type)
	}
	return api, nil
}

// fetchIAMPrincipal reads a user, role or group with every managed policy
// attached to it and every inline policy document.
func (a *Activities) fetchIAMPrincipal(ctx context.Context, ref resource.Ref) (resource.Resource, bool, error) {
	api, err := iamAPIFor(ref)
	if err != nil {
		return resource.Resource{}, false, err
	}
	client := a.AWS.IAM(ref.Account, ref.Region)
	name := ref.ID
	path, tags, err := api.get(ctx, client, name)
	if errorCode(err) == "NoSuchEntity" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awsError(ctx, fmt.Sprintf("get IAM %s %s", api.kind, name), err)
	}
	state := live.IAMPrincipalState{Type: ref.Type, Name: name, Path: path, Tags: tags}
	for marker, first := (*string)(nil), true; first || marker != nil; first = false {
		var page []iamtypes.AttachedPolicy
		page, marker, err = api.attached(ctx, client, name, marker)
		if errorCode(err) == "NoSuchEntity" {
			return resource.Resource{}, false, nil
		}
		if err != nil {
			return resource.Resource{}, false, awsError(ctx, fmt.Sprintf("list managed policies of IAM %s %s", api.kind, name), err)
		}
		state.Attached = append(state.Attached, page...)
	}
	names, err := inlinePolicyNames(ctx, api, client, name)
	if errorCode(err) == "NoSuchEntity" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awsError(ctx, fmt.Sprintf("list inline policies of IAM %s %s", api.kind, name), err)
	}
	for _, policy := range names {
		doc, err := api.inlineDoc(ctx, client, name, policy)
		if errorCode(err) == "NoSuchEntity" {
			continue // deleted since the list: it grants nothing now
		}
		if err != nil {
			return resource.Resource{}, false, awsError(ctx, fmt.Sprintf("get inline policy %s of IAM %s %s", policy, api.kind, name), err)
		}
		state.Inline = append(state.Inline, live.InlinePolicy{Name: policy, Document: doc})
	}
	res, err := live.IAMPrincipal(ref.Account, ref.Region, state)
	if err != nil {
		return resource.Resource{}, false, permanent(ErrInvalidParams, "read %s: %v", ref.ARN, err)
	}
	return res, true, nil
}

func inlinePolicyNames(ctx context.Context, api iamAPI, client *iam.Client, name string) ([]string, error) {
	var names []string
	for marker, first := (*string)(nil), true; first || marker != nil; first = false {
		var page []string
		var err error
		page, marker, err = api.inlineNames(ctx, client, name, marker)
		if err != nil {
			return nil, err
		}
		names = append(names, page...)
	}
	return names, nil
}

func (a *Activities) attachedPolicyARNs(ctx context.Context, api iamAPI, client *iam.Client, name string) ([]string, error) {
	var arns []string
	for marker, first := (*string)(nil), true; first || marker != nil; first = false {
		var page []iamtypes.AttachedPolicy
		var err error
		page, marker, err = api.attached(ctx, client, name, marker)
		if err != nil {
			return nil, awsError(ctx, fmt.Sprintf("list managed policies of IAM %s %s", api.kind, name), err)
		}
		for _, p := range page {
			arns = append(arns, aws.ToString(p.PolicyArn))
		}
	}
	return arns, nil
}

// iamDetachPolicy takes administrator access away from a principal: it
// detaches the managed policies the policy named and deletes the inline
// policies that allow every action on every resource. An inline policy has
// no other copy in AWS, so its document is kept in the snapshot, and Undo
// puts it back exactly.
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
	if kind, _ := params["principal_type"].(string); kind != api.kind {
		return api, nil, nil, permanent(ErrInvalidParams, "iam_detach_policy on %s: params.principal_type is %q, want %q", ref.ARN, kind, api.kind)
	}
	if name, _ := params["name"].(string); name != ref.ID {
		return api, nil, nil, permanent(ErrInvalidParams, "iam_detach_policy on %s: params.name is %q, want %q", ref.ARN, name, ref.ID)
	}
	if arns, err = stringList(params, "policy_arns"); err != nil {
		return
	}
	if inline, err = stringList(params, "inline_policy_names"); err != nil {
		return
	}
	if len(arns)+len(inline) == 0 {
		return api, nil, nil, permanent(ErrInvalidParams, "iam_detach_policy on %s: params name no policy_arns and no inline_policy_names", ref.ARN)
	}
	return api, arns, inline, nil
}

func (iamDetachPolicy) describe(params map[string]any) string {
	kind, _ := params["principal_type"].(string)
	name, _ := params["name"].(string)
	arns, _ := stringList(params, "policy_arns")
	inline, _ := stringList(params, "inline_policy_names")
	var parts []string
	if len(arns) > 0 {
		parts = append(parts, "detach "+strings.Join(arns, ", ")+" from IAM "+kind+" "+name)
	}
	if len(inline) > 0 {
		parts = append(parts, "delete inline polic(ies) "+strings.Join(inline, ", ")+" of IAM "+kind+" "+name+" (the documents are kept for Undo)")
	}
	return strings.Join(parts, "; ")
}

func (iamDetachPolicy) snapshot(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (any, error) {
	api, arns, inline, err := iamParams(ref, params)
	if err != nil {
		return nil, err
	}
	client := a.AWS.IAM(ref.Account, ref.Region)
	snap := iamDetachSnapshot{Type: ref.Type, Name: ref.ID}
	attached, err := a.attachedPolicyARNs(ctx, api, client, ref.ID)
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
	if errorCode(err) == "NoSuchEntity" {
		return "", false, nil
	}
	if err != nil {
		return "", false, awsError(ctx, fmt.Sprintf("get inline policy %s of IAM %s %s", policy, api.kind, name), err)
	}
	doc, err = url.PathUnescape(raw)
	if err != nil {
		return "", false, permanent(ErrInvalidParams, "inline policy %s of IAM %s %s: decode the URL-encoded document: %v", policy, api.kind, name, err)
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

func (iamDetachPolicy) apply(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (ApplyOutput, error) {
	api, arns, inline, err := iamParams(ref, params)
	if err != nil {
		return ApplyOutput{}, err
	}
	client := a.AWS.IAM(ref.Account, ref.Region)
	var done, already []string
	for _, arn := range arns {
		err := api.detach(ctx, client, ref.ID, arn)
		switch {
		case errorCode(err) == "NoSuchEntity":
			// Not attached (or the principal is gone): nothing to take away.
			already = append(already, arn)
		case err != nil:
			return ApplyOutput{}, awsError(ctx, fmt.Sprintf("detach %s from IAM %s %s", arn, api.kind, ref.ID), err)
		default:
			done = append(done, "detached "+arn)
		}
	}
	for _, policy := range inline {
		doc, found, err := inlineDocument(ctx, api, client, ref.ID, policy)
		if err != nil {
			return ApplyOutput{}, err
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
		case errorCode(err) == "NoSuchEntity":
			already = append(already, "inline policy "+policy)
		case err != nil:
			return ApplyOutput{}, awsError(ctx, fmt.Sprintf("delete inline policy %s of IAM %s %s", policy, api.kind, ref.ID), err)
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
	return ApplyOutput{Changed: len(done) > 0, Summary: summary}, nil
}

func (iamDetachPolicy) undo(ctx context.Context, a *Activities, ref resource.Ref, data json.RawMessage) error {
	var snap iamDetachSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return permanent(ErrInvalidParams, "undo iam_detach_policy on %s: snapshot: %v", ref.ARN, err)
	}
	api, err := iamAPIFor(ref)
	if err != nil {
		return err
	}
	if snap.Type != ref.Type || snap.Name != ref.ID {
		return permanent(ErrInvalidParams, "undo iam_detach_policy on %s: the snapshot is of %s %s", ref.ARN, snap.Type, snap.Name)
	}
	client := a.AWS.IAM(ref.Account, ref.Region)
	gone := func(err error) error {
		return permanent("NoSuchEntity", "undo iam_detach_policy: IAM %s %s no longer exists: %v", api.kind, ref.ID, err)
	}
	// Attaching what is attached already succeeds, so a retried undo is safe.
	for _, arn := range snap.PolicyARNs {
		err := api.attach(ctx, client, ref.ID, arn)
		if errorCode(err) == "NoSuchEntity" {
			return gone(err)
		}
		if err != nil {
			return awsError(ctx, fmt.Sprintf("re-attach %s to IAM %s %s", arn, api.kind, ref.ID), err)
		}
	}
	for _, p := range snap.Inline {
		err := api.put(ctx, client, ref.ID, p.Name, p.Document)
		if errorCode(err) == "NoSuchEntity" {
			return gone(err)
		}
		if err != nil {
			return awsError(ctx, fmt.Sprintf("restore inline policy %s of IAM %s %s", p.Name, api.kind, ref.ID), err)
		}
	}
	return nil
}

// tagIAMExempt writes the exemption tags on a user or role. TagUser and
// TagRole add to the set, so only the two exemption keys are sent; the
// current values are read first to merge the policy list.
func (a *Activities) tagIAMExempt(ctx context.Context, in TagExemptInput) error {
	api, err := iamAPIFor(in.Ref)
	if err != nil {
		return err
	}
	if api.tag == nil {
		return permanent(ErrUnsupportedResourceType, "tag %s exempt: IAM groups cannot be tagged; add to the rectify config: exemptions: [{arn: %q, policies: [%s], reason: ..., owner: ..., expires: YYYY-MM-DD}]", in.Ref.ARN, in.Ref.ARN, in.PolicyID)
	}
	client := a.AWS.IAM(in.Ref.Account, in.Ref.Region)
	_, tags, err := api.get(ctx, client, in.Ref.ID)
	if err != nil {
		return awsError(ctx, fmt.Sprintf("read tags of IAM %s %s", api.kind, in.Ref.ID), err)
	}
	current := map[string]string{}
	for _, t := range tags {
		current[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	merged := exemptTags(current, in.PolicyID, in.Until)
	set := []iamtypes.Tag{
		{Key: aws.String(TagExempt), Value: aws.String(merged[TagExempt])},
		{Key: aws.String(TagExemptUntil), Value: aws.String(merged[TagExemptUntil])},
	}
	if err := api.tag(ctx, client, in.Ref.ID, set); err != nil {
		return awsError(ctx, fmt.Sprintf("tag IAM %s %s exempt", api.kind, in.Ref.ID), err)
	}
	return nil
}

// listIAMPrincipals lists one page of an account's users, roles or groups.
// IAM is global: every region's sweep sees the same principals, all filed
// under us-east-1, and the Evaluate workflow ID (its ARN) folds the
// repeats into one evaluation.
func (a *Activities) listIAMPrincipals(ctx context.Context, in ListInput) (ListOutput, error) {
	client := a.AWS.IAM(in.Account, in.Region)
	var marker *string
	if in.Token != "" {
		marker = aws.String(in.Token)
	}
	var limit *int32
	if in.Limit > 0 {
		limit = aws.Int32(min(in.Limit, 1000))
	}
	var names []string
	var kind string
	var truncated bool
	var nextMarker *string
	switch in.Type {
	case resource.TypeIAMUser:
		kind = "user"
		out, err := client.ListUsers(ctx, &iam.ListUsersInput{Marker: marker, MaxItems: limit})
		if err != nil {
			return ListOutput{}, awsError(ctx, "list IAM users in "+in.Account, err)
		}
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.UserName))
		}
		truncated, nextMarker = out.IsTruncated, out.Marker
	case resource.TypeIAMRole:
		kind = "role"
		out, err := client.ListRoles(ctx, &iam.ListRolesInput{Marker: marker, MaxItems: limit})
		if err != nil {
			return ListOutput{}, awsError(ctx, "list IAM roles in "+in.Account, err)
		}
		for _, r := range out.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
		truncated, nextMarker = out.IsTruncated, out.Marker
	case resource.TypeIAMGroup:
		kind = "group"
		out, err := client.ListGroups(ctx, &iam.ListGroupsInput{Marker: marker, MaxItems: limit})
		if err != nil {
			return ListOutput{}, awsError(ctx, "list IAM groups in "+in.Account, err)
		}
		for _, g := range out.Groups {
			names = append(names, aws.ToString(g.GroupName))
		}
		truncated, nextMarker = out.IsTruncated, out.Marker
	default:
		return ListOutput{}, permanent(ErrUnsupportedResourceType, "list: resource type %q is not an IAM user, role or group", in.Type)
	}
	var page ListOutput
	for _, n := range names {
		page.Refs = append(page.Refs, resource.Ref{
			Type: in.Type, ID: n, ARN: resource.IAMARN(in.Account, kind, n), Account: in.Account, Region: iamRegion,
		})
	}
	page.Token = aws.ToString(next(truncated, nextMarker))
	return page, nil
}

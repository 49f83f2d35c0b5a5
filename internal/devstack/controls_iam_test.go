package devstack

import (
	"context"
	"slices"
	"testing"

	svciam "github.com/rectifyhq/rectify/internal/service/iam"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
)

const (
	policyIAMAdmin = "aws.iam.admin_access"
	adminPolicyARN = "arn:aws:iam::aws:policy/AdministratorAccess"
	readOnlyARN    = "arn:aws:iam::aws:policy/ReadOnlyAccess"
)

// TestIAMAdminAccessControl: a human gives a role AdministratorAccess (next
// to ReadOnlyAccess) and a user an inline "*" on "*" policy (next to a
// narrow one). The CloudTrail events alone drive two remediations (the
// control set to enforce): the admin policy is detached and the admin inline
// policy deleted, and nothing else. Undo of the user's fix puts the inline
// policy back word for word and tags the user exempt.
func TestIAMAdminAccessControl(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) {
		if c.Policies == nil {
			c.Policies = map[string]config.PolicySettings{}
		}
		c.Policies[policyIAMAdmin] = config.PolicySettings{Mode: contract.ModeEnforce}
	})
	cl := iam.NewFromConfig(s.human())
	roleName, userName := "deploy"+s.suffix, "ops"+s.suffix
	role := resource.Ref{Type: svciam.TypeRole, ID: roleName, ARN: svciam.PrincipalARN(Account, "role", roleName), Account: Account, Region: "us-east-1"}
	user := resource.Ref{Type: svciam.TypeUser, ID: userName, ARN: svciam.PrincipalARN(Account, "user", userName), Account: Account, Region: "us-east-1"}
	const (
		adminDoc = `{"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]}`
		narrow   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`
	)

	if _, err := cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName), Path: aws.String("/ci/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	for _, arn := range []string{readOnlyARN, adminPolicyARN} {
		if _, err := cl.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(roleName), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cl.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(userName)}); err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{"reports": narrow, "everything": adminDoc} {
		if _, err := cl.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(userName), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}

	for _, ref := range []resource.Ref{role, user} {
		st := s.waitState(contract.RemediationID(policyIAMAdmin, ref.ARN), contract.StateResolved)
		if st.Remediations != 1 {
			t.Errorf("%s: remediations = %d, want 1", ref.ARN, st.Remediations)
		}
	}

	// The fake cloud's final state: only the admin grants are gone.
	managed, _, _ := s.cloud.IAMPolicies(Account, "role", roleName)
	if !slices.Equal(managed, []string{readOnlyARN}) {
		t.Errorf("role %s managed policies = %v, want only %s", roleName, managed, readOnlyARN)
	}
	_, inline, _ := s.cloud.IAMPolicies(Account, "user", userName)
	if len(inline) != 1 || inline["reports"] != narrow {
		t.Errorf("user %s inline policies = %v, want only reports", userName, inline)
	}
	for _, ref := range []resource.Ref{role, user} {
		f := s.finding(ctx, policyIAMAdmin, ref, shtypes.WorkflowStatusResolved)
		if f.Workflow.Status != shtypes.WorkflowStatusResolved || f.Compliance.Status != shtypes.ComplianceStatusPassed || f.RecordState != shtypes.RecordStateArchived {
			t.Errorf("%s finding: workflow %s, compliance %s, record %s; want RESOLVED/PASSED/ARCHIVED",
				ref.ARN, f.Workflow.Status, f.Compliance.Status, f.RecordState)
		}
	}
	if n := s.events.count("DetachRolePolicy", RemediationRoleName); n != 1 {
		t.Errorf("remediation role detached %d role policies, want 1", n)
	}
	if n := s.events.count("DeleteUserPolicy", RemediationRoleName); n != 1 {
		t.Errorf("remediation role deleted %d user policies, want 1", n)
	}

	// Undo the user's fix: the inline policy is back exactly, and the user
	// carries the exemption so the next evaluation leaves it alone.
	wf := contract.RemediationID(policyIAMAdmin, user.ARN)
	if _, err := contract.Undo(ctx, temporalServer.Client, wf, "", contract.UndoRequest{User: HumanUser, Reason: "break-glass user"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wf, contract.StateUndone)
	_, inline, _ = s.cloud.IAMPolicies(Account, "user", userName)
	if inline["everything"] != adminDoc || inline["reports"] != narrow {
		t.Errorf("user %s inline policies after undo = %v, want everything restored as written", userName, inline)
	}
	tags, err := cl.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(userName)})
	if err != nil {
		t.Fatal(err)
	}
	exempt := ""
	for _, tg := range tags.Tags {
		if aws.ToString(tg.Key) == activities.TagExempt {
			exempt = aws.ToString(tg.Value)
		}
	}
	if exempt != policyIAMAdmin {
		t.Errorf("user %s tag %s = %q after undo, want %s", userName, activities.TagExempt, exempt, policyIAMAdmin)
	}
}

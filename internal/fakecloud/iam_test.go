package fakecloud

import (
	"context"
	"errors"
	"net/url"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

const (
	iamAdminARN = "arn:aws:iam::aws:policy/AdministratorAccess"
	iamAdminDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
)

func iamCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestIAMPrincipals(t *testing.T) {
	c, cfg := startCloud(t)
	tap := tapEvents(c)
	client := iam.NewFromConfig(cfg)
	ctx := context.Background()

	u, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/ops/"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(u.User.Arn) != "arn:aws:iam::123456789012:user/ops/alice" || aws.ToString(u.User.Path) != "/ops/" || len(aws.ToString(u.User.UserId)) != 21 {
		t.Fatalf("created user = %+v", u.User)
	}
	ev := tap.last(t, "CreateUser")
	if ev["awsRegion"] != "us-east-1" || ev["eventSource"] != "iam.amazonaws.com" {
		t.Fatalf("CreateUser event region/source = %v/%v", ev["awsRegion"], ev["eventSource"])
	}
	if req := ev["requestParameters"].(map[string]any); req["userName"] != "alice" || req["path"] != "/ops/" {
		t.Fatalf("CreateUser requestParameters = %v", req)
	}
	if resp := ev["responseElements"].(map[string]any)["user"].(map[string]any); resp["arn"] != "arn:aws:iam::123456789012:user/ops/alice" {
		t.Fatalf("CreateUser responseElements = %v", resp)
	}
	_, err = client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
	if iamCode(err) != "EntityAlreadyExists" {
		t.Fatalf("second user of the same name, other case: %v", err)
	}
	if ev := tap.last(t, "CreateUser"); ev["errorCode"] != "EntityAlreadyExists" {
		t.Fatalf("failed CreateUser is logged with errorCode, got %v", ev["errorCode"])
	}

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	r, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.PathUnescape(aws.ToString(r.Role.AssumeRolePolicyDocument)); doc != trust {
		t.Fatalf("GetRole trust policy = %q, decoded %q", aws.ToString(r.Role.AssumeRolePolicyDocument), doc)
	}
	_, err = client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String("{")})
	if iamCode(err) != "MalformedPolicyDocument" {
		t.Fatalf("CreateRole with a broken trust policy: %v", err)
	}
	if _, err := client.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("admins")}); err != nil {
		t.Fatal(err)
	}
	g, err := client.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("admins")})
	if err != nil || aws.ToString(g.Group.Arn) != "arn:aws:iam::123456789012:group/admins" {
		t.Fatalf("GetGroup = %+v, %v", g, err)
	}

	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"GetUser missing", func() error {
			_, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
			return err
		}, "NoSuchEntity"},
		{"GetUser other case", func() error {
			out, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Alice")})
			if err == nil && aws.ToString(out.User.UserName) != "alice" {
				t.Errorf("GetUser Alice = %s, want the name as created", aws.ToString(out.User.UserName))
			}
			return err
		}, ""},
		{"GetRole missing", func() error {
			_, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("nobody")})
			return err
		}, "NoSuchEntity"},
		{"CreateUser bad name", func() error {
			_, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("no spaces")})
			return err
		}, "ValidationError"},
		{"TagUser", func() error {
			_, err := client.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []iamtypes.Tag{{Key: aws.String("rectify:exempt"), Value: aws.String("all")}}})
			return err
		}, ""},
		{"ListUserTags", func() error {
			out, err := client.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")})
			if err == nil && len(out.Tags) != 2 {
				t.Errorf("ListUserTags = %d tags, want 2", len(out.Tags))
			}
			return err
		}, ""},
		{"UntagUser", func() error {
			_, err := client.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"team"}})
			return err
		}, ""},
		{"TagRole missing", func() error {
			_, err := client.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("nobody"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "NoSuchEntity"},
		{"DeleteGroup", func() error {
			_, err := client.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("admins")})
			return err
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := iamCode(tc.call()); got != tc.want {
				t.Fatalf("error code = %q, want %q", got, tc.want)
			}
		})
	}
	tags, err := client.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "rectify:exempt" {
		t.Fatalf("tags after untag = %+v, %v", tags, err)
	}
	if ev := tap.last(t, "TagUser"); ev["requestParameters"].(map[string]any)["tags"].([]any)[0].(map[string]any)["key"] != "rectify:exempt" {
		t.Fatalf("TagUser requestParameters = %v", ev["requestParameters"])
	}
}

func TestIAMManagedPolicies(t *testing.T) {
	c, cfg := startCloud(t)
	tap := tapEvents(c)
	client := iam.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"), AssumeRolePolicyDocument: aws.String(`{"Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	policies := []string{iamAdminARN, "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/service-role/AWSConfigRole"}
	for _, arn := range policies {
		if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ci"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	// Attaching again succeeds and changes nothing.
	if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ci"), PolicyArn: aws.String(iamAdminARN)}); err != nil {
		t.Fatal(err)
	}
	ev := tap.last(t, "AttachRolePolicy")
	if req := ev["requestParameters"].(map[string]any); req["roleName"] != "ci" || req["policyArn"] != iamAdminARN || ev["responseElements"] != nil {
		t.Fatalf("AttachRolePolicy event = %v / %v", req, ev["responseElements"])
	}

	// All pages, two at a time.
	var got []string
	pages := iam.NewListAttachedRolePoliciesPaginator(client, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("ci"), MaxItems: aws.Int32(2)})
	n := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n++
		for _, p := range page.AttachedPolicies {
			got = append(got, aws.ToString(p.PolicyArn))
			if aws.ToString(p.PolicyArn) == policies[2] && aws.ToString(p.PolicyName) != "AWSConfigRole" {
				t.Errorf("policy name of %s = %s", policies[2], aws.ToString(p.PolicyName))
			}
		}
	}
	if n != 2 || !slices.Equal(got, policies) {
		t.Fatalf("%d pages: %v, want 2 pages of %v", n, got, policies)
	}

	cases := []struct {
		name, arn string
		attach    bool
		want      string
	}{
		{"detach admin", iamAdminARN, false, ""},
		{"detach again", iamAdminARN, false, "NoSuchEntity"},
		{"attach customer policy that does not exist", "arn:aws:iam::123456789012:policy/mine", true, "NoSuchEntity"},
		{"attach a malformed ARN", "AdministratorAccess", true, "InvalidInput"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.attach {
				_, err = client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ci"), PolicyArn: aws.String(tc.arn)})
			} else {
				_, err = client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("ci"), PolicyArn: aws.String(tc.arn)})
			}
			if got := iamCode(err); got != tc.want {
				t.Fatalf("error code = %q, want %q", got, tc.want)
			}
			name := "DetachRolePolicy"
			if tc.attach {
				name = "AttachRolePolicy"
			}
			if ev := tap.last(t, name); ev["requestParameters"].(map[string]any)["policyArn"] != tc.arn || (tc.want != "" && ev["errorCode"] != tc.want) {
				t.Fatalf("%s event = %v, errorCode %v", name, ev["requestParameters"], ev["errorCode"])
			}
		})
	}
	if managed, _, _ := c.IAMPolicies(DefaultAccount, "role", "ci"); slices.Contains(managed, iamAdminARN) || len(managed) != 2 {
		t.Fatalf("attached after detach = %v", managed)
	}
	_, err := client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("ci")})
	if iamCode(err) != "DeleteConflict" {
		t.Fatalf("DeleteRole with policies attached: %v", err)
	}
	for _, kind := range []string{"user", "group"} {
		if err := c.SeedIAM(DefaultAccount, kind, "p-"+kind, []string{iamAdminARN}, nil); err != nil {
			t.Fatal(err)
		}
	}
	gu, err := client.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("p-user")})
	if err != nil || len(gu.AttachedPolicies) != 1 || gu.IsTruncated {
		t.Fatalf("ListAttachedUserPolicies = %+v, %v", gu, err)
	}
	if _, err := client.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("p-group"), PolicyArn: aws.String(iamAdminARN)}); err != nil {
		t.Fatal(err)
	}
	gg, err := client.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("p-group")})
	if err != nil || len(gg.AttachedPolicies) != 0 {
		t.Fatalf("ListAttachedGroupPolicies after detach = %+v, %v", gg, err)
	}
}

func TestIAMInlinePolicies(t *testing.T) {
	c, cfg := startCloud(t)
	tap := tapEvents(c)
	client := iam.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`
	for _, name := range []string{"zeta", "all", "b+c"} {
		if _, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	if req := tap.last(t, "PutUserPolicy")["requestParameters"].(map[string]any); req["policyDocument"] != doc || req["policyName"] != "b+c" || req["userName"] != "bob" {
		t.Fatalf("PutUserPolicy requestParameters = %v", req)
	}
	var names []string
	pages := iam.NewListUserPoliciesPaginator(client, &iam.ListUserPoliciesInput{UserName: aws.String("bob"), MaxItems: aws.Int32(1)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, page.PolicyNames...)
	}
	if !slices.Equal(names, []string{"all", "b+c", "zeta"}) {
		t.Fatalf("ListUserPolicies = %v", names)
	}
	out, err := client.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("all")})
	if err != nil {
		t.Fatal(err)
	}
	// URL-encoded as IAM returns it; the space is %20, not +.
	raw := aws.ToString(out.PolicyDocument)
	if raw == doc || slices.Contains([]byte(raw), ' ') || slices.Contains([]byte(raw), '+') {
		t.Fatalf("GetUserPolicy document is not URL-encoded: %q", raw)
	}
	if decoded, err := url.PathUnescape(raw); err != nil || decoded != doc || aws.ToString(out.UserName) != "bob" || aws.ToString(out.PolicyName) != "all" {
		t.Fatalf("GetUserPolicy = %q (%v) for %s/%s", decoded, err, aws.ToString(out.UserName), aws.ToString(out.PolicyName))
	}

	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"put malformed", func() error {
			_, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("x"), PolicyDocument: aws.String("not json")})
			return err
		}, "MalformedPolicyDocument"},
		{"put on missing user", func() error {
			_, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("x"), PolicyDocument: aws.String(iamAdminDoc)})
			return err
		}, "NoSuchEntity"},
		{"get missing policy", func() error {
			_, err := client.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("ALL")})
			return err
		}, "NoSuchEntity"},
		{"delete", func() error {
			_, err := client.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("all")})
			return err
		}, ""},
		{"delete again", func() error {
			_, err := client.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("all")})
			return err
		}, "NoSuchEntity"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := iamCode(tc.call()); got != tc.want {
				t.Fatalf("error code = %q, want %q", got, tc.want)
			}
		})
	}
	if ev := tap.last(t, "DeleteUserPolicy"); ev["errorCode"] != "NoSuchEntity" || ev["requestParameters"].(map[string]any)["policyName"] != "all" {
		t.Fatalf("failed DeleteUserPolicy event = %v", ev)
	}

	// Roles and groups take the same calls.
	if err := c.SeedIAM(DefaultAccount, "role", "r", nil, map[string]string{"admin": iamAdminDoc}); err != nil {
		t.Fatal(err)
	}
	rp, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("admin")})
	if err != nil || aws.ToString(rp.RoleName) != "r" {
		t.Fatalf("GetRolePolicy = %+v, %v", rp, err)
	}
	if _, err := client.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("p"), PolicyDocument: aws.String(iamAdminDoc)}); err != nil {
		t.Fatal(err)
	}
	gp, err := client.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("g")})
	if err != nil || !slices.Equal(gp.PolicyNames, []string{"p"}) {
		t.Fatalf("ListGroupPolicies = %+v, %v", gp, err)
	}
}

func TestIAMListPrincipals(t *testing.T) {
	c, cfg := startCloud(t)
	client := iam.NewFromConfig(cfg)
	ctx := context.Background()
	for _, n := range []string{"c", "a", "b"} {
		if err := c.SeedIAM(DefaultAccount, "role", n, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.SeedIAM("999999999999", "role", "other-account", nil, nil); err != nil {
		t.Fatal(err)
	}
	var names []string
	pages := iam.NewListRolesPaginator(client, &iam.ListRolesInput{MaxItems: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	if !slices.Equal(names, []string{"a", "b", "c"}) {
		t.Fatalf("ListRoles = %v", names)
	}
	_, err := client.ListRoles(ctx, &iam.ListRolesInput{Marker: aws.String("garbage")})
	if iamCode(err) != "InvalidInput" {
		t.Fatalf("ListRoles with a bad marker: %v", err)
	}
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	users, err := client.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil || len(users.Users) != 1 || aws.ToString(users.Users[0].UserName) != "u" {
		t.Fatalf("ListUsers = %+v, %v", users, err)
	}
	groups, err := client.ListGroups(ctx, &iam.ListGroupsInput{})
	if err != nil || len(groups.Groups) != 0 {
		t.Fatalf("ListGroups = %+v, %v", groups, err)
	}
}

func TestIAMSeedFile(t *testing.T) {
	path := t.TempDir() + "/seed.yaml"
	yaml := `accounts:
  - id: "123456789012"
    iam:
      - kind: role
        name: deploy
        managed_policy_arns: [arn:aws:iam::aws:policy/AdministratorAccess]
      - kind: user
        name: ops
        inline_policies:
          everything: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	seed, err := LoadSeedFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, cfg := startCloud(t)
	if err := c.Apply(seed); err != nil {
		t.Fatal(err)
	}
	client := iam.NewFromConfig(cfg)
	ctx := context.Background()
	out, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("deploy")})
	if err != nil || len(out.AttachedPolicies) != 1 || aws.ToString(out.AttachedPolicies[0].PolicyArn) != iamAdminARN {
		t.Fatalf("seeded role policies = %+v, %v", out, err)
	}
	names, err := client.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("ops")})
	if err != nil || !slices.Equal(names.PolicyNames, []string{"everything"}) {
		t.Fatalf("seeded user policies = %+v, %v", names, err)
	}
	bad := Seed{Accounts: []AccountSeed{{ID: "123456789012", IAM: []IAMSeed{{Kind: "robot", Name: "x"}}}}}
	if err := c.Apply(bad); err == nil {
		t.Fatal("a seed of kind robot applied")
	}
}

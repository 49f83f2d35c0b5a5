package deploy

import (
	"cmp"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/internal/service/cloudtrail"
	"github.com/rectifyhq/rectify/internal/service/cloudwatch"
	"github.com/rectifyhq/rectify/internal/service/configservice"
	"github.com/rectifyhq/rectify/internal/service/ec2"
	"github.com/rectifyhq/rectify/internal/service/ecr"
	"github.com/rectifyhq/rectify/internal/service/guardduty"
	"github.com/rectifyhq/rectify/internal/service/iam"
	"github.com/rectifyhq/rectify/internal/service/kms"
	"github.com/rectifyhq/rectify/internal/service/lambda"
	"github.com/rectifyhq/rectify/internal/service/rds"
	"github.com/rectifyhq/rectify/internal/service/s3"
	"github.com/rectifyhq/rectify/internal/service/sns"
	"github.com/rectifyhq/rectify/internal/service/sqs"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"sigs.k8s.io/yaml"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/events"
)

const (
	rootModule   = "terraform"
	memberModule = "terraform/modules/member-role"
	exampleBasic = "terraform/examples/basic"

	testOIDC       = "arn:aws:iam::" + testAccount + ":oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	testOIDCIssuer = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	testWorkerRole = "arn:aws:iam::" + testAccount + ":role/rectify-worker"
	testExternalID = "rectify-test-external-id"
	testKMSKey     = "arn:aws:kms:us-east-1:" + testAccount + ":key/00000000-0000-0000-0000-000000000000"
	testConfigSNS  = "arn:aws:sns:us-east-1:" + testAccount + ":config-topic"
)

// rootInputs are the root module's required settings plus overrides: the
// roles must trust someone, so IRSA is on unless an override says otherwise.
func rootInputs(overrides map[string]cty.Value) map[string]cty.Value {
	in := map[string]cty.Value{"oidc_provider_arn": cty.StringVal(testOIDC)}
	maps.Copy(in, overrides)
	return in
}

func memberInputs(overrides map[string]cty.Value) map[string]cty.Value {
	in := map[string]cty.Value{"worker_role_arn": cty.StringVal(testWorkerRole), "external_id": cty.StringVal(testExternalID)}
	maps.Copy(in, overrides)
	return in
}

func strs(ss ...string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

// rolePolicies returns the policies attached to a role, and fails on any
// way of attaching one this test does not read (managed policies,
// inline_policy blocks), so nothing can be granted behind its back.
func rolePolicies(t *testing.T, e *tfEval, roleAddr string) (trust iamPolicy, policies []iamPolicy) {
	t.Helper()
	role := e.one(roleAddr)
	for _, arg := range []string{"managed_policy_arns", "inline_policy"} {
		if v, ok := role.attrs[arg]; ok && !v.IsNull() {
			t.Errorf("%s sets %s: attach policies with aws_iam_role_policy so this test can read them", roleAddr, arg)
		}
	}
	trust = parsePolicy(t, roleAddr+" assume_role_policy", role.str(t, "assume_role_policy"))
	roleRefs := []string{role.get(t, "id"), role.get(t, "name")}
	for _, typ := range []string{"aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_role_policy_attachments_exclusive"} {
		for _, inst := range e.ofType(typ) {
			t.Errorf("%s attaches a managed policy; grant through aws_iam_role_policy so the least-privilege test reads it", inst.addr)
		}
	}
	for _, inst := range e.ofType("aws_iam_role_policy") {
		if slices.Contains(roleRefs, inst.str(t, "role")) {
			policies = append(policies, parsePolicy(t, inst.addr, inst.str(t, "policy")))
		}
	}
	if len(policies) == 0 {
		t.Fatalf("%s has no aws_iam_role_policy", roleAddr)
	}
	return trust, policies
}

// noResourceLevel are the actions AWS supports no resource-level
// permissions for (no resource type in their row of the Service
// Authorization Reference, list_amazonec2.html, list_amazons3.html,
// list_awskeymanagementservice.html, list_awscloudtrail.html,
// list_awsidentityandaccessmanagementiam.html, list_amazonguardduty.html): only these may be granted
// on "*".
var noResourceLevel = []string{"ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups", "s3:ListAllMyBuckets", "kms:ListKeys", "cloudtrail:DescribeTrails",
	"ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "ec2:DisableEbsEncryptionByDefault",
	"ec2:DescribeSnapshots", "ec2:DescribeSubnets", "ec2:DescribeInstances", "ec2:DescribeVpcs", "ec2:DescribeFlowLogs",
	"logs:CreateLogDelivery", "logs:DeleteLogDelivery",
	"iam:ListGroups", "iam:ListRoles", "iam:ListUsers", "sqs:ListQueues", "sns:ListTopics", "lambda:ListFunctions",
	"iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy",
	"guardduty:ListDetectors", "guardduty:CreateDetector",
	// list_awsconfig.html: a delivery channel has no ARN. The recorder
	// calls are granted on * as well: the recorder config_start_recorder
	// creates has an ARN carrying an id Config assigns, so no policy can
	// name it in advance, and one recorder per region leaves nothing to
	// scope between.
	"config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus", "config:PutConfigurationRecorder",
	"config:StartConfigurationRecorder", "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder",
	"config:DescribeDeliveryChannels", "config:PutDeliveryChannel", "config:DeleteDeliveryChannel",
	// list_amazoncloudwatch.html: DescribeAlarmsForMetric has no resource type.
	"cloudwatch:DescribeAlarmsForMetric"}

// The member role grants exactly the union of the kind registry (internal/service): an
// action the code needs and the role lacks fails in production with
// AccessDenied; one the role has and the code does not need is privilege
// nobody can justify.
func TestMemberRoleGrantsExactlyWhatTheCodeCalls(t *testing.T) {
	for _, tc := range []struct {
		name    string
		regions []string
	}{
		{"all regions", nil},
		{"two regions", []string{"us-east-1", "eu-west-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := memberInputs(nil)
			regions := []string{"*"}
			if tc.regions != nil {
				in["regions"] = strs(tc.regions...)
				regions = tc.regions
			}
			e := evalModule(t, memberModule, in)
			_, policies := rolePolicies(t, e, "aws_iam_role.this")

			missing, extra := diff(activities.MemberPermissions(), actions(policies...))
			if len(missing) > 0 {
				t.Errorf("the member role lacks actions the code calls (activities.MemberPermissions: the kind registry and findings): %v", missing)
			}
			if len(extra) > 0 {
				t.Errorf("the member role grants actions no code calls (not in activities.MemberPermissions): %v", extra)
			}

			for _, p := range policies {
				for _, s := range p.Statement {
					if s.Effect != "Allow" {
						continue
					}
					for _, a := range s.Action {
						if strings.Contains(a, "*") {
							t.Errorf("statement %s: wildcard action %q", s.Sid, a)
						}
					}
				}
				for _, g := range p.grants() {
					checkScope(t, g, regions)
				}
			}
		})
	}
}

// checkScope: "*" only where AWS offers nothing narrower; otherwise the
// resource is in the action's service and in this account (an S3 bucket
// ARN names no account, so the statement must condition on
// aws:ResourceAccount), and in the given regions.
func checkScope(t *testing.T, g grant, regions []string) {
	t.Helper()
	at := g.stmt.Sid + ": " + g.action + " on " + g.resource
	if g.resource == "*" {
		if !slices.Contains(noResourceLevel, g.action) {
			t.Errorf("%s: * where AWS supports resource-level permissions", at)
		}
		return
	}
	if slices.Contains(noResourceLevel, g.action) {
		t.Errorf("%s: AWS evaluates this action on * only; a narrower resource never matches", at)
	}
	parts := strings.SplitN(g.resource, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" {
		t.Errorf("%s: not an ARN in partition aws", at)
		return
	}
	service, _, _ := strings.Cut(g.action, ":")
	if parts[2] != service {
		t.Errorf("%s: resource of service %s", at, parts[2])
	}
	switch {
	case service == "ec2" && parts[4] == "" && strings.HasPrefix(parts[5], "snapshot/"):
		// EBS snapshot ARNs name no account either.
		if got := g.stmt.Condition["StringEquals"]["aws:ResourceAccount"]; !slices.Equal(got, []string{testAccount}) {
			t.Errorf("%s: snapshot ARNs name no account; want condition StringEquals aws:ResourceAccount = %s, got %v", at, testAccount, got)
		}
		if !slices.Contains(regions, parts[3]) {
			t.Errorf("%s: region %q not in %v", at, parts[3], regions)
		}
	case service == "s3":
		if got := g.stmt.Condition["StringEquals"]["aws:ResourceAccount"]; !slices.Equal(got, []string{testAccount}) {
			t.Errorf("%s: S3 ARNs name no account; want condition StringEquals aws:ResourceAccount = %s, got %v", at, testAccount, got)
		}
	case service == "iam":
		// IAM is global: its ARNs name the account and no region.
		if parts[4] != testAccount || parts[3] != "" {
			t.Errorf("%s: want this account and no region", at)
		}
	default:
		if parts[4] != testAccount {
			t.Errorf("%s: resource in account %q, want this account", at, parts[4])
		}
		if !slices.Contains(regions, parts[3]) {
			t.Errorf("%s: region %q not in %v", at, parts[3], regions)
		}
	}
}

// The narrower grants, resource by resource: security groups for ingress
// changes, only the exemption tag keys, the account's own default product
// and hub for findings.
func TestMemberRoleConditions(t *testing.T) {
	e := evalModule(t, memberModule, memberInputs(nil))
	_, policies := rolePolicies(t, e, "aws_iam_role.this")
	byAction := map[string][]grant{}
	for _, p := range policies {
		for _, g := range p.grants() {
			byAction[g.action] = append(byAction[g.action], g)
		}
	}
	resources := func(action string) []string {
		var out []string
		for _, g := range byAction[action] {
			out = append(out, g.resource)
		}
		slices.Sort(out)
		return out
	}
	// Both are authorized on the group; Authorize's optional
	// security-group-rule type counts only when the new rule is tagged,
	// which rectify never does.
	sg := "arn:aws:ec2:*:" + testAccount + ":security-group/*"
	for _, a := range []string{"ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress"} {
		if got := resources(a); !slices.Equal(got, []string{sg}) {
			t.Errorf("%s on %v, want only the account's security groups %s", a, got, sg)
		}
	}
	snapshots := "arn:aws:ec2:*::snapshot/*"
	subnets := "arn:aws:ec2:*:" + testAccount + ":subnet/*"
	instances := "arn:aws:ec2:*:" + testAccount + ":instance/*"
	vpcs := "arn:aws:ec2:*:" + testAccount + ":vpc/*"
	flowLogs := "arn:aws:ec2:*:" + testAccount + ":vpc-flow-log/*"
	if got, want := resources("ec2:CreateTags"), slices.Sorted(slices.Values([]string{sg, snapshots, subnets, instances, vpcs, flowLogs})); !slices.Equal(got, want) {
		t.Errorf("ec2:CreateTags on %v, want only %v", got, want)
	}
	for _, g := range byAction["ec2:CreateTags"] {
		keys := g.stmt.Condition["ForAllValues:StringEquals"]["aws:TagKeys"]
		want := []string{activities.TagExempt, activities.TagExemptUntil}
		if g.resource == flowLogs {
			// ec2_create_flow_logs tags the flow log it creates, and only
			// within CreateFlowLogs.
			want = []string{"rectify:created-by"}
			if got := g.stmt.Condition["StringEquals"]["ec2:CreateAction"]; !slices.Equal(got, []string{"CreateFlowLogs"}) {
				t.Errorf("ec2:CreateTags on flow logs: condition StringEquals ec2:CreateAction = %v, want CreateFlowLogs", got)
			}
		}
		if !slices.Equal(slices.Sorted(slices.Values(keys)), slices.Sorted(slices.Values(want))) {
			t.Errorf("ec2:CreateTags: condition ForAllValues:StringEquals aws:TagKeys = %v, want exactly the exemption tags %v", keys, want)
		}
	}
	product := activities.ProductARN("*", testAccount)
	if got := resources("securityhub:BatchImportFindings"); !slices.Equal(got, []string{product}) {
		t.Errorf("securityhub:BatchImportFindings on %v, want the account's default product %s (activities.ProductARN)", got, product)
	}
	if got := resources("securityhub:BatchUpdateFindings"); !slices.Equal(got, []string{"arn:aws:securityhub:*:" + testAccount + ":hub/default"}) {
		t.Errorf("securityhub:BatchUpdateFindings on %v, want the account's hub", got)
	}
}

// conditionKeys are the condition keys the Service Authorization Reference
// lists for each action the roles' permission policies condition (the
// action's row, or its resource type's), as far as rectify uses them. An
// Allow conditioned on a key the action does not set never matches, and
// the call fails in production with AccessDenied; a new conditioned action
// must be looked up there and added here.
var conditionKeys = map[string][]string{
	"ec2:CreateTags":              {"aws:RequestTag/${TagKey}", "aws:TagKeys", "ec2:CreateAction"},
	"kms:TagResource":             {"aws:RequestTag/${TagKey}", "aws:TagKeys", "kms:CallerAccount", "kms:ViaService"},
	"kms:Decrypt":                 {"kms:CallerAccount", "kms:EncryptionContextKeys", "kms:ViaService"},
	"kms:GenerateDataKey":         {"kms:CallerAccount", "kms:EncryptionContextKeys", "kms:ViaService"},
	"cloudtrail:AddTags":          {"aws:RequestTag/${TagKey}", "aws:TagKeys"},
	"rds:AddTagsToResource":       {"aws:RequestTag/${TagKey}", "aws:TagKeys", "rds:req-tag/${TagKey}"},
	"iam:TagRole":                 {"aws:RequestTag/${TagKey}", "aws:TagKeys"},
	"sqs:TagQueue":                {"aws:RequestTag/${TagKey}", "aws:TagKeys"},
	"sns:TagResource":             {"aws:RequestTag/${TagKey}", "aws:TagKeys"},
	"ecr:TagResource":             {"aws:RequestTag/${TagKey}", "aws:TagKeys"},
	"lambda:TagResource":          {"aws:RequestTag/${TagKey}", "aws:TagKeys"},
	"iam:TagUser":                 {"aws:RequestTag/${TagKey}", "aws:TagKeys"},
	"iam:AttachGroupPolicy":       {"iam:PolicyARN"},
	"iam:AttachRolePolicy":        {"iam:PermissionsBoundary", "iam:PolicyARN"},
	"iam:AttachUserPolicy":        {"iam:PermissionsBoundary", "iam:PolicyARN"},
	"iam:DetachGroupPolicy":       {"iam:PolicyARN"},
	"iam:DetachRolePolicy":        {"iam:PermissionsBoundary", "iam:PolicyARN"},
	"iam:DetachUserPolicy":        {"iam:PermissionsBoundary", "iam:PolicyARN"},
	"iam:CreateServiceLinkedRole": {"iam:AWSServiceName"},
	"iam:PassRole":                {"iam:AssociatedResourceArn", "iam:PassedToService"},
}

// globalResourceKeys are global condition keys AWS sets from the resource
// of any request to a service that supports them (IAM User Guide,
// reference_policies_condition-keys.html): the ones rectify's roles use.
var globalResourceKeys = []string{"aws:ResourceAccount", "aws:ResourceOrgID"}

// Every condition in the permission policies is on a key the action sets.
func TestRoleConditionKeysApply(t *testing.T) {
	root := evalModule(t, rootModule, rootInputs(map[string]cty.Value{
		"kms_key_arn":     cty.StringVal(testKMSKey),
		"organization_id": cty.StringVal("o-abc123"),
	}))
	for _, tc := range []struct {
		role string
		e    *tfEval
	}{
		{"aws_iam_role.this", evalModule(t, memberModule, memberInputs(nil))},
		{"aws_iam_role.starter", root},
		{"aws_iam_role.worker", root},
	} {
		_, policies := rolePolicies(t, tc.e, tc.role)
		for _, p := range policies {
			for _, s := range p.Statement {
				if s.Effect != "Allow" {
					continue
				}
				for op, keys := range s.Condition {
					for key := range keys {
						if slices.Contains(globalResourceKeys, key) {
							continue
						}
						for _, a := range s.Action {
							if !slices.Contains(conditionKeys[a], key) {
								t.Errorf("%s %s: %s %s on %s, a key the Service Authorization Reference does not list for it: the statement never matches", tc.role, s.Sid, op, key, a)
							}
						}
					}
				}
			}
		}
	}
}

// The member role trusts the worker role and nothing else, and only with
// the external ID.
func TestMemberRoleTrustsOnlyTheWorker(t *testing.T) {
	e := evalModule(t, memberModule, memberInputs(nil))
	trust, _ := rolePolicies(t, e, "aws_iam_role.this")
	if len(trust.Statement) != 1 {
		t.Fatalf("trust policy has %d statements, want 1", len(trust.Statement))
	}
	s := trust.Statement[0]
	if s.Effect != "Allow" || !slices.Equal(s.Action, []string{"sts:AssumeRole"}) {
		t.Errorf("trust: %s %v, want Allow sts:AssumeRole", s.Effect, s.Action)
	}
	if p := s.Principal; p == nil || p.Any || len(p.Service) > 0 || len(p.Federated) > 0 || !slices.Equal(p.AWS, []string{testWorkerRole}) {
		t.Errorf("trust principal %+v, want only the worker role %s", s.Principal, testWorkerRole)
	}
	if len(s.Condition) != 1 || !slices.Equal(s.Condition["StringEquals"]["sts:ExternalId"], []string{testExternalID}) || len(s.Condition["StringEquals"]) != 1 {
		t.Errorf("trust condition %v, want exactly StringEquals sts:ExternalId = %s", s.Condition, testExternalID)
	}
	if got := e.one("aws_iam_role.this").attrs["max_session_duration"]; got.IsNull() {
		t.Error("max_session_duration not set")
	}
}

// starterSQSCalls reads, from the starter's source, the SQS operations the
// consumer calls (c.SQS.<Operation>): the starter role must grant exactly
// these. `rectify dlq` (starter/dlq.go) is an operator's tool with the
// operator's credentials and takes its client as an argument, so it is not
// counted.
func starterSQSCalls(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "starter", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "SQS" {
					if a := "sqs:" + sel.Sel.Name; !slices.Contains(ops, a) {
						ops = append(ops, a)
					}
				}
			}
			return true
		})
	}
	slices.Sort(ops)
	if len(ops) == 0 {
		t.Fatal("found no c.SQS.<Operation> calls in starter/: has the consumer's client field been renamed?")
	}
	return ops
}

// The starter role reads the event queue and the DLQ's depth, and nothing
// else in AWS; with a KMS key, it may decrypt through SQS only.
func TestStarterRoleOnlyConsumesTheQueue(t *testing.T) {
	calls := starterSQSCalls(t)
	for _, tc := range []struct {
		name string
		in   map[string]cty.Value
		kms  bool
	}{
		{"SSE-SQS", nil, false},
		{"KMS", map[string]cty.Value{"kms_key_arn": cty.StringVal(testKMSKey)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := evalModule(t, rootModule, rootInputs(tc.in))
			_, policies := rolePolicies(t, e, "aws_iam_role.starter")
			queue, dlq := e.one("aws_sqs_queue.events").get(t, "arn"), e.one("aws_sqs_queue.dlq").get(t, "arn")
			onQueue, onDLQ := []string{}, []string{}
			var kms []grant
			for _, p := range policies {
				for _, g := range p.grants() {
					switch {
					case g.resource == queue:
						onQueue = append(onQueue, g.action)
					case g.resource == dlq:
						onDLQ = append(onDLQ, g.action)
					case g.action == "kms:Decrypt" && g.resource == testKMSKey:
						kms = append(kms, g)
					default:
						t.Errorf("starter role grants %s on %s: only the event queue, its DLQ (and the queue's KMS key) are allowed", g.action, g.resource)
					}
				}
			}
			slices.Sort(onQueue)
			if missing, extra := diff(calls, onQueue); len(missing)+len(extra) > 0 {
				t.Errorf("on the event queue the starter calls %v (starter/*.go); the role lacks %v and has extra %v", calls, missing, extra)
			}
			if !slices.Equal(onDLQ, []string{"sqs:GetQueueAttributes"}) {
				t.Errorf("on the DLQ the starter role grants %v, want only sqs:GetQueueAttributes (rectify_dlq_depth)", onDLQ)
			}
			if tc.kms != (len(kms) == 1) {
				t.Errorf("kms:Decrypt grants %d, want %v", len(kms), tc.kms)
			}
			for _, g := range kms {
				if got := g.stmt.Condition["StringEquals"]["kms:ViaService"]; !slices.Equal(got, []string{"sqs.us-east-1.amazonaws.com"}) {
					t.Errorf("kms:Decrypt condition kms:ViaService = %v, want sqs.us-east-1.amazonaws.com", got)
				}
			}
		})
	}
}

// The worker role may only become the member role.
func TestWorkerRoleOnlyAssumesTheMemberRole(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        map[string]cty.Value
		resources []string
		orgID     string
		kms       bool
	}{
		{"any account", nil, []string{"arn:aws:iam::*:role/rectify-remediation"}, "", false},
		{"listed accounts", map[string]cty.Value{"member_account_ids": strs("222222222222", "333333333333")},
			[]string{"arn:aws:iam::222222222222:role/rectify-remediation", "arn:aws:iam::333333333333:role/rectify-remediation"}, "", false},
		{"organization and path", map[string]cty.Value{"organization_id": cty.StringVal("o-abc123"), "member_role_path": cty.StringVal("/security/")},
			[]string{"arn:aws:iam::*:role/security/rectify-remediation"}, "o-abc123", false},
		{"KMS", map[string]cty.Value{"kms_key_arn": cty.StringVal(testKMSKey)}, []string{"arn:aws:iam::*:role/rectify-remediation"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := evalModule(t, rootModule, rootInputs(tc.in))
			_, policies := rolePolicies(t, e, "aws_iam_role.worker")
			wantActions := []string{"sqs:SendMessage", "sts:AssumeRole"}
			if tc.kms {
				wantActions = []string{"kms:Decrypt", "kms:GenerateDataKey", "sqs:SendMessage", "sts:AssumeRole"}
			}
			if got := actions(policies...); !slices.Equal(got, wantActions) {
				t.Errorf("worker role grants %v, want only %v", got, wantActions)
			}
			dlq := e.one("aws_sqs_queue.dlq").get(t, "arn")
			var resources []string
			for _, p := range policies {
				for _, g := range p.grants() {
					switch g.action {
					case "sqs:SendMessage":
						// Only the trigger of an evaluation that gave up,
						// to the dead-letter queue (activities/requeue.go).
						if g.resource != dlq {
							t.Errorf("worker role grants sqs:SendMessage on %s, want only the DLQ %s", g.resource, dlq)
						}
						continue
					case "kms:Decrypt", "kms:GenerateDataKey":
						if via := g.stmt.Condition["StringEquals"]["kms:ViaService"]; g.resource != testKMSKey || !slices.Equal(via, []string{"sqs.us-east-1.amazonaws.com"}) {
							t.Errorf("worker role grants %s on %s via %v, want the queue key through SQS only", g.action, g.resource, via)
						}
						continue
					}
					resources = append(resources, g.resource)
					got := g.stmt.Condition["StringEquals"]["aws:ResourceOrgID"]
					if (tc.orgID == "") != (len(got) == 0) || (tc.orgID != "" && !slices.Equal(got, []string{tc.orgID})) {
						t.Errorf("aws:ResourceOrgID condition %v, want %q", got, tc.orgID)
					}
				}
			}
			if !slices.Equal(resources, tc.resources) {
				t.Errorf("worker may assume %v, want %v", resources, tc.resources)
			}
			// rectify.yaml's template and the loop-prevention glob name the same role.
			var cfg struct {
				AWS struct {
					AssumeRole string `json:"assume_role"`
				} `json:"aws"`
				RemediationRoles []string `json:"remediation_roles"`
			}
			fromCty(t, e.outputs["rectify_config"], &cfg)
			wantTemplate := strings.Replace(strings.Replace(tc.resources[0], "222222222222", "{account}", 1), "*", "{account}", 1)
			if cfg.AWS.AssumeRole != wantTemplate {
				t.Errorf("rectify_config aws.assume_role = %q, want %q", cfg.AWS.AssumeRole, wantTemplate)
			}
			if len(cfg.RemediationRoles) != 1 || strings.Replace(cfg.RemediationRoles[0], "*", "{account}", 1) != wantTemplate {
				t.Errorf("rectify_config remediation_roles = %v, want the member role in any account", cfg.RemediationRoles)
			}
		})
	}
}

// The starter and worker roles trust their own Kubernetes service account
// (IRSA) and the principals listed for them, nothing else; with neither,
// the plan fails instead of creating a role nobody can use.
func TestServiceRolesTrust(t *testing.T) {
	e := evalModule(t, rootModule, rootInputs(map[string]cty.Value{
		"starter_trusted_principal_arns": strs("arn:aws:iam::" + testAccount + ":role/ecs-starter"),
	}))
	for _, duty := range []string{"starter", "worker"} {
		trust, _ := rolePolicies(t, e, "aws_iam_role."+duty)
		var irsa, principals int
		for _, s := range trust.Statement {
			switch {
			case s.Principal != nil && slices.Equal(s.Principal.Federated, []string{testOIDC}):
				irsa++
				if !slices.Equal(s.Action, []string{"sts:AssumeRoleWithWebIdentity"}) {
					t.Errorf("%s IRSA statement action %v", duty, s.Action)
				}
				eq := s.Condition["StringEquals"]
				if got := eq[testOIDCIssuer+":sub"]; !slices.Equal(got, []string{"system:serviceaccount:rectify:rectify-" + duty}) {
					t.Errorf("%s IRSA sub = %v, want the %s service account in namespace rectify", duty, got, duty)
				}
				if got := eq[testOIDCIssuer+":aud"]; !slices.Equal(got, []string{"sts.amazonaws.com"}) {
					t.Errorf("%s IRSA aud = %v", duty, got)
				}
			case s.Principal != nil && len(s.Principal.AWS) > 0:
				principals++
				if duty != "starter" || !slices.Equal(s.Principal.AWS, []string{"arn:aws:iam::" + testAccount + ":role/ecs-starter"}) {
					t.Errorf("%s trusts %v", duty, s.Principal.AWS)
				}
			default:
				t.Errorf("%s trust statement %+v trusts something unexpected", duty, s)
			}
		}
		if irsa != 1 || principals != map[string]int{"starter": 1, "worker": 0}[duty] {
			t.Errorf("%s: %d IRSA and %d principal statements", duty, irsa, principals)
		}
	}

	bare := newEval(t, loadModule(t, rootModule), nil)
	if len(bare.failures) != 2 || !strings.Contains(strings.Join(bare.failures, "\n"), "trusts no one") {
		t.Errorf("without IRSA or principals, want both roles' preconditions to fail, got %v", bare.failures)
	}
}

// cloudTrailSourceTypes is what each CloudTrail event source's calls name,
// by the parser's extractors (internal/events/ec2.go, s3.go, iam.go).
var cloudTrailSourceTypes = map[string][]string{
	"ec2.amazonaws.com": {ec2.TypeSecurityGroup, ec2.TypeEBSEncryptionByDefault},
	"s3.amazonaws.com":  {s3.TypeBucket},
	"iam.amazonaws.com": {iam.TypeUser, iam.TypeRole, iam.TypeGroup},
	// internal/events/kms.go, trails.go.
	"kms.amazonaws.com":        {kms.TypeKey},
	"cloudtrail.amazonaws.com": {cloudtrail.TypeTrail},
	// internal/events/rds.go.
	"rds.amazonaws.com": {rds.TypeInstance},
	// internal/service/sqs.
	"sqs.amazonaws.com":       {sqs.TypeQueue},
	"sns.amazonaws.com":       {sns.TypeTopic},
	"ecr.amazonaws.com":       {ecr.TypeRepository},
	"lambda.amazonaws.com":    {lambda.TypeFunction},
	"guardduty.amazonaws.com": {guardduty.TypeDetector},
	"config.amazonaws.com":    {configservice.TypeRecorder},
	// internal/service/cloudwatch.
	"logs.amazonaws.com":       {cloudwatch.TypeMonitoring},
	"monitoring.amazonaws.com": {cloudwatch.TypeMonitoring},
}

// busSources are the EventBridge sources of CloudTrail event sources not
// named aws.<service>: CloudWatch's API is monitoring.amazonaws.com.
var busSources = map[string]string{"aws.cloudwatch": "monitoring.amazonaws.com"}

// The CloudTrail rules forward exactly the calls the parser reacts to, and
// by default the services whose resources the worker reads live.
func TestCloudTrailRulesMatchTheParser(t *testing.T) {
	parser := service.Registry.CloudTrailEventNames()
	e := evalModule(t, rootModule, rootInputs(map[string]cty.Value{"cloudtrail_sources": strs("ec2", "s3", "iam", "kms", "cloudtrail", "rds", "sqs", "sns", "ecr", "lambda", "guardduty", "config", "logs", "cloudwatch")}))
	var local map[string][]string
	e.local("cloudtrail_event_names", &local)
	for _, src := range slices.Sorted(maps.Keys(parser)) {
		if _, ok := cloudTrailSourceTypes[src]; !ok {
			t.Errorf("the parser handles %s: add it to cloudTrailSourceTypes and to the module", src)
		}
		if missing, extra := diff(parser[src], local[src]); len(missing)+len(extra) > 0 {
			t.Errorf("local.cloudtrail_event_names[%s] lacks %v and has extra %v (events.CloudTrailEventNames)", src, missing, extra)
		}
	}
	for src := range local {
		if _, ok := parser[src]; !ok {
			t.Errorf("local.cloudtrail_event_names has %s, which the parser does not handle", src)
		}
	}

	// EventBridge's default quota for a pattern is 2048 characters.
	for _, rule := range e.ofType("aws_cloudwatch_event_rule") {
		if n := len(rule.str(t, "event_pattern")); n > 2048 {
			t.Errorf("%s: event pattern of %d characters, over EventBridge's default 2048", rule.addr, n)
		}
	}
	rules := e.resource("aws_cloudwatch_event_rule.cloudtrail")
	if len(rules) != len(parser) {
		t.Errorf("%d CloudTrail rules with every source enabled, want one per parser source (%d)", len(rules), len(parser))
	}
	for _, rule := range rules {
		pattern := eventPattern(t, rule)
		bus := only(t, rule.addr+" source", pattern["source"])
		src := cmp.Or(busSources[bus], strings.TrimPrefix(bus, "aws.")+".amazonaws.com")
		if got := only(t, rule.addr+" detail-type", pattern["detail-type"]); got != "AWS API Call via CloudTrail" {
			t.Errorf("%s: detail-type %q", rule.addr, got)
		}
		detail, _ := pattern["detail"].(map[string]any)
		if got := only(t, rule.addr+" detail.eventSource", detail["eventSource"]); got != src {
			t.Errorf("%s: eventSource %q, want %q", rule.addr, got, src)
		}
		names := collectStrings(detail, "eventName")
		if missing, extra := diff(parser[src], names); len(missing)+len(extra) > 0 {
			t.Errorf("%s forwards %v: lacks %v the parser reacts to, has %v it ignores", rule.addr, names, missing, extra)
		}
	}

	// By default: exactly the sources whose resource types are read live
	// (service.Registry.LiveTypes()); the starter counts the others as unsupported.
	var defaults []string
	for src, types := range cloudTrailSourceTypes {
		if slices.ContainsFunc(types, func(typ string) bool { return slices.Contains(service.Registry.LiveTypes(), typ) }) {
			defaults = append(defaults, strings.TrimSuffix(src, ".amazonaws.com"))
		}
	}
	slices.Sort(defaults)
	d := evalModule(t, rootModule, rootInputs(nil))
	var got []string
	for _, rule := range d.resource("aws_cloudwatch_event_rule.cloudtrail") {
		bus := only(t, "source", eventPattern(t, rule)["source"])
		src := cmp.Or(busSources[bus], strings.TrimPrefix(bus, "aws.")+".amazonaws.com")
		got = append(got, strings.TrimSuffix(src, ".amazonaws.com"))
	}
	slices.Sort(got)
	if !slices.Equal(got, defaults) {
		t.Errorf("default CloudTrail rules for %v, want the live types' services %v", got, defaults)
	}
}

// The rules, tried on the parser's own captured events: every event that
// becomes an evaluation of a live resource is forwarded, and nothing that
// the parser would drop as failed, read-only or unsupported is.
func TestEventRulesOnCapturedEvents(t *testing.T) {
	e := evalModule(t, rootModule, rootInputs(nil))
	var patterns []map[string]any
	for _, inst := range e.ofType("aws_cloudwatch_event_rule") {
		patterns = append(patterns, eventPattern(t, inst))
	}
	configTypes := map[string]bool{}
	for _, inst := range e.resource("aws_cloudwatch_event_rule.config") {
		for _, typ := range collectStrings(eventPattern(t, inst), "resourceType") {
			configTypes[typ] = false
		}
	}
	testdata := filepath.Join(repoRoot(t), "internal", "events", "testdata")
	fixtures, _ := filepath.Glob(filepath.Join(testdata, "*", "*.json"))
	if len(fixtures) < 10 {
		t.Fatalf("found %d event fixtures in %s", len(fixtures), testdata)
	}
	for _, file := range fixtures {
		for i, ev := range asEventBridge(t, file) {
			name := filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file)
			if i > 0 {
				name += fmt.Sprintf("#%d", i)
			}
			body, _ := json.Marshal(ev)
			triggers, err := events.Parse(body)
			// live: the starter starts an evaluation. useful: the starter
			// needs the event, to start one or because only it can tell
			// (rectify's own remediation roles are in its config).
			live, useful := false, false
			for _, tr := range triggers {
				switch {
				case !tr.Ignored && slices.Contains(service.Registry.LiveTypes(), tr.ResourceType):
					live, useful = true, true
				case tr.Ignored && events.ReasonCategory(tr.Reason) == events.CategoryRemediation:
					useful = true
				}
			}
			matched := false
			for _, p := range patterns {
				ok, merr := matchPattern(p, ev)
				if merr != nil {
					t.Fatalf("%s: %v", name, merr)
				}
				matched = matched || ok
			}
			for typ := range configTypes {
				if matched && strings.Contains(string(body), `"`+typ+`"`) && live {
					configTypes[typ] = true
				}
			}
			switch {
			case err != nil:
				// Malformed on purpose or not EventBridge-shaped: no claim.
			case live && !matched:
				t.Errorf("%s becomes an evaluation (%+v) but no rule forwards it", name, triggers)
			case matched && !useful:
				t.Errorf("%s is forwarded but the starter drops it: %+v", name, triggers)
			}
		}
	}
	for typ, seen := range configTypes {
		if !seen {
			t.Errorf("config_resource_types has %s, but no captured event of that type was forwarded and evaluated", typ)
		}
	}
}

// asEventBridge turns a fixture into the EventBridge events AWS would put on
// the bus: EventBridge envelopes as they are, CloudTrail records and log
// files wrapped as "AWS API Call via CloudTrail", Config notifications (raw
// or in SNS) as "Config Configuration Item Change".
func asEventBridge(t *testing.T, file string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if json.Unmarshal(b, &top) != nil {
		return nil
	}
	if _, ok := top["detail-type"]; ok {
		return []map[string]any{top}
	}
	if msg, ok := top["Message"]; ok && top["Type"] == "Notification" {
		if s, ok := msg.(string); ok {
			var inner map[string]any
			if json.Unmarshal([]byte(s), &inner) != nil {
				return nil
			}
			msg = inner
		}
		inner, _ := msg.(map[string]any)
		if inner == nil {
			return nil
		}
		if _, ok := inner["detail-type"]; ok {
			return []map[string]any{inner}
		}
		top = inner
	}
	wrap := func(source, detailType string, detail map[string]any) map[string]any {
		return map[string]any{"version": "0", "id": "fixture", "detail-type": detailType, "source": source,
			"account": testAccount, "time": "2024-01-01T00:00:00Z", "region": "us-east-1", "resources": []any{}, "detail": detail}
	}
	var records []any
	switch {
	case top["Records"] != nil:
		records, _ = top["Records"].([]any)
	case top["eventSource"] != nil:
		records = []any{top}
	case top["messageType"] != nil || top["configurationItem"] != nil:
		return []map[string]any{wrap("aws.config", "Config Configuration Item Change", top)}
	}
	var out []map[string]any
	for _, r := range records {
		rec, _ := r.(map[string]any)
		src, _ := rec["eventSource"].(string)
		out = append(out, wrap("aws."+strings.TrimSuffix(src, ".amazonaws.com"), "AWS API Call via CloudTrail", rec))
	}
	return out
}

// The Security Hub rule takes active, FAILED findings of live types, and
// not rectify's own.
func TestSecurityHubRule(t *testing.T) {
	e := evalModule(t, rootModule, rootInputs(nil))
	p := eventPattern(t, e.one("aws_cloudwatch_event_rule.securityhub"))
	findings, _ := p["detail"].(map[string]any)["findings"].(map[string]any)
	if got := collectStrings(findings["Compliance"], "Status"); !slices.Equal(got, []string{"FAILED"}) {
		t.Errorf("Compliance.Status %v, want only FAILED", got)
	}
	prefix := strings.TrimSuffix(activities.GeneratorID("x"), "x")
	own := map[string]any{"GeneratorId": prefix + "aws.s3.public_access_block"}
	if ok, err := matchPattern(map[string]any{"GeneratorId": findings["GeneratorId"]}, own); err != nil || ok {
		t.Errorf("the rule forwards rectify's own findings (GeneratorId %s...): %v", prefix, err)
	}
	none := evalModule(t, rootModule, rootInputs(map[string]cty.Value{"securityhub_findings": cty.False, "config_resource_types": strs()}))
	// One CloudTrail rule per default source, and nothing else.
	if n, want := len(none.ofType("aws_cloudwatch_event_rule")), len(none.resource("aws_cloudwatch_event_rule.cloudtrail")); n != want || want == 0 {
		t.Errorf("with Security Hub and Config off, %d rules, want only the %d CloudTrail ones", n, want)
	}
}

// One queue: every rule targets it, the queue policy admits exactly those
// rules (and the Config topic, when set), a DLQ with the redrive count,
// encryption at rest.
func TestQueueWiring(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   map[string]cty.Value
	}{
		{"defaults", nil},
		{"KMS and Config topic", map[string]cty.Value{"kms_key_arn": cty.StringVal(testKMSKey), "config_sns_topic_arn": cty.StringVal(testConfigSNS), "max_receive_count": cty.NumberIntVal(9)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := evalModule(t, rootModule, rootInputs(tc.in))
			queue, dlq := e.one("aws_sqs_queue.events"), e.one("aws_sqs_queue.dlq")
			queueARN := queue.get(t, "arn")

			var ruleARNs, ruleNames, targeted []string
			for _, r := range e.ofType("aws_cloudwatch_event_rule") {
				ruleARNs = append(ruleARNs, r.get(t, "arn"))
				ruleNames = append(ruleNames, r.str(t, "name"))
			}
			for _, tg := range e.ofType("aws_cloudwatch_event_target") {
				if tg.str(t, "arn") != queueARN {
					t.Errorf("%s targets %s, not the event queue", tg.addr, tg.str(t, "arn"))
				}
				targeted = append(targeted, tg.str(t, "rule"))
			}
			slices.Sort(ruleNames)
			slices.Sort(targeted)
			if !slices.Equal(targeted, ruleNames) {
				t.Errorf("targets for rules %v, want one per rule %v", targeted, ruleNames)
			}

			policy := parsePolicy(t, "aws_sqs_queue_policy.events", e.one("aws_sqs_queue_policy.events").str(t, "policy"))
			var admitted []string
			for _, s := range policy.Statement {
				if s.Effect != "Allow" {
					continue
				}
				if !slices.Equal(s.Action, []string{"sqs:SendMessage"}) || !slices.Equal(s.Resource, []string{queueARN}) {
					t.Errorf("queue policy %s allows %v on %v, want sqs:SendMessage on the queue", s.Sid, s.Action, s.Resource)
				}
				if s.Principal == nil || s.Principal.Any || len(s.Principal.AWS) > 0 || len(s.Principal.Service) != 1 {
					t.Errorf("queue policy %s: principal %+v, want one service", s.Sid, s.Principal)
				}
				arns := s.Condition["ArnEquals"]["aws:SourceArn"]
				if len(arns) == 0 || len(s.Condition) != 1 {
					t.Errorf("queue policy %s: condition %v, want exactly ArnEquals aws:SourceArn", s.Sid, s.Condition)
				}
				admitted = append(admitted, arns...)
			}
			want := slices.Clone(ruleARNs)
			if _, topic := tc.in["config_sns_topic_arn"]; topic {
				want = append(want, testConfigSNS)
				sub := e.one("aws_sns_topic_subscription.config")
				if !sub.attrs["raw_message_delivery"].True() || sub.str(t, "protocol") != "sqs" || sub.str(t, "endpoint") != queueARN || sub.str(t, "topic_arn") != testConfigSNS {
					t.Errorf("Config subscription %v: want raw delivery from the topic to the queue", sub.attrs)
				}
			} else if n := len(e.resource("aws_sns_topic_subscription.config")); n != 0 {
				t.Errorf("%d Config subscriptions without a topic", n)
			}
			slices.Sort(admitted)
			slices.Sort(want)
			if !slices.Equal(admitted, want) {
				t.Errorf("queue admits %v, want exactly the rules (and topic) %v", admitted, want)
			}

			var redrive struct {
				DeadLetterTargetArn string
				MaxReceiveCount     int
			}
			if err := json.Unmarshal([]byte(queue.str(t, "redrive_policy")), &redrive); err != nil {
				t.Fatal(err)
			}
			wantCount := 5
			if v, ok := tc.in["max_receive_count"]; ok {
				n, _ := v.AsBigFloat().Int64()
				wantCount = int(n)
			}
			if redrive.DeadLetterTargetArn != dlq.get(t, "arn") || redrive.MaxReceiveCount != wantCount {
				t.Errorf("redrive %+v, want the DLQ after %d receives", redrive, wantCount)
			}
			for _, q := range []tfInstance{queue, dlq} {
				sse, key := q.attrs["sqs_managed_sse_enabled"], q.attrs["kms_master_key_id"]
				kms := !key.IsNull()
				if kms && key.AsString() != testKMSKey || !kms && !(!sse.IsNull() && sse.True()) {
					t.Errorf("%s: no encryption at rest (sqs_managed_sse_enabled %v, kms_master_key_id %v)", q.addr, sse, key)
				}
			}
		})
	}
}

// Every variable and output says what it is for, and the example root
// module evaluates against the modules' real variables and outputs.
func TestTerraformDocumentedAndExampleEvaluates(t *testing.T) {
	for _, dir := range []string{rootModule, memberModule, exampleBasic} {
		m := loadModule(t, dir)
		for kind, blocks := range map[string]map[string]*hclsyntax.Block{"variable": m.variables, "output": m.outputs} {
			for name, b := range blocks {
				a := b.Body.Attributes["description"]
				if a == nil {
					t.Errorf("%s: %s %s has no description", dir, kind, name)
					continue
				}
				if v, diags := a.Expr.Value(nil); diags.HasErrors() || strings.TrimSpace(v.AsString()) == "" {
					t.Errorf("%s: %s %s has an empty description", dir, kind, name)
				}
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
			t.Errorf("%s has no README.md", dir)
		}
	}
	e := evalModule(t, exampleBasic, map[string]cty.Value{
		"oidc_provider_arn":     cty.StringVal(testOIDC),
		"external_id":           cty.StringVal(testExternalID),
		"member_account_id":     cty.StringVal("222222222222"),
		"member_admin_role_arn": cty.StringVal("arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"),
	})
	if len(e.children) < 2 {
		t.Errorf("the example calls %d modules, want the root module and a member role", len(e.children))
	}
	var values struct {
		Config struct {
			Queue struct{ URL string } `json:"queue"`
			AWS   struct {
				AssumeRole string `json:"assume_role"`
				ExternalID string `json:"external_id"`
			} `json:"aws"`
		} `json:"config"`
	}
	out, ok := e.outputs["helm_values"]
	if !ok {
		t.Fatal("the example has no helm_values output")
	}
	if err := yaml.Unmarshal([]byte(out.AsString()), &values); err != nil {
		t.Fatalf("helm_values: %v", err)
	}
	if values.Config.Queue.URL == "" || values.Config.AWS.AssumeRole == "" || values.Config.AWS.ExternalID != testExternalID {
		t.Errorf("helm_values config %+v: want the queue, the member role template and the external id", values.Config)
	}
}

// eventPattern decodes a rule's event_pattern.
func eventPattern(t *testing.T, rule tfInstance) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(rule.str(t, "event_pattern")), &p); err != nil {
		t.Fatalf("%s: event_pattern: %v", rule.addr, err)
	}
	return p
}

// only returns the single string of a pattern's value list.
func only(t *testing.T, what string, v any) string {
	t.Helper()
	l, _ := v.([]any)
	if len(l) != 1 {
		t.Fatalf("%s: %v, want one value", what, v)
	}
	s, _ := l[0].(string)
	return s
}

// collectStrings gathers, anywhere under v, the string values listed under key.
func collectStrings(v any, key string) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if l, ok := child.([]any); ok && k == key {
					for _, e := range l {
						if s, ok := e.(string); ok && !slices.Contains(out, s) {
							out = append(out, s)
						}
					}
					continue
				}
				walk(child)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	slices.Sort(out)
	return out
}

// EC2 tagging calls are forwarded by resource id prefix: a tag on any EC2
// kind rectify judges (an exemption set or lifted by hand) reaches the
// starter, and a tag on anything else (a volume) does not.
func TestEC2TagRuleCoversEveryEC2Kind(t *testing.T) {
	e := evalModule(t, rootModule, rootInputs(nil))
	var patterns []map[string]any
	for _, inst := range e.resource("aws_cloudwatch_event_rule.cloudtrail") {
		patterns = append(patterns, eventPattern(t, inst))
	}
	for _, id := range []string{"sg-0a", "snap-0a", "subnet-0a", "i-0a", "vol-0a"} {
		detail := map[string]any{
			"eventSource": "ec2.amazonaws.com", "eventName": "CreateTags", "awsRegion": "us-east-1",
			"recipientAccountId": testAccount, "eventType": "AwsApiCall", "readOnly": false,
			"requestParameters": map[string]any{
				"resourcesSet": map[string]any{"items": []any{map[string]any{"resourceId": id}}},
				"tagSet":       map[string]any{"items": []any{map[string]any{"key": "rectify:exempt", "value": "all"}}},
			},
		}
		ev := map[string]any{"source": "aws.ec2", "detail-type": "AWS API Call via CloudTrail", "account": testAccount, "region": "us-east-1", "detail": detail}
		body, _ := json.Marshal(ev)
		triggers, err := events.Parse(body)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		live := len(triggers) == 1 && !triggers[0].Ignored
		matched := false
		for _, p := range patterns {
			ok, err := matchPattern(p, ev)
			if err != nil {
				t.Fatal(err)
			}
			matched = matched || ok
		}
		if live != matched {
			t.Errorf("CreateTags on %s: the parser evaluates it %v, the rule forwards it %v", id, live, matched)
		}
	}
}

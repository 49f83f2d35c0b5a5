package devstack

import (
	"context"
	"fmt"
	"slices"
	"time"

	svcec2 "github.com/rectifyhq/rectify/internal/service/ec2"
	svcs3 "github.com/rectifyhq/rectify/internal/service/s3"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/events"
	"github.com/rectifyhq/rectify/internal/resource"
)

// Policy ids the demo exercises.
const (
	PolicySGAdminPorts = "aws.ec2.sg_public_admin_ports"
	PolicyS3PAB        = "aws.s3.public_access_block"
)

// Summary is what `rectify dev --demo --exit-when-done` prints.
type Summary struct {
	Violations        int            `json:"violations"`
	Remediated        int            `json:"remediated"`
	Verified          int            `json:"verified"`
	Findings          map[string]int `json:"findings"`
	SelfEventsIgnored int            `json:"self_events_ignored"`
	WorkflowsStarted  int            `json:"workflows_started"`
	CloudFixed        bool           `json:"cloud_fixed"`
	// Decision is what became of the approve-mode violation: "approved by
	// alice", "rejected by alice: ...", or how it timed out.
	Decision string   `json:"decision,omitempty"`
	OK       bool     `json:"ok"`
	Problems []string `json:"problems,omitempty"`
}

// Demo plays the scenario: a human opens SSH to the world on the demo
// security group and removes the demo bucket's public access block, through
// the AWS API, so the fake cloud emits the CloudTrail events. The bucket
// policy runs in approve mode: the demo prints the exact `rectify approve`
// command and waits for a person to decide, unless AutoApprove.
type Demo struct {
	Temporal client.Client
	Endpoint string
	Suffix   string
	App      *App
	// Progress receives one line per step; nil is silent.
	Progress func(format string, args ...any)
	// AutoApprove approves as the demo approver instead of waiting for a
	// person (for CI), and says so, naming the flag that asked for it.
	AutoApprove     bool
	AutoApproveFlag string
	// Address is the Temporal frontend, for the printed command when it is
	// not the default one.
	Address string
	// Slack, when set, says where the Approve button is.
	Slack string
}

// Targets are the demo's two resources.
func (d *Demo) Targets(ctx context.Context) (sg resource.Ref, bucket resource.Ref, err error) {
	out, err := ec2.NewFromConfig(HumanConfig(d.Endpoint)).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-name"), Values: []string{DemoGroupName + d.Suffix}}},
	})
	if err != nil {
		return sg, bucket, fmt.Errorf("find demo security group: %w", err)
	}
	if len(out.SecurityGroups) != 1 {
		return sg, bucket, fmt.Errorf("find demo security group %s: found %d", DemoGroupName+d.Suffix, len(out.SecurityGroups))
	}
	id := aws.ToString(out.SecurityGroups[0].GroupId)
	sg = resource.Ref{Type: svcec2.TypeSecurityGroup, ID: id, ARN: svcec2.SecurityGroupARN(Account, Region, id), Account: Account, Region: Region}
	name := DemoBucket + d.Suffix
	bucket = resource.Ref{Type: svcs3.TypeBucket, ID: name, ARN: svcs3.BucketARN(name), Account: Account, Region: Region}
	return sg, bucket, nil
}

// ApproveCommand is the exact command that approves the demo's bucket fix.
func (d *Demo) ApproveCommand(bucket resource.Ref) string {
	cmd := fmt.Sprintf("rectify approve %s %s --as %s", PolicyS3PAB, bucket.ARN, HumanUser)
	if d.Address != "" && d.Address != DefaultTemporalAddress {
		cmd += " --address " + d.Address
	}
	return cmd
}

// DefaultTemporalAddress is where rectify's commands look for Temporal
// when nothing says otherwise.
const DefaultTemporalAddress = "127.0.0.1:7233"

// Run makes the insecure changes, has the bucket fix decided (by a person,
// or by itself with AutoApprove) and waits until every violation settled
// (or timeout, which does not count the wait for a person), then
// summarizes.
func (d *Demo) Run(ctx context.Context, timeout time.Duration) (Summary, error) {
	say := d.Progress
	if say == nil {
		say = func(string, ...any) {}
	}
	sg, bucket, err := d.Targets(ctx)
	if err != nil {
		return Summary{}, err
	}
	human := HumanConfig(d.Endpoint)
	say("alice opens tcp/22 to 0.0.0.0/0 on %s", sg.ID)
	if _, err := ec2.NewFromConfig(human).AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(sg.ID),
		IpPermissions: []ec2types.IpPermission{{
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("debugging, will remove")}},
		}},
	}); err != nil {
		return Summary{}, fmt.Errorf("demo: open ssh: %w", err)
	}
	say("alice deletes the public access block of bucket %s", bucket.ID)
	if _, err := d.s3(human).DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(bucket.ID)}); err != nil {
		return Summary{}, fmt.Errorf("demo: delete public access block: %w", err)
	}

	bucketWF := contract.RemediationID(PolicyS3PAB, bucket.ARN)
	asked, cancel := context.WithTimeout(ctx, timeout)
	say("waiting for %s to ask for approval", bucketWF)
	_, err = WaitState(asked, d.Temporal, bucketWF, contract.StateAwaitingApproval)
	cancel()
	if err != nil {
		return Summary{}, err
	}
	decided, err := d.decide(ctx, bucketWF, bucket, say)
	if err != nil {
		return Summary{}, err
	}

	ctx, cancel = context.WithTimeout(ctx, timeout)
	defer cancel()
	ids := []string{contract.RemediationID(PolicySGAdminPorts, sg.ARN)}
	sum := Summary{Decision: decided.Detail}
	if decided.State == contract.StateApproved {
		ids = append(ids, bucketWF)
	} else {
		say("%s: %s, so the bucket keeps its missing public access block", bucketWF, sum.Decision)
	}
	for _, id := range ids {
		st, err := WaitState(ctx, d.Temporal, id, contract.StateResolved)
		if err != nil {
			sum.Problems = append(sum.Problems, err.Error())
			continue
		}
		say("%s: %s", id, st.State)
		sum.Violations++
		sum.Remediated += st.Remediations
		sum.Verified++
	}
	// A state leads its finding by up to one Security Hub batch window.
	for {
		if sum.Findings, err = Findings(ctx, d.Endpoint, sg.ARN, bucket.ARN); err != nil {
			return sum, err
		}
		if sum.Findings[string(shtypes.WorkflowStatusResolved)] >= sum.Verified {
			break
		}
		select {
		case <-ctx.Done():
			return sum, fmt.Errorf("demo: waiting for RESOLVED findings, have %v: %w", sum.Findings, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	fixed := []resource.Ref{sg}
	if len(ids) == 2 {
		fixed = append(fixed, bucket)
	}
	if sum.CloudFixed, err = d.cloudFixed(ctx, fixed...); err != nil {
		return sum, err
	}
	if d.App != nil {
		sum.SelfEventsIgnored = d.App.Stats.Snapshot().Ignored[events.CategoryRemediation]
	}
	if sum.WorkflowsStarted, err = countWorkflows(ctx, d.Temporal, d.App); err != nil {
		return sum, err
	}
	sum.check(len(ids))
	return sum, nil
}

// decide has the bucket fix decided: by the demo itself with AutoApprove,
// else by a person, for whom it prints the exact command (and the Slack
// button) and then waits as long as it takes.
func (d *Demo) decide(ctx context.Context, id string, bucket resource.Ref, say func(string, ...any)) (contract.Transition, error) {
	command := d.ApproveCommand(bucket)
	if d.AutoApprove {
		say("approving by itself as %s (%s): %s", HumanUser, d.AutoApproveFlag, command)
		res, err := contract.Decide(ctx, d.Temporal, id, "", contract.Decision{Approve: true, User: HumanUser})
		if err != nil {
			return contract.Transition{}, err
		}
		say("%s", res.Message)
		return contract.Transition{State: res.State, Detail: res.Message}, nil
	}
	say("the bucket fix waits for a person. Approve it in another terminal:")
	say("")
	say("    %s", command)
	say("")
	say("or reject it: rectify reject %s %s --as %s --reason WHY", PolicyS3PAB, bucket.ARN, HumanUser)
	if d.Slack != "" {
		say("or press Approve in Slack, on %s", d.Slack)
	}
	st, err := WaitLeave(ctx, d.Temporal, id, contract.StateAwaitingApproval)
	if err != nil {
		return contract.Transition{}, err
	}
	decision := Decision(st)
	say("decided: %s", decision.Detail)
	return decision, nil
}

func (s *Summary) check(want int) {
	if s.Violations != want || s.Remediated != want || s.Verified != want {
		s.Problems = append(s.Problems, fmt.Sprintf("want %d violations remediated and verified, got %d/%d/%d", want, s.Violations, s.Remediated, s.Verified))
	}
	if s.Findings[string(shtypes.WorkflowStatusResolved)] != want {
		s.Problems = append(s.Problems, fmt.Sprintf("want %d RESOLVED findings, got %v", want, s.Findings))
	}
	if s.SelfEventsIgnored < want {
		s.Problems = append(s.Problems, fmt.Sprintf("want rectify's own %d changes ignored by the starter, got %d", want, s.SelfEventsIgnored))
	}
	if !s.CloudFixed {
		s.Problems = append(s.Problems, "the fake cloud still holds a violation rectify fixed")
	}
	s.OK = len(s.Problems) == 0
}

func (d *Demo) s3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// cloudFixed reads the fake cloud as the human: no world-open port 22 on
// the security groups and a complete public access block on the buckets
// among refs.
func (d *Demo) cloudFixed(ctx context.Context, refs ...resource.Ref) (bool, error) {
	human := HumanConfig(d.Endpoint)
	for _, ref := range refs {
		switch ref.Type {
		case svcec2.TypeSecurityGroup:
			rules, err := ec2.NewFromConfig(human).DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{
				Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{ref.ID}}},
			})
			if err != nil {
				return false, fmt.Errorf("read demo rules: %w", err)
			}
			for _, r := range rules.SecurityGroupRules {
				if !aws.ToBool(r.IsEgress) && aws.ToInt32(r.FromPort) <= 22 && aws.ToInt32(r.ToPort) >= 22 && aws.ToString(r.CidrIpv4) == "0.0.0.0/0" {
					return false, nil
				}
			}
		case svcs3.TypeBucket:
			pab, err := d.s3(human).GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(ref.ID)})
			if err != nil {
				return false, fmt.Errorf("read demo public access block: %w", err)
			}
			c := pab.PublicAccessBlockConfiguration
			if !(aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets)) {
				return false, nil
			}
		}
	}
	return true, nil
}

// WaitState polls a Remediation until it reaches state, fails for good
// (a terminal state that is not the wanted one), or ctx ends.
func WaitState(ctx context.Context, c client.Client, workflowID, state string) (contract.Status, error) {
	var last contract.Status
	for {
		v, err := c.QueryWorkflow(ctx, workflowID, "", contract.QueryStatus)
		var st contract.Status // fresh: omitted fields must not keep the last poll's
		if err == nil && v.Get(&st) == nil {
			last = st
		}
		if err == nil && last.State == state {
			return last, nil
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("%s: waited for state %s, last state %q (query error: %v)", workflowID, state, last.State, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Decision is the step a Remediation took after it last awaited approval:
// Approved, Rejected, Expired, Escalated or Closed.
func Decision(st contract.Status) contract.Transition {
	for i := len(st.History) - 1; i >= 0; i-- {
		if st.History[i].State == contract.StateAwaitingApproval && i+1 < len(st.History) {
			return st.History[i+1]
		}
	}
	return contract.Transition{State: st.State}
}

// WaitLeave polls a Remediation until it has left state (a decision was
// made, or the approval timed out), or ctx ends.
func WaitLeave(ctx context.Context, c client.Client, workflowID, state string) (contract.Status, error) {
	var last contract.Status
	for {
		v, err := c.QueryWorkflow(ctx, workflowID, "", contract.QueryStatus)
		var st contract.Status
		if err == nil && v.Get(&st) == nil {
			last = st
		}
		if err == nil && last.State != state && last.State != "" {
			return last, nil
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("%s: waited to leave state %s, last state %q (query error: %v)", workflowID, state, last.State, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Findings counts the findings in the fake Security Hub by workflow status:
// of the resources arns, or all when none is given.
func Findings(ctx context.Context, endpoint string, arns ...string) (map[string]int, error) {
	cfg := HumanConfig(endpoint)
	cfg.Credentials = staticAdmin()
	out := map[string]int{}
	pages := securityhub.NewGetFindingsPaginator(securityhub.NewFromConfig(cfg), &securityhub.GetFindingsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read findings: %w", err)
		}
		for _, f := range page.Findings {
			if len(arns) > 0 && !slices.ContainsFunc(f.Resources, func(r shtypes.Resource) bool { return slices.Contains(arns, aws.ToString(r.Id)) }) {
				continue
			}
			if f.Workflow != nil {
				out[string(f.Workflow.Status)]++
			}
		}
	}
	return out, nil
}

func countWorkflows(ctx context.Context, c client.Client, app *App) (int, error) {
	query := ""
	if app != nil && app.Consumer != nil {
		query = fmt.Sprintf("TaskQueue = '%s'", app.Consumer.TaskQueue)
	}
	resp, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
	if err != nil {
		return 0, fmt.Errorf("count workflows: %w", err)
	}
	return int(resp.Count), nil
}

package devstack

import (
	"context"
	"fmt"
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
	OK                bool           `json:"ok"`
	Problems          []string       `json:"problems,omitempty"`
}

// Demo plays the scenario: a human opens SSH to the world on the demo
// security group and removes the demo bucket's public access block, through
// the AWS API, so the fake cloud emits the CloudTrail events. The bucket
// policy runs in approve mode and is approved as the human approver.
type Demo struct {
	Temporal client.Client
	Endpoint string
	Suffix   string
	App      *App
	// Progress receives one line per step; nil is silent.
	Progress func(format string, args ...any)
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

// Run makes the insecure changes, approves the bucket fix and waits until
// both violations are resolved (or timeout), then summarizes.
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

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	bucketWF := contract.RemediationID(PolicyS3PAB, bucket.ARN)
	say("waiting for %s to ask for approval", bucketWF)
	if _, err := WaitState(ctx, d.Temporal, bucketWF, contract.StateAwaitingApproval); err != nil {
		return Summary{}, err
	}
	res, err := contract.Decide(ctx, d.Temporal, bucketWF, "", contract.Decision{Approve: true, User: HumanUser})
	if err != nil {
		return Summary{}, err
	}
	say("rectify approve %s --as %s → %s", bucketWF, HumanUser, res.Message)

	ids := []string{contract.RemediationID(PolicySGAdminPorts, sg.ARN), bucketWF}
	var sum Summary
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
		if sum.Findings, err = Findings(ctx, d.Endpoint); err != nil {
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
	if sum.CloudFixed, err = d.cloudFixed(ctx, sg, bucket); err != nil {
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
		s.Problems = append(s.Problems, "the fake cloud still holds a violation")
	}
	s.OK = len(s.Problems) == 0
}

func (d *Demo) s3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// cloudFixed reads the fake cloud as the human: no world-open port 22 and a
// complete public access block.
func (d *Demo) cloudFixed(ctx context.Context, sg, bucket resource.Ref) (bool, error) {
	human := HumanConfig(d.Endpoint)
	rules, err := ec2.NewFromConfig(human).DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{sg.ID}}},
	})
	if err != nil {
		return false, fmt.Errorf("read demo rules: %w", err)
	}
	for _, r := range rules.SecurityGroupRules {
		if !aws.ToBool(r.IsEgress) && aws.ToInt32(r.FromPort) <= 22 && aws.ToInt32(r.ToPort) >= 22 && aws.ToString(r.CidrIpv4) == "0.0.0.0/0" {
			return false, nil
		}
	}
	pab, err := d.s3(human).GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket.ID)})
	if err != nil {
		return false, fmt.Errorf("read demo public access block: %w", err)
	}
	c := pab.PublicAccessBlockConfiguration
	return aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets), nil
}

// WaitState polls a Remediation until it reaches state, fails for good
// (a terminal state that is not the wanted one), or ctx ends.
func WaitState(ctx context.Context, c client.Client, workflowID, state string) (contract.Status, error) {
	var last contract.Status
	for {
		v, err := c.QueryWorkflow(ctx, workflowID, "", contract.QueryStatus)
		if err == nil && v.Get(&last) == nil && last.State == state {
			return last, nil
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("%s: waited for state %s, last state %q (query error: %v)", workflowID, state, last.State, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Findings counts the findings in the fake Security Hub by workflow status.
func Findings(ctx context.Context, endpoint string) (map[string]int, error) {
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

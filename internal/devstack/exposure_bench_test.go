package devstack

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	svcec2 "github.com/rectifyhq/rectify/internal/service/ec2"
)

// BenchmarkExposure makes one violation at a time, 20 in a row, at the
// default settings (1 s settle, default findings batching), and measures:
//
//   - the exposure window: the human's AuthorizeSecurityGroupIngress to
//     rectify's RevokeSecurityGroupIngress, both as the fake cloud's
//     CloudTrail wrote them (timed when written, not at CloudTrail's
//     one-second resolution);
//   - the time to Resolved (the workflow's own transition time);
//   - the billable Temporal Cloud actions of each violation, counted from
//     the histories of its Evaluate and Remediation runs as Temporal
//     Cloud's "Actions" page defines them.
//
// The settle period is the baseline a reader compares the exposure with:
// no event-driven design can fix before it has settled.
func BenchmarkExposure(b *testing.B) {
	const rounds = 20
	for range b.N {
		ctx := context.Background()
		suffix := fmt.Sprintf("-exp%d", time.Now().UnixNano()%1e9)
		cloud := fakecloud.New(fakecloud.Options{})
		var mu sync.Mutex
		opened, revoked := map[string]time.Time{}, map[string]time.Time{}
		cloud.OnEvent(func(event []byte) {
			at := time.Now()
			var e struct {
				Detail struct {
					EventName    string         `json:"eventName"`
					ErrorCode    string         `json:"errorCode"`
					Request      map[string]any `json:"requestParameters"`
					UserIdentity struct {
						ARN string `json:"arn"`
					} `json:"userIdentity"`
				} `json:"detail"`
			}
			if json.Unmarshal(event, &e) != nil || e.Detail.ErrorCode != "" {
				return
			}
			g, _ := e.Detail.Request["groupId"].(string)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case e.Detail.EventName == "AuthorizeSecurityGroupIngress" && !strings.Contains(e.Detail.UserIdentity.ARN, RemediationRoleName):
				opened[g] = at
			case e.Detail.EventName == "RevokeSecurityGroupIngress" && strings.Contains(e.Detail.UserIdentity.ARN, RemediationRoleName):
				if _, ok := revoked[g]; !ok {
					revoked[g] = at
				}
			}
		})
		endpoint, err := cloud.Start("127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		if err := cloud.Apply(Seed(suffix)); err != nil {
			b.Fatal(err)
		}
		ids := make([]string, rounds)
		for i := range rounds {
			if ids[i], err = cloud.SeedSecurityGroup(Account, fakecloud.SecurityGroupSeed{Region: Region, GroupName: fmt.Sprintf("exp%s-%d", suffix, i), Description: "exposure"}); err != nil {
				b.Fatal(err)
			}
		}
		cfg := AppConfig("rectify-exposure"+suffix, endpoint, endpoint+"/"+Account+"/"+EventQueue)
		app, err := StartApp(ctx, AppOptions{Temporal: temporalServer.Client, Config: cfg, Policies: policySet})
		if err != nil {
			b.Fatal(err)
		}
		ec := ec2.NewFromConfig(HumanConfig(endpoint))
		serverBefore := serverActions(b)
		var exposure, resolved []time.Duration
		var actions []int
		kinds := map[string]int{}
		for i, g := range ids {
			if _, err := ec.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
				GroupId: aws.String(g),
				IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
					IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
			}); err != nil {
				b.Fatal(err)
			}
			arn := svcec2.SecurityGroupARN(Account, Region, g)
			wctx, cancel := context.WithTimeout(ctx, time.Minute)
			st, err := WaitState(wctx, temporalServer.Client, contract.RemediationID(PolicySGAdminPorts, arn), contract.StateResolved)
			cancel()
			if err != nil {
				b.Fatalf("violation %d: %v", i, err)
			}
			mu.Lock()
			open, fixed := opened[g], revoked[g]
			mu.Unlock()
			exposure = append(exposure, fixed.Sub(open))
			for _, tr := range st.History {
				if tr.State == contract.StateResolved {
					resolved = append(resolved, tr.At.Sub(open))
					break
				}
			}
			// Count the actions once the finding is written: the
			// Remediation keeps watching, but a quiet watch adds none.
			time.Sleep(3 * time.Second)
			n := 0
			for _, id := range []string{contract.EvaluateID(arn), contract.RemediationID(PolicySGAdminPorts, arn)} {
				n += historyActions(b, ctx, id, kinds)
			}
			actions = append(actions, n)
		}
		serverFixes := serverActions(b).minus(serverBefore)
		// Benign changes: a compliant rule on a group nothing violates.
		var benign []int
		benignKinds := map[string]int{}
		for i := range 10 {
			g, err := cloud.SeedSecurityGroup(Account, fakecloud.SecurityGroupSeed{Region: Region, GroupName: fmt.Sprintf("benign%s-%d", suffix, i), Description: "benign"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ec.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
				GroupId: aws.String(g),
				IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
					IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}},
			}); err != nil {
				b.Fatal(err)
			}
			id := contract.EvaluateID(svcec2.SecurityGroupARN(Account, Region, g))
			waitClosed(b, ctx, id)
			benign = append(benign, historyActions(b, ctx, id, benignKinds))
		}
		serverBenign := serverActions(b).minus(serverBefore).minus(serverFixes)
		slices.Sort(benign)
		app.Stop()
		cloud.Close()

		pct := func(ds []time.Duration, q int) time.Duration {
			s := slices.Clone(ds)
			slices.Sort(s)
			return s[(len(s)-1)*q/100]
		}
		slices.Sort(actions)
		settle := time.Duration(cfg.Settle)
		fmt.Printf("\nexposure: %d violations one at a time, settle %s\n", rounds, settle)
		fmt.Printf("  exposure window (API call → fix applied): p50 %s  p90 %s  (p50 / settle = %.2f; goal p50 <= 1.5 s)\n",
			pct(exposure, 50).Round(time.Millisecond), pct(exposure, 90).Round(time.Millisecond), pct(exposure, 50).Seconds()/settle.Seconds())
		fmt.Printf("  time to Resolved (API call → verified, state written): p50 %s  p90 %s\n", pct(resolved, 50).Round(time.Millisecond), pct(resolved, 90).Round(time.Millisecond))
		fmt.Printf("  billable actions per auto-fixed violation (Evaluate + Remediation histories): min %d  median %d  max %d (goal <= 15)\n",
			actions[0], actions[len(actions)/2], actions[len(actions)-1])
		fmt.Printf("  by kind over all %d: %v\n", rounds, kinds)
		fmt.Printf("  billable actions per benign change (Evaluate only): min %d  median %d  max %d (goal <= 3); by kind over 10: %v\n",
			benign[0], benign[len(benign)/2], benign[len(benign)-1], benignKinds)
		fmt.Printf("  cross-check, the server's own action metric (namespace default, the benchmark's status queries left out):\n")
		fmt.Printf("    per auto-fixed violation %.1f, per benign change %.1f; queries the benchmark made: %d and %d\n",
			float64(serverFixes.billable())/rounds, float64(serverBenign.billable())/10, serverFixes[queryAction], serverBenign[queryAction])
		fmt.Printf("    by type over the %d violations: %v\n\n", rounds, serverFixes)
		b.ReportMetric(pct(exposure, 50).Seconds(), "exposure-p50-s")
		b.ReportMetric(pct(exposure, 90).Seconds(), "exposure-p90-s")
		b.ReportMetric(pct(resolved, 50).Seconds(), "resolved-p50-s")
		b.ReportMetric(float64(actions[len(actions)/2]), "actions/violation")
		b.ReportMetric(float64(benign[len(benign)/2]), "actions/benign")
		b.ReportMetric(float64(serverFixes.billable())/rounds, "server-actions/violation")
	}
}

// historyActions counts the billable actions in every run of a workflow
// id, by Temporal Cloud's definition as it shows in a history: a workflow
// started (client start, continue-as-new), a signal (or signal-with-start
// onto a running one), an activity scheduled and each retry, a timer, a
// search-attribute upsert, an accepted update, a marker (version, side
// effect). Queries and heartbeats leave no event; rectify's workflows
// heartbeat nothing.
func historyActions(b *testing.B, ctx context.Context, workflowID string, kinds map[string]int) int {
	b.Helper()
	n := 0
	var token []byte
	var runs []string
	for {
		resp, err := temporalServer.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowId = '%s'", workflowID), NextPageToken: token,
		})
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range resp.GetExecutions() {
			runs = append(runs, e.GetExecution().GetRunId())
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	for _, run := range runs {
		it := temporalServer.Client.GetWorkflowHistory(ctx, workflowID, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				b.Fatal(err)
			}
			kind := ""
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
				kind = "start"
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
				kind = "signal"
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				kind = "activity"
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
				if ev.GetActivityTaskStartedEventAttributes().GetAttempt() > 1 {
					kind = "activity retry"
				}
			case enumspb.EVENT_TYPE_TIMER_STARTED:
				kind = "timer"
			case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
				kind = "upsert"
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
				kind = "update"
			case enumspb.EVENT_TYPE_MARKER_RECORDED:
				kind = "marker"
			}
			if kind != "" {
				kinds[kind]++
				n++
			}
		}
	}
	return n
}

// waitClosed waits for a workflow's latest run to close.
func waitClosed(b *testing.B, ctx context.Context, workflowID string) {
	b.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		d, err := temporalServer.Client.DescribeWorkflowExecution(ctx, workflowID, "")
		if err == nil && d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.Fatalf("%s did not close within a minute", workflowID)
}

// actionCounts is the server's `action` counter by action_type.
type actionCounts map[string]int

// queryAction is how the server counts a query; the benchmark's own
// status polling makes those, so billable leaves them out.
const queryAction = "grpc_QueryWorkflow"

func (a actionCounts) minus(o actionCounts) actionCounts {
	out := actionCounts{}
	for k, v := range a {
		if d := v - o[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func (a actionCounts) billable() int {
	n := 0
	for k, v := range a {
		if k != queryAction {
			n += v
		}
	}
	return n
}

// serverActions scrapes the dev server's `action` counter for the
// default namespace (servers after 1.17 export it; Temporal's migration
// guide estimates Cloud actions from it).
func serverActions(b *testing.B) actionCounts {
	b.Helper()
	resp, err := http.Get(temporalMetrics)
	if err != nil {
		b.Fatalf("scrape %s: %v", temporalMetrics, err)
	}
	defer resp.Body.Close()
	out := actionCounts{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "action{") || !strings.Contains(line, `namespace="default"`) {
			continue
		}
		labels, value, ok := strings.Cut(line[len("action{"):], "} ")
		if !ok {
			continue
		}
		typ := ""
		for _, l := range strings.Split(labels, ",") {
			if k, v, ok := strings.Cut(l, "="); ok && k == "action_type" {
				typ = strings.Trim(v, `"`)
			}
		}
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			b.Fatalf("action metric %q: %v", line, err)
		}
		out[typ] += int(f)
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/tracing"
	"github.com/rectifyhq/rectify/policies"
)

// One Temporal dev server serves every test of the package; each test gets
// its own fake cloud, task queue and resource names.
var (
	temporalServer *Temporal
	// temporalMetrics is the server's Prometheus endpoint.
	temporalMetrics string
	policySet       *policies.Set
	testSeq         atomic.Int64
)

func TestMain(m *testing.M) {
	ctx := context.Background()
	var err error
	metricsPort, err := freeTCPPort()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	temporalMetrics = fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)
	temporalServer, err = StartTemporal(ctx, TemporalOptions{MetricsPort: metricsPort})
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration tests need the Temporal CLI:", err)
		os.Exit(1)
	}
	if policySet, err = policies.Load(); err != nil {
		fmt.Fprintln(os.Stderr, "load policies:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = temporalServer.Stop()
	os.Exit(code)
}

// stack is one test's local stack.
type stack struct {
	t        *testing.T
	cloud    *fakecloud.Cloud
	endpoint string
	suffix   string
	app      *App
	cfg      config.Config
	metrics  *metrics.Metrics
	// starterMetrics, when set, receives the starter's metrics apart
	// from the worker's, as two processes export them.
	starterMetrics *metrics.Metrics
	openEvery      time.Duration // rectify_open_violations refresh
	spans          *tracetest.InMemoryExporter
	tracing        *tracing.Tracing
	sg             resource.Ref
	bucket         resource.Ref
	events         *trail
	// appOpts holds the AppOptions a test sets beyond the stack's own.
	appOpts AppOptions
}

// newStack starts a fake cloud with the demo seed and an app on its own
// task queue; configure adjusts the configuration before the app starts,
// and each option the stack.
func newStack(t *testing.T, configure func(*config.Config), options ...func(*stack)) *stack {
	t.Helper()
	return newStackWith(t, configure, AppOptions{}, options...)
}

// newStackWith is newStack with app options (such as StageTTL) beside the
// stack's own.
func newStackWith(t *testing.T, configure func(*config.Config), opts AppOptions, options ...func(*stack)) *stack {
	t.Helper()
	ctx := context.Background()
	n := testSeq.Add(1)
	s := &stack{t: t, suffix: fmt.Sprintf("-t%d-%d", n, time.Now().UnixNano()%1e6), appOpts: opts}
	s.cloud = fakecloud.New(fakecloud.Options{})
	var err error
	if s.endpoint, err = s.cloud.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cloud.Close() })
	s.events = tapTrail(s.cloud)
	if err := s.cloud.Apply(Seed(s.suffix)); err != nil {
		t.Fatal(err)
	}
	s.cfg = AppConfig("rectify-test"+s.suffix, s.endpoint, s.endpoint+"/"+Account+"/"+EventQueue)
	s.cfg.Settle = config.Duration(300 * time.Millisecond)
	if configure != nil {
		configure(&s.cfg)
	}
	for _, o := range options {
		o(s)
	}
	s.startApp(ctx)
	d := &Demo{Endpoint: s.endpoint, Suffix: s.suffix}
	if s.sg, s.bucket, err = d.Targets(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *stack) startApp(ctx context.Context) {
	s.t.Helper()
	log := slog.New(slog.NewTextHandler(newTestWriter(s.t), &slog.HandlerOptions{Level: slog.LevelWarn}))
	if s.metrics == nil {
		s.metrics = metrics.New()
	}
	if s.tracing == nil {
		s.spans = tracetest.NewInMemoryExporter()
		tr, err := tracing.Setup(ctx, tracing.Options{Service: "rectify-test", Exporter: s.spans})
		if err != nil {
			s.t.Fatal(err)
		}
		s.tracing = tr
	}
	opts := s.appOpts
	opts.Temporal, opts.Config, opts.Policies, opts.Log, opts.Metrics, opts.Tracing = temporalServer.Client, s.cfg, policySet, log, s.metrics, s.tracing
	opts.StarterMetrics, opts.OpenViolationsEvery = s.starterMetrics, s.openEvery
	app, err := StartApp(ctx, opts)
	if err != nil {
		s.t.Fatal(err)
	}
	s.app = app
	s.t.Cleanup(app.Stop)
}

func (s *stack) human() aws.Config { return HumanConfig(s.endpoint) }

func (s *stack) ec2() *ec2.Client { return ec2.NewFromConfig(s.human()) }

func (s *stack) s3() *s3.Client {
	return s3.NewFromConfig(s.human(), func(o *s3.Options) { o.UsePathStyle = true })
}

// openSSH is the human's insecure change: tcp/22 from the whole internet.
func (s *stack) openSSH(ctx context.Context) {
	s.t.Helper()
	if err := openPortOn(ctx, s.ec2(), s.sg.ID, 22); err != nil {
		s.t.Fatalf("open ssh: %v", err)
	}
}

// openPortOn opens a tcp port of a security group to the whole internet.
func openPortOn(ctx context.Context, c *ec2.Client, group string, port int32) error {
	_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(group),
		IpPermissions: []ec2types.IpPermission{{
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
		}},
	})
	return err
}

// removePAB is the human's other insecure change.
func (s *stack) removePAB(ctx context.Context) {
	s.t.Helper()
	if _, err := s.s3().DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(s.bucket.ID)}); err != nil {
		s.t.Fatalf("delete public access block: %v", err)
	}
}

// sshOpen reports whether a world-open tcp/22 ingress rule exists.
func (s *stack) sshOpen(ctx context.Context) bool {
	s.t.Helper()
	out, err := s.ec2().DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{s.sg.ID}}},
	})
	if err != nil {
		s.t.Fatalf("describe rules: %v", err)
	}
	for _, r := range out.SecurityGroupRules {
		if !aws.ToBool(r.IsEgress) && aws.ToInt32(r.FromPort) == 22 && aws.ToString(r.CidrIpv4) == "0.0.0.0/0" {
			return true
		}
	}
	return false
}

// pabComplete reports whether all four public access block flags are on.
func (s *stack) pabComplete(ctx context.Context) bool {
	s.t.Helper()
	out, err := s.s3().GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(s.bucket.ID)})
	if err != nil {
		return false
	}
	c := out.PublicAccessBlockConfiguration
	return aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets)
}

// waitState waits for a Remediation to reach state.
func (s *stack) waitState(id, state string) contract.Status {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	st, err := WaitState(ctx, temporalServer.Client, id, state)
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

// finding reads the finding of a violation from the fake Security Hub,
// waiting for it to reach want: a state leads its finding by up to one
// Security Hub batch window (DESIGN.md, "Findings").
func (s *stack) finding(ctx context.Context, policyID string, ref resource.Ref, want shtypes.WorkflowStatus) shtypes.AwsSecurityFinding {
	s.t.Helper()
	cfg := s.human()
	cfg.Credentials = staticAdmin()
	if ref.Region != "" {
		cfg.Region = ref.Region // findings are filed in the resource's region
	}
	client := securityhub.NewFromConfig(cfg)
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := client.GetFindings(ctx, &securityhub.GetFindingsInput{
			Filters: &shtypes.AwsSecurityFindingFilters{Id: []shtypes.StringFilter{{
				Value: aws.String(contract.FindingID(policyID, ref.ARN)), Comparison: shtypes.StringFilterComparisonEquals,
			}}},
		})
		if err != nil {
			s.t.Fatalf("get finding: %v", err)
		}
		if len(out.Findings) > 1 {
			s.t.Fatalf("want 1 finding for %s on %s, got %d", policyID, ref.ARN, len(out.Findings))
		}
		if len(out.Findings) == 1 && (out.Findings[0].Workflow != nil && out.Findings[0].Workflow.Status == want || time.Now().After(deadline)) {
			return out.Findings[0]
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no finding for %s on %s after 20s", policyID, ref.ARN)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// runs counts the executions (all runs) of a workflow ID.
func (s *stack) runs(ctx context.Context, workflowID string) int {
	s.t.Helper()
	resp, err := temporalServer.Client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowId = '%s'", workflowID),
	})
	if err != nil {
		s.t.Fatalf("count %s: %v", workflowID, err)
	}
	return int(resp.Count)
}

// trail records the CloudTrail events of a fake cloud.
type trail struct {
	mu     sync.Mutex
	events []map[string]any
}

func tapTrail(c *fakecloud.Cloud) *trail {
	t := &trail{}
	c.OnEvent(func(b []byte) {
		var ev map[string]any
		if json.Unmarshal(b, &ev) == nil {
			t.mu.Lock()
			t.events = append(t.events, ev)
			t.mu.Unlock()
		}
	})
	return t
}

// count counts successful calls of eventName made by an actor whose ARN
// contains actor.
func (t *trail) count(eventName, actor string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, ev := range t.events {
		d, _ := ev["detail"].(map[string]any)
		id, _ := d["userIdentity"].(map[string]any)
		arn, _ := id["arn"].(string)
		if d["eventName"] == eventName && d["errorCode"] == nil && strings.Contains(arn, actor) {
			n++
		}
	}
	return n
}

// testWriter logs through t until the test is over. A worker that is being
// stopped may still log from an activity it cancels after the test ended,
// which testing turns into a panic; those lines go to stderr instead.
type testWriter struct {
	t    *testing.T
	mu   sync.Mutex
	done bool
}

func newTestWriter(t *testing.T) *testWriter {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return w
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return os.Stderr.Write(p)
	}
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// freeTCPPort asks the kernel for a free loopback port.
func freeTCPPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

//go:build chaos

package chaos

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"go.temporal.io/api/workflowservice/v1"
	"gopkg.in/yaml.v3"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/devstack"
	ec2svc "github.com/rectifyhq/rectify/internal/service/ec2"
)

var keepLogs = flag.Bool("keep-logs", false, "print every process's log at the end, not only on failure")

// rectifyBin is cmd/rectify, built once for every process of every
// scenario: the binary an operator runs.
var rectifyBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "rectify-chaos-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	rectifyBin = filepath.Join(dir, "rectify")
	build := exec.Command("go", "build", "-o", rectifyBin, "github.com/rectifyhq/rectify/cmd/rectify")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build rectify: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one rectify process (fakecloud, worker or starter), its output
// in a log file beside the test's other files.
type proc struct {
	t    *testing.T
	name string
	args []string
	env  []string
	log  string

	cmd  *exec.Cmd
	done chan struct{}
}

func (p *proc) start() {
	p.t.Helper()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	fmt.Fprintf(f, "=== %s start %s\n", time.Now().Format(time.RFC3339Nano), strings.Join(p.args, " "))
	cmd := exec.Command(rectifyBin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group, so a kill reaches nothing else of the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start %s: %v", p.name, err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(p.done)
	}()
}

// kill sends SIGKILL, as an OOM kill or a lost node does, and reaps it.
func (p *proc) kill() {
	p.t.Helper()
	if p.cmd == nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
	p.cmd = nil
}

// stop ends it gracefully (SIGTERM), with SIGKILL after 10 s.
func (p *proc) stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	p.cmd = nil
}

func (p *proc) tail(n int) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// options shape one scenario's stack.
type options struct {
	// faults are --fault flags for the fake cloud.
	faults []string
	// modes sets a policy's mode (policy id → notify, approve, enforce).
	modes map[string]string
	// workers is how many worker processes run (default 1).
	workers int
	// visibility is the event queue's visibility timeout in seconds (default 5).
	visibility int
}

// stack is one scenario's processes and the clients to drive them.
type stack struct {
	t   *testing.T
	ctx context.Context
	dir string

	temporal     *devstack.Temporal
	temporalAddr string

	cloud    *proc
	workers  []*proc
	starter  *proc
	endpoint string
	queueURL string
	dlqURL   string
	config   string

	workerHealth  []string
	starterHealth string

	ec2 *ec2.Client // the human's
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func newStack(t *testing.T, o options) *stack {
	t.Helper()
	if o.workers == 0 {
		o.workers = 1
	}
	if o.visibility == 0 {
		o.visibility = 5
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := &stack{t: t, ctx: ctx, dir: t.TempDir()}

	s.temporalAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s.startTemporal()
	t.Cleanup(func() { _ = s.temporal.Stop() })

	seed := devstack.Seed("-chaos")
	seed.EventQueue.Attributes["VisibilityTimeout"] = fmt.Sprint(o.visibility)
	seedFile := filepath.Join(s.dir, "seed.yaml")
	writeYAML(t, seedFile, seed)

	cloudPort := freePort(t)
	s.endpoint = fmt.Sprintf("http://127.0.0.1:%d", cloudPort)
	s.queueURL = fmt.Sprintf("%s/%s/%s", s.endpoint, devstack.Account, devstack.EventQueue)
	s.dlqURL = fmt.Sprintf("%s/%s/%s", s.endpoint, devstack.Account, devstack.DeadLetterQueue)
	args := []string{"fakecloud", "--addr", fmt.Sprintf("127.0.0.1:%d", cloudPort), "--seed", seedFile, "--trail-log", s.trailLog()}
	for _, f := range o.faults {
		args = append(args, "--fault", f)
	}
	s.cloud = &proc{t: t, name: "fakecloud", args: args, log: filepath.Join(s.dir, "fakecloud.log")}
	s.cloud.start()
	s.waitTCP(fmt.Sprintf("127.0.0.1:%d", cloudPort))

	s.config = filepath.Join(s.dir, "rectify.yaml")
	writeYAML(t, s.config, s.rectifyConfig(o))

	for i := range o.workers {
		port := freePort(t)
		s.workerHealth = append(s.workerHealth, fmt.Sprintf("http://127.0.0.1:%d/readyz", port))
		s.workers = append(s.workers, &proc{t: t, name: fmt.Sprintf("worker%d", i+1),
			args: []string{"worker", "-c", s.config, "--metrics-listen", fmt.Sprintf("127.0.0.1:%d", port)},
			env:  []string{"AWS_ACCESS_KEY_ID=" + devstack.WorkerKeyID, "AWS_SECRET_ACCESS_KEY=" + devstack.WorkerSecret},
			log:  filepath.Join(s.dir, fmt.Sprintf("worker%d.log", i+1))})
	}
	for i, w := range s.workers {
		w.start()
		s.waitReady(s.workerHealth[i])
	}
	port := freePort(t)
	s.starterHealth = fmt.Sprintf("http://127.0.0.1:%d/readyz", port)
	s.starter = &proc{t: t, name: "starter",
		args: []string{"starter", "-c", s.config, "--listen", fmt.Sprintf("127.0.0.1:%d", port)},
		env:  []string{"AWS_ACCESS_KEY_ID=" + devstack.StarterKeyID, "AWS_SECRET_ACCESS_KEY=" + devstack.StarterSecret},
		log:  filepath.Join(s.dir, "starter.log")}
	s.starter.start()
	s.waitReady(s.starterHealth)

	t.Cleanup(func() {
		for _, p := range s.procs() {
			p.stop()
		}
		if t.Failed() || *keepLogs {
			for _, p := range s.procs() {
				t.Logf("--- %s (last lines of %s)\n%s", p.name, p.log, p.tail(40))
			}
		}
	})
	s.ec2 = ec2.NewFromConfig(devstack.HumanConfig(s.endpoint))
	return s
}

func (s *stack) procs() []*proc {
	return append(append([]*proc{s.starter}, s.workers...), s.cloud)
}

func (s *stack) trailLog() string { return filepath.Join(s.dir, "trail.jsonl") }

// startTemporal starts (or restarts) the dev server on the same address
// and SQLite file, so its state survives.
func (s *stack) startTemporal() {
	s.t.Helper()
	tmp, err := devstack.StartTemporal(s.ctx, devstack.TemporalOptions{HostPort: s.temporalAddr, DBFile: filepath.Join(s.dir, "temporal.db")})
	if err != nil {
		s.t.Fatal(err)
	}
	s.temporal = tmp
}

// rectifyConfig is the worker's and the starter's configuration: the
// stack's own (devstack.AppConfig) as a file, the way an operator
// writes one.
func (s *stack) rectifyConfig(o options) map[string]any {
	policies := map[string]any{}
	for id, mode := range o.modes {
		policies[id] = map[string]any{"mode": mode}
	}
	return map[string]any{
		"temporal": map[string]any{"address": s.temporalAddr, "task_queue": "chaos"},
		"aws": map[string]any{
			"region": devstack.Region, "endpoint": s.endpoint, "assume_role": devstack.RemediationRole,
			"security_hub": true, "findings_batch_delay": "500ms", "findings_batch_max_delay": "2s",
		},
		"queue":             map[string]any{"url": s.queueURL, "dlq_url": s.dlqURL, "workers": 4},
		"remediation_roles": []string{devstack.RemediationRolePattern},
		"approvers":         []string{devstack.HumanUser},
		"stages":            []map[string]any{{"account": devstack.Account, "stage": "active", "reason": "chaos suite"}},
		"policies":          policies,
		"log":               map[string]any{"level": "info", "format": "text"},
	}
}

func writeYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (s *stack) waitTCP(addr string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s not listening after 30 s: %v\n%s", addr, err, s.cloud.tail(20))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitReady polls a /readyz until it answers 200.
func (s *stack) waitReady(url string) {
	s.t.Helper()
	if err := pollReady(url, 60*time.Second); err != nil {
		s.t.Fatal(err)
	}
}

func pollReady(url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s: %s", url, within, last)
}

// restartWorker kills worker i with SIGKILL and starts it again.
func (s *stack) restartWorker(i int) {
	s.workers[i].kill()
	s.workers[i].start()
}

// openSSH is the human's mistake: a new security group with SSH open to
// the world, made through the SDK. It returns the group's ARN and the
// Remediation's workflow id.
func (s *stack) openSSH(name string) (groupID, workflowID string) {
	s.t.Helper()
	out, err := s.ec2.CreateSecurityGroup(s.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String("chaos " + name)})
	if err != nil {
		s.t.Fatalf("create group %s: %v", name, err)
	}
	id := aws.ToString(out.GroupId)
	_, err = s.ec2.AuthorizeSecurityGroupIngress(s.ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(id),
		IpPermissions: []ec2types.IpPermission{{
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
		}},
	})
	if err != nil {
		s.t.Fatalf("open SSH on %s: %v", id, err)
	}
	return id, contract.RemediationID(devstack.PolicySGAdminPorts, ec2svc.SecurityGroupARN(devstack.Account, devstack.Region, id))
}

// sshOpen says whether the group still lets the world in on port 22.
func (s *stack) sshOpen(groupID string) bool {
	s.t.Helper()
	out, err := s.ec2.DescribeSecurityGroupRules(s.ctx, &ec2.DescribeSecurityGroupRulesInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{groupID}}},
	})
	if err != nil {
		s.t.Fatalf("describe rules of %s: %v", groupID, err)
	}
	for _, r := range out.SecurityGroupRules {
		if !aws.ToBool(r.IsEgress) && aws.ToString(r.CidrIpv4) == "0.0.0.0/0" && aws.ToInt32(r.FromPort) <= 22 && aws.ToInt32(r.ToPort) >= 22 {
			return true
		}
	}
	return false
}

// waitResolved waits for every workflow to reach Resolved and returns
// how many did not, with their last state.
func (s *stack) waitResolved(ids []string, within time.Duration) (lost map[string]string) {
	ctx, cancel := context.WithTimeout(s.ctx, within)
	defer cancel()
	lost = map[string]string{}
	for _, id := range ids {
		if _, err := devstack.WaitState(ctx, s.temporal.Client, id, contract.StateResolved); err != nil {
			lost[id] = s.state(id)
		}
	}
	return lost
}

// trailEvent is the part of a CloudTrail record the suite reads.
type trailEvent struct {
	Detail struct {
		EventName    string         `json:"eventName"`
		EventTime    time.Time      `json:"eventTime"`
		ErrorCode    string         `json:"errorCode"`
		Request      map[string]any `json:"requestParameters"`
		UserIdentity struct {
			Type string `json:"type"`
			ARN  string `json:"arn"`
		} `json:"userIdentity"`
	} `json:"detail"`
}

// trail reads every CloudTrail event the fake cloud wrote so far.
func (s *stack) trail() []trailEvent {
	s.t.Helper()
	f, err := os.Open(s.trailLog())
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	var out []trailEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var e trailEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			s.t.Fatalf("trail log line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		s.t.Fatal(err)
	}
	return out
}

// revokesByRectify counts, per security group, the successful
// RevokeSecurityGroupIngress calls made by rectify's remediation role.
func (s *stack) revokesByRectify() map[string]int {
	out := map[string]int{}
	for _, e := range s.trail() {
		d := e.Detail
		if d.EventName != "RevokeSecurityGroupIngress" || d.ErrorCode != "" || !strings.Contains(d.UserIdentity.ARN, devstack.RemediationRoleName) {
			continue
		}
		if id, ok := d.Request["groupId"].(string); ok {
			out[id]++
		}
	}
	return out
}

var errNoSnapshot = errors.New("no completed Snapshot activity")

// snapshots returns the results of the workflow's completed Snapshot
// activities, as JSON.
func (s *stack) snapshots(workflowID string) ([]string, error) {
	iter := s.temporal.Client.GetWorkflowHistory(s.ctx, workflowID, "", false, 0)
	scheduled := map[int64]bool{}
	var out []string
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			return nil, err
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == "Snapshot" {
			scheduled[ev.GetEventId()] = true
		}
		if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil && scheduled[a.GetScheduledEventId()] {
			for _, p := range a.GetResult().GetPayloads() {
				out = append(out, string(p.GetData()))
			}
		}
	}
	if len(out) == 0 {
		return nil, errNoSnapshot
	}
	return out, nil
}

// state is a Remediation's state now, or "-" when it cannot be read.
func (s *stack) state(workflowID string) string {
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Second)
	defer cancel()
	v, err := s.temporal.Client.QueryWorkflow(ctx, workflowID, "", contract.QueryStatus)
	var st contract.Status
	if err != nil || v.Get(&st) != nil || st.State == "" {
		return "-"
	}
	return st.State
}

// evaluations counts the Evaluate runs of a resource.
func (s *stack) evaluations(arn string) int {
	s.t.Helper()
	n := 0
	var token []byte
	for {
		resp, err := s.temporal.Client.ListWorkflow(s.ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowId = '%s'", contract.EvaluateID(arn)), NextPageToken: token,
		})
		if err != nil {
			s.t.Fatalf("list evaluations of %s: %v", arn, err)
		}
		n += len(resp.GetExecutions())
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return n
		}
	}
}

// humanEC2 is the human's EC2 client with more retries, for scenarios
// that throttle everyone.
func (s *stack) humanEC2(attempts int) *ec2.Client {
	cfg := devstack.HumanConfig(s.endpoint)
	cfg.RetryMaxAttempts = attempts
	return ec2.NewFromConfig(cfg)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/devstack"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
)

// syncBuffer is a bytes.Buffer safe for the goroutines of `rectify dev`.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// rectify runs one CLI command in-process and returns its stdout.
func rectify(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := rectify(t, args...)
	if err != nil {
		t.Fatalf("rectify %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func wantErr(t *testing.T, contains string, args ...string) {
	t.Helper()
	out, err := rectify(t, args...)
	if err == nil {
		t.Fatalf("rectify %s succeeded, want an error containing %q:\n%s", strings.Join(args, " "), contains, out)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Errorf("rectify %s: error %q, want it to contain %q", strings.Join(args, " "), err, contains)
	}
	// What a person reads carries no Temporal internals.
	if strings.Contains(err.Error(), "(type:") || strings.Contains(err.Error(), "retryable:") {
		t.Errorf("rectify %s: error %q carries Temporal internals", strings.Join(args, " "), err)
	}
}

// hasRow checks a "Key   value" line of `rectify show`.
func hasRow(t *testing.T, out, key, value string) {
	t.Helper()
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + `\s+` + regexp.QuoteMeta(value)).MatchString(out) {
		t.Errorf("no row %s: %s... in:\n%s", key, value, out)
	}
}

func within(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// `rectify dev --demo` on free ports, driven as a person would: it stops
// at the approve-mode violation with the exact command, the CLI lists and
// shows it against the running stack, a person runs the printed command,
// and `rectify demo play` plays it again on the same stack.
func TestDevDemoWaitsForAPerson(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server and the whole local stack")
	}
	t.Setenv("RECTIFY_CONFIG", "")
	temporalAddr, metricsAddr := freeAddr(t), freeAddr(t)
	_, temporalPort, _ := strings.Cut(temporalAddr, ":")
	_, uiPort, _ := strings.Cut(freeAddr(t), ":")
	var out syncBuffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"dev", "--demo", "--temporal-port", temporalPort, "--ui-port", uiPort,
		"--fakecloud-addr", freeAddr(t), "--metrics-listen", metricsAddr, "--listen", freeAddr(t), "--state-dir", t.TempDir()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("rectify dev did not stop")
		}
	})
	approveLine := regexp.MustCompile(`(?m)^  demo:     (rectify approve \S+ \S+ --as alice --address \S+)$`)
	var command string
	within(t, "the demo to ask a person", 2*time.Minute, func() bool {
		select {
		case err := <-done:
			t.Fatalf("rectify dev exited: %v\n%s", err, out.String())
		default:
		}
		if m := approveLine.FindStringSubmatch(out.String()); m != nil {
			command = m[1]
			return true
		}
		return false
	})
	asked := time.Since(start)
	banner := out.String()
	for _, want := range []string{"export RECTIFY_TEMPORAL_ADDRESS=" + temporalAddr, "rectify demo play --dev http://" + metricsAddr,
		"The demo stops when the bucket fix needs a decision", "or reject it: rectify reject"} {
		if !strings.Contains(banner, want) {
			t.Errorf("output lacks %q:\n%s", want, banner)
		}
	}
	if strings.Contains(banner, "rectify dev --demo") {
		t.Errorf("the banner suggests a second rectify dev --demo on a stack that holds the ports:\n%s", banner)
	}
	fields := strings.Fields(command)
	policy, arn := fields[2], fields[3]
	id := contract.RemediationID(policy, arn)

	// The CLI against the running stack, while the demo waits.
	addr := []string{"--address", temporalAddr}
	// The list reads Temporal's visibility store, which may lag the
	// workflow's state by a moment: poll a little.
	var rows []listRow
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		rows = nil
		if err := json.Unmarshal([]byte(mustRun(t, append([]string{"list", "--state", "awaiting", "-o", "json"}, addr...)...)), &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(rows) != 1 || rows[0].WorkflowID != id || rows[0].Deadline == nil || rows[0].Action != "turn on all four S3 public access block settings" {
		t.Fatalf("list --state awaiting = %+v", rows)
	}
	table := mustRun(t, append([]string{"list", "--state", "AWAITING"}, addr...)...)
	for _, want := range []string{"AGE", "DEADLINE", "ACTION", "AwaitingApproval", "in 23h59m", "turn on all four"} {
		if !strings.Contains(table, want) {
			t.Errorf("list table lacks %q:\n%s", want, table)
		}
	}
	wantErr(t, "valid: New, Suppressed", append([]string{"list", "--state", "pending"}, addr...)...)
	show := mustRun(t, append([]string{"show", policy, arn}, addr...)...)
	for key, value := range map[string]string{
		"State":       "AwaitingApproval (workflow running)",
		"Action":      "turn on all four S3 public access block settings",
		"Changed by":  "DeleteBucketPublicAccessBlock (cloudtrail) by arn:aws:iam::" + devstack.Account + ":user/alice",
		"Deadline":    "20", // a date, then "then reject"
		"Approvers":   "alice",
		"Temporal UI": "http://127.0.0.1:8233/namespaces/default/workflows/remediation%2Faws.s3.public_access_block%2Farn:aws:s3:::", // no RECTIFY_TEMPORAL_UI_URL here
		"Finding":     "rectify/aws.s3.public_access_block/" + arn,
	} {
		hasRow(t, show, key, value)
	}
	for _, want := range []string{"then reject", "Story:", "AwaitingApproval  approve to turn on all four", "rectify approve " + policy + " " + arn + " --as YOU"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}

	// Nobody decided, so nothing moves.
	time.Sleep(2 * time.Second)
	hasRow(t, mustRun(t, append([]string{"show", id}, addr...)...), "State", "AwaitingApproval")
	if strings.Contains(out.String(), "demo done") {
		t.Fatal("the demo finished without a decision")
	}

	// The person runs exactly what the demo printed.
	decided := time.Now()
	mustRun(t, fields[1:]...)
	within(t, "the demo to finish", 90*time.Second, func() bool { return strings.Contains(out.String(), "demo done in") })
	t.Logf("demo: asked for a decision %s after start; done %s after the decision", asked.Round(100*time.Millisecond), time.Since(decided).Round(100*time.Millisecond))
	if !strings.Contains(out.String(), "2 violation(s) remediated and verified (approved by alice)") {
		t.Errorf("demo result:\n%s", out.String())
	}

	// The scenario again, on the running stack, approving by itself.
	playStart := time.Now()
	played := mustRun(t, "demo", "play", "--auto-approve", "--dev", "http://"+metricsAddr)
	t.Logf("demo play --auto-approve: %s", time.Since(playStart).Round(100*time.Millisecond))
	if !strings.Contains(played, "approving by itself as alice (--auto-approve)") || !strings.Contains(played, `"ok":true`) {
		t.Errorf("demo play:\n%s", played)
	}
	t.Logf("rectify dev printed:\n%s\nrectify demo play printed:\n%s", out.String(), played)
}

// operatorStack is a dev server, a fake cloud and an app (worker and
// starter) for the CLI to talk to, and the CLI's config file.
type operatorStack struct {
	tc       *devstack.Temporal
	endpoint string
	cfgFile  string
	addr     []string
	sg       resource.Ref
	bucket   resource.Ref
	human    aws.Config
}

func newOperatorStack(t *testing.T, configure func(*config.Config)) *operatorStack {
	t.Helper()
	t.Setenv("RECTIFY_CONFIG", "")
	ctx := context.Background()
	tmp, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tmp.Stop() })
	cloud := fakecloud.New(fakecloud.Options{})
	endpoint, err := cloud.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cloud.Close() })
	suffix := fmt.Sprintf("-op%d", time.Now().UnixNano()%1e6)
	if err := cloud.Apply(devstack.Seed(suffix)); err != nil {
		t.Fatal(err)
	}
	cfg := devstack.AppConfig("rectify-op", endpoint, endpoint+"/"+devstack.Account+"/"+devstack.EventQueue)
	cfg.Settle = config.Duration(300 * time.Millisecond)
	if configure != nil {
		configure(&cfg)
	}
	app, err := devstack.StartApp(ctx, devstack.AppOptions{Temporal: tmp.Client, Config: cfg, StageTTL: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Stop)
	d := &devstack.Demo{Endpoint: endpoint, Suffix: suffix}
	s := &operatorStack{tc: tmp, endpoint: endpoint, human: devstack.HumanConfig(endpoint)}
	if s.sg, s.bucket, err = d.Targets(ctx); err != nil {
		t.Fatal(err)
	}
	// The CLI's config names a Temporal where nothing listens: --address
	// must win over it.
	s.cfgFile = filepath.Join(t.TempDir(), "rectify.yaml")
	file := fmt.Sprintf("temporal:\n  address: 127.0.0.1:1\n  task_queue: %s\naws:\n  region: %s\n  endpoint: %s\napprovers: [alice]\nlog:\n  level: error\n",
		cfg.Temporal.TaskQueue, devstack.Region, endpoint)
	if err := os.WriteFile(s.cfgFile, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	s.addr = []string{"--config", s.cfgFile, "--address", tmp.HostPort}
	return s
}

func (s *operatorStack) run(t *testing.T, args ...string) string {
	t.Helper()
	return mustRun(t, append(args, s.addr...)...)
}

func (s *operatorStack) fails(t *testing.T, contains string, args ...string) {
	t.Helper()
	wantErr(t, contains, append(args, s.addr...)...)
}

func (s *operatorStack) state(t *testing.T, id string) contract.Status {
	t.Helper()
	var st contract.Status
	v, err := s.tc.Client.QueryWorkflow(context.Background(), id, "", contract.QueryStatus)
	if err == nil {
		err = v.Get(&st)
	}
	if err != nil {
		return contract.Status{}
	}
	return st
}

func (s *operatorStack) waitState(t *testing.T, id, state string) {
	t.Helper()
	within(t, id+" to be "+state, 90*time.Second, func() bool { return s.state(t, id).State == state })
}

func (s *operatorStack) openPort(t *testing.T, port int32) {
	t.Helper()
	if _, err := ec2.NewFromConfig(s.human).AuthorizeSecurityGroupIngress(context.Background(), &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(s.sg.ID), IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
	}); err != nil {
		t.Fatal(err)
	}
}

// A new account observes; the CLI previews a sweep (nothing changes),
// promotes the account through the Accounts workflow, previews again
// (now a fix), and the violations then go through approve, reject with a
// snooze, and undo, with errors a person can read.
func TestOperatorCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server and the local stack")
	}
	s := newOperatorStack(t, func(c *config.Config) {
		c.Stages = nil // the demo account starts in observe, as a real one
		c.Policies = map[string]config.PolicySettings{devstack.PolicyS3PAB: {Mode: contract.ModeApprove}}
	})
	acct, region := devstack.Account, devstack.Region
	sgID := contract.RemediationID(devstack.PolicySGAdminPorts, s.sg.ARN)

	wantErr(t, "connect to Temporal at 127.0.0.1:1", "list", "--config", s.cfgFile) // the file's address, without --address

	// Observe.
	if out := s.run(t, "accounts", "list"); !regexp.MustCompile(`\* \(any other\)\s+\(all\)\s+observe\s+default`).MatchString(out) {
		t.Errorf("accounts list:\n%s", out)
	}
	s.openPort(t, 22)
	s.waitState(t, sgID, contract.StateNotified)
	preview := s.run(t, "sweep", "trigger", "--account", acct, "--region", region, "--preview")
	if !strings.Contains(preview, "would notify only; observe stage: would revoke ingress rule(s)") ||
		!strings.Contains(preview, "0 would be changed without a person deciding. Preview only: nothing was changed.") {
		t.Errorf("preview in observe:\n%s", preview)
	}

	// Promote.
	s.fails(t, "promote needs --reason", "accounts", "promote", acct, "--as", "alice")
	s.fails(t, "mallory is not an approver", "accounts", "promote", acct, "--as", "mallory", "--reason", "x")
	s.fails(t, "did you mean aws.s3.public_access_block", "accounts", "promote", acct, "--policy", "aws.s3.public_acess_block", "--as", "alice", "--reason", "x")
	if out := s.run(t, "accounts", "promote", acct, "--as", "alice", "--reason", "reviewed a week of findings"); !strings.Contains(out, "account "+acct+" is now active (set by alice)") {
		t.Errorf("promote:\n%s", out)
	}
	time.Sleep(300 * time.Millisecond) // past the worker's stage cache
	preview = s.run(t, "sweep", "trigger", "--account", acct, "--region", region, "--preview")
	if !regexp.MustCompile(`security-group/`+s.sg.ID+`\s+aws.ec2.sg_public_admin_ports\s+HIGH\s+enforce\s+active\s+would fix: revoke ingress rule\(s\)`).MatchString(preview) ||
		regexp.MustCompile(` 0 would be changed`).MatchString(preview) {
		t.Errorf("preview after the promotion:\n%s", preview)
	}
	if st := s.state(t, sgID); st.State != contract.StateNotified {
		t.Errorf("the preview changed the violation: %s", st.State)
	}
	var stages []stageRow
	if err := json.Unmarshal([]byte(s.run(t, "accounts", "list", "-o", "json")), &stages); err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 || stages[0].Account != acct || stages[0].Stage != contract.StageActive || stages[0].By != "alice" || stages[0].Source != "rectify accounts" {
		t.Errorf("accounts list -o json = %+v", stages)
	}

	// The next change is fixed; undo it twice.
	s.openPort(t, 3389)
	s.waitState(t, sgID, contract.StateResolved)
	s.fails(t, "undo needs --reason", "undo", devstack.PolicySGAdminPorts, s.sg.ARN, "--as", "alice")
	if out := s.run(t, "undo", devstack.PolicySGAdminPorts, s.sg.ARN, "--as", "alice", "--reason", "bastion host"); !strings.Contains(out, `"state":"Undone"`) {
		t.Errorf("undo: %s", out)
	}
	s.fails(t, "already undone by alice", "undo", "--policy", devstack.PolicySGAdminPorts, "--resource", s.sg.ARN, "--as", "alice", "--reason", "again")

	// Approve mode: refusals a person can read, a rejection that snoozes.
	if _, err := s3.NewFromConfig(s.human, func(o *s3.Options) { o.UsePathStyle = true }).DeletePublicAccessBlock(context.Background(),
		&s3.DeletePublicAccessBlockInput{Bucket: aws.String(s.bucket.ID)}); err != nil {
		t.Fatal(err)
	}
	bucketID := contract.RemediationID(devstack.PolicyS3PAB, s.bucket.ARN)
	s.waitState(t, bucketID, contract.StateAwaitingApproval)
	s.fails(t, "reject needs --reason", "reject", devstack.PolicyS3PAB, s.bucket.ARN, "--as", "alice")
	s.fails(t, "mallory is not an approver of "+devstack.PolicyS3PAB, "approve", devstack.PolicyS3PAB, s.bucket.ARN, "--as", "mallory")
	if out := s.run(t, "reject", s.bucket.ARN, "--as", "alice", "--reason", "public website"); !strings.Contains(out, `"state":"Rejected"`) {
		t.Errorf("reject by ARN alone: %s", out)
	}
	s.waitState(t, bucketID, contract.StateRejected)
	var rows []listRow
	if err := json.Unmarshal([]byte(s.run(t, "list", "--state", "rejected", "--resource", s.bucket.ARN, "-o", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].SnoozedUntil == nil || time.Until(*rows[0].SnoozedUntil) < 6*24*time.Hour {
		t.Errorf("list --state rejected = %+v, want one snoozed for a week", rows)
	}
	shown := s.run(t, "show", s.bucket.ARN)
	hasRow(t, shown, "Snoozed until", "20")
	hasRow(t, shown, "Reason", "public website")
	s.fails(t, "not awaiting approval: already Rejected by alice (snoozed until", "approve", bucketID, "--as", "alice")
	s.fails(t, "no such violation", "show", "aws.s3.public_access_block", "arn:aws:s3:::no-such-bucket")
	s.fails(t, "Namespace nope is not found", "list", "--namespace", "nope")
}

//go:build chaos

package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/devstack"
	ec2svc "github.com/rectifyhq/rectify/internal/service/ec2"
)

// TestChaos runs the scenarios: Security Hub's two-minute outage beside
// the others, which run one after another (two cores: one stack at a time
// doing work, the outage mostly waiting).
func TestChaos(t *testing.T) {
	t.Run("securityhub-down", func(t *testing.T) {
		t.Parallel()
		securityHubDown(t)
	})
	t.Run("serial", func(t *testing.T) {
		t.Parallel()
		t.Run("worker-kill", workerKill)
		t.Run("two-workers", twoWorkers)
		t.Run("starter-kill", starterKill)
		t.Run("temporal-restart", temporalRestart)
		t.Run("aws-faults", awsFaults)
		t.Run("malformed-messages", malformedMessages)
	})
}

// report prints one scenario's figures in a form a reader can grep and
// compare between runs.
func report(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	t.Log(msg)
	fmt.Printf("chaos %s: %s\n", t.Name(), msg)
}

// checkFixedOnce checks every violation of ids (group → workflow) was
// resolved, the port is closed, rectify revoked it exactly once, and
// every snapshot holds the open rule (the state before the first apply).
func checkFixedOnce(t *testing.T, s *stack, groups map[string]string, settleFrom time.Time, within time.Duration) {
	t.Helper()
	ids := make([]string, 0, len(groups))
	for _, id := range groups {
		ids = append(ids, id)
	}
	lost := s.waitResolved(ids, within)
	settled := time.Since(settleFrom)
	revokes := s.revokesByRectify()
	var double, open, badSnap []string
	for g, id := range groups {
		if revokes[g] > 1 {
			double = append(double, fmt.Sprintf("%s×%d", g, revokes[g]))
		}
		if s.sshOpen(g) {
			open = append(open, g)
		}
		snaps, err := s.snapshots(id)
		if err != nil {
			badSnap = append(badSnap, fmt.Sprintf("%s: %v", g, err))
			continue
		}
		for _, snap := range snaps {
			if !strings.Contains(snap, "0.0.0.0/0") {
				badSnap = append(badSnap, fmt.Sprintf("%s: %s", g, snap))
			}
		}
	}
	applied := 0
	for g := range groups {
		applied += revokes[g]
	}
	report(t, "%d violations: %d resolved, %d lost, %d still open, %d applies (%d double), %d bad snapshots; settled in %s",
		len(groups), len(groups)-len(lost), len(lost), len(open), applied, len(double), len(badSnap), settled.Round(100*time.Millisecond))
	if len(lost) > 0 {
		t.Errorf("lost (not Resolved; last state): %v", lost)
	}
	if len(open) > 0 {
		t.Errorf("SSH still open on %v", open)
	}
	if len(double) > 0 {
		t.Errorf("fix applied more than once (double harm): %v", double)
	}
	if len(lost) == 0 && applied != len(groups) {
		t.Errorf("%d applies for %d resolved violations, want exactly one each", applied, len(groups))
	}
	if len(badSnap) > 0 {
		t.Errorf("snapshots without the state before the first apply: %v", badSnap)
	}
}

// workerKill kills the worker with SIGKILL 20 times while remediations run
// (the revoke is slowed so that kills land in Snapshot, Apply and Verify),
// restarting it each time.
func workerKill(t *testing.T) {
	s := newStack(t, options{faults: []string{"ec2:RevokeSecurityGroupIngress:latency=600ms", "ec2:DescribeSecurityGroupRules:latency=150ms"}})
	const rounds = 20
	groups := map[string]string{}
	states := map[string]int{}
	start := time.Now()
	for i := range rounds {
		g, id := s.openSSH(fmt.Sprintf("kill-%02d", i))
		groups[g] = id
		// The settle period is 1 s; kill at 1.2 s to 2.9 s after the
		// change, spread over the remediation's steps.
		time.Sleep(1200*time.Millisecond + time.Duration(i%6)*350*time.Millisecond)
		states[s.state(id)]++
		s.restartWorker(0)
	}
	report(t, "%d kills; the killed violation's state at each kill: %v", rounds, states)
	checkFixedOnce(t, s, groups, start, 3*time.Minute)
}

// twoWorkers runs two workers, kills one of them now and then, and checks
// no action ran twice.
func twoWorkers(t *testing.T) {
	s := newStack(t, options{workers: 2, faults: []string{"ec2:RevokeSecurityGroupIngress:latency=400ms"}})
	groups := map[string]string{}
	start := time.Now()
	for i := range 10 {
		g, id := s.openSSH(fmt.Sprintf("two-%02d", i))
		groups[g] = id
		if i%3 == 2 {
			time.Sleep(1500 * time.Millisecond)
			s.restartWorker(i % 2)
		}
	}
	checkFixedOnce(t, s, groups, start, 2*time.Minute)
}

// starterKill kills the starter between SignalWithStart and the SQS
// delete: every DeleteMessage takes 2 s (a fault), so a kill 0.6 to 1.5 s
// after the human's change lands after the starter started the evaluation
// and before it deleted the message. The message comes back after its
// visibility timeout; nothing is lost and nothing is fixed twice.
func starterKill(t *testing.T) {
	s := newStack(t, options{visibility: 3, faults: []string{"sqs:DeleteMessage:latency=2s"}})
	groups := map[string]string{}
	start := time.Now()
	for i := range 10 {
		g, id := s.openSSH(fmt.Sprintf("starter-%02d", i))
		groups[g] = id
		time.Sleep(time.Duration(600+i*100) * time.Millisecond)
		s.starter.kill()
		s.starter.start()
	}
	checkFixedOnce(t, s, groups, start, 2*time.Minute)
	var runs []int
	for g := range groups {
		runs = append(runs, s.evaluations(ec2svc.SecurityGroupARN(devstack.Account, devstack.Region, g)))
	}
	slices.Sort(runs)
	report(t, "10 starter kills; Evaluate runs per violated group: min %d, max %d (each group had 3 human events: create, authorize, and rectify's revoke)", runs[0], runs[len(runs)-1])
}

// temporalRestart stops the Temporal server while a fix waits for
// approval, starts it again on the same database, and approves: the fix
// follows.
func temporalRestart(t *testing.T) {
	s := newStack(t, options{modes: map[string]string{devstack.PolicySGAdminPorts: "approve"}})
	g, id := s.openSSH("restart")
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	if _, err := devstack.WaitState(ctx, s.temporal.Client, id, contract.StateAwaitingApproval); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	if err := s.temporal.Stop(); err != nil {
		t.Fatalf("stop temporal: %v", err)
	}
	time.Sleep(3 * time.Second)
	s.startTemporal()
	if err := pollReady(s.workerHealth[0], time.Minute); err != nil {
		t.Fatalf("worker after the restart: %v", err)
	}
	back := time.Since(down)
	// The approval, as a person gives it: the CLI, in its own process.
	var out []byte
	var err error
	for range 10 {
		cmd := exec.Command(rectifyBin, "approve", devstack.PolicySGAdminPorts, ec2svc.SecurityGroupARN(devstack.Account, devstack.Region, g),
			"--as", devstack.HumanUser, "--address", s.temporalAddr, "--reason", "chaos: approved after a server restart")
		if out, err = cmd.CombinedOutput(); err == nil {
			break
		}
		time.Sleep(time.Second)
	}
	if err != nil {
		t.Fatalf("rectify approve after the restart: %v\n%s", err, out)
	}
	checkFixedOnce(t, s, map[string]string{g: id}, down, time.Minute)
	report(t, "server down and back, worker ready again in %s; approval landed: %s", back.Round(100*time.Millisecond), strings.TrimSpace(string(out)))
}

// awsFaults throttles 30 % of EC2 and Security Hub calls and slows every
// one by 200 ms: every violation is still fixed, once.
func awsFaults(t *testing.T) {
	s := newStack(t, options{faults: []string{
		"ec2:*:code=RequestLimitExceeded,rate=0.3,latency=200ms",
		"securityhub:*:code=TooManyRequestsException,rate=0.3,latency=200ms",
	}})
	// The human's SDK retries too; give it room, it is not under test.
	s.ec2 = s.humanEC2(10)
	groups := map[string]string{}
	start := time.Now()
	for i := range 10 {
		g, id := s.openSSH(fmt.Sprintf("faults-%02d", i))
		groups[g] = id
	}
	checkFixedOnce(t, s, groups, start, 3*time.Minute)
}

// securityHubDown refuses every Security Hub call for the first two
// minutes: fixes proceed, and the findings arrive once it is back.
func securityHubDown(t *testing.T) {
	const outage = 2 * time.Minute
	s := newStack(t, options{faults: []string{fmt.Sprintf("securityhub:*:code=ServiceUnavailable,for=%s", outage)}})
	upAt := time.Now().Add(outage)
	groups := map[string]string{}
	start := time.Now()
	var arns []string
	for i := range 5 {
		g, id := s.openSSH(fmt.Sprintf("hub-%02d", i))
		groups[g] = id
		arns = append(arns, ec2svc.SecurityGroupARN(devstack.Account, devstack.Region, g))
	}
	checkFixedOnce(t, s, groups, start, 90*time.Second)
	fixedDuringOutage := time.Now().Before(upAt)
	report(t, "all fixed %s before Security Hub came back", time.Until(upAt).Round(time.Second))
	if !fixedDuringOutage {
		t.Errorf("the fixes waited for Security Hub")
	}
	ctx, cancel := context.WithTimeout(s.ctx, time.Until(upAt)+2*time.Minute)
	defer cancel()
	var got map[string]int
	for {
		var err error
		got, err = devstack.Findings(ctx, s.endpoint, arns...)
		if err == nil && got["RESOLVED"] == len(arns) {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("findings %v after the outage (last error %v), want %d RESOLVED", got, err, len(arns))
		}
		time.Sleep(2 * time.Second)
	}
	report(t, "%d findings RESOLVED %s after Security Hub came back, none lost", got["RESOLVED"], time.Since(upAt).Round(time.Second))
}

// malformedMessages puts what no parser can read on the event queue:
// nothing is dropped, all of it reaches the dead-letter queue, and
// `rectify dlq inspect` names each reason.
func malformedMessages(t *testing.T) {
	s := newStack(t, options{visibility: 1})
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	bodies := map[string]string{
		"garbage":       "this is not an event }{ \u00ff",
		"unknown shape": `{"hello":"world","detail-type":"Something Else"}`,
		"250 KiB":       `{"detail":{"x":"` + strings.Repeat("a", 250*1024) + `"}}`,
		"deep nesting":  deep,
	}
	q := sqs.NewFromConfig(devstack.HumanConfig(s.endpoint))
	sent := map[string]string{} // message id → what
	for what, body := range bodies {
		out, err := q.SendMessage(s.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(s.queueURL), MessageBody: aws.String(body)})
		if err != nil {
			t.Fatalf("send %s: %v", what, err)
		}
		sent[aws.ToString(out.MessageId)] = what
	}
	deadline := time.Now().Add(90 * time.Second)
	var lines []dlqLine
	for {
		lines = s.inspectDLQ()
		if len(lines) >= len(sent) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	named := 0
	for _, l := range lines {
		what, ok := sent[l.ID]
		if !ok {
			t.Errorf("dead-letter message %s was not one of ours: %s", l.ID, l.Error)
			continue
		}
		if l.Error == "" {
			t.Errorf("dlq inspect names no reason for the %s message", what)
			continue
		}
		named++
		report(t, "%s → dead-letter queue: %.100s", what, l.Error)
	}
	report(t, "%d malformed messages sent, %d on the dead-letter queue with a reason", len(sent), named)
	if named != len(sent) {
		t.Errorf("%d of %d malformed messages reached the dead-letter queue with a reason", named, len(sent))
	}
}

// dlqLine is one line of `rectify dlq inspect`.
type dlqLine struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

func (s *stack) inspectDLQ() []dlqLine {
	s.t.Helper()
	cmd := exec.Command(rectifyBin, "dlq", "inspect", "-c", s.config)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+devstack.StarterKeyID, "AWS_SECRET_ACCESS_KEY="+devstack.StarterSecret)
	out, err := cmd.Output()
	if err != nil {
		s.t.Fatalf("rectify dlq inspect: %v\n%s", err, out)
	}
	var lines []dlqLine
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l == "" {
			continue
		}
		var d dlqLine
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			s.t.Fatalf("dlq inspect line %q: %v", l, err)
		}
		lines = append(lines, d)
	}
	return lines
}

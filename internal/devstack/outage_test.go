package devstack

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	svcec2 "github.com/rectifyhq/rectify/internal/service/ec2"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/logging"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/starter"
)

// The defaults keep TestTemporalOutage near a minute: the outage outlasts
// maxReceiveCount × (visibility + the SDK's 10 s RPC timeout), which is
// what dead-lettered events before the starter paused. The local stack's
// figures are -outage=2m -outage-visibility=30 -outage-max-receives=3.
var (
	outageFor         = flag.Duration("outage", 30*time.Second, "TestTemporalOutage: how long the Temporal dev server is down")
	outageVisibility  = flag.Int("outage-visibility", 2, "TestTemporalOutage: the event queue's visibility timeout, in seconds")
	outageMaxReceives = flag.Int("outage-max-receives", 2, "TestTemporalOutage: the event queue's maxReceiveCount")
)

// TestTemporalOutage kills the Temporal dev server, makes one change a
// second for longer than maxReceiveCount × the visibility timeout, starts
// the server again on the same port and database, and checks that every
// event was evaluated and none reached the dead-letter queue.
func TestTemporalOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a Temporal dev server of its own")
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(newTestWriter(t), &slog.HandlerOptions{Level: slog.LevelWarn}))
	db := filepath.Join(t.TempDir(), "temporal.db")
	srv, err := StartTemporal(ctx, TemporalOptions{DBFile: db, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	// The app's own client: it outlives the server process it first
	// reached, as a production client outlives a Temporal restart.
	tc, err := client.Dial(client.Options{HostPort: srv.HostPort, Logger: logging.Temporal(log)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)

	suffix := fmt.Sprintf("-outage-%d", time.Now().UnixNano()%1e6)
	cloud := fakecloud.New(fakecloud.Options{})
	endpoint, err := cloud.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cloud.Close() })
	seed := Seed(suffix)
	seed.EventQueue.Attributes = map[string]string{
		"VisibilityTimeout": strconv.Itoa(*outageVisibility),
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:` + Region + `:` + Account + `:` + DeadLetterQueue +
			`","maxReceiveCount":"` + strconv.Itoa(*outageMaxReceives) + `"}`,
	}
	if err := cloud.Apply(seed); err != nil {
		t.Fatal(err)
	}
	cfg := AppConfig("rectify-outage"+suffix, endpoint, endpoint+"/"+Account+"/"+EventQueue)
	cfg.Settle = config.Duration(300 * time.Millisecond)
	m := metrics.New()
	app, err := StartApp(ctx, AppOptions{Temporal: tc, Config: cfg, Policies: policySet, Log: log, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Stop)
	// The starter's /readyz, as cmd/rectify serves it.
	web := httptest.NewServer(starter.NewHTTPServer("", nil, app.Consumer.Ready).Handler)
	t.Cleanup(web.Close)
	readyz := func() (int, string) {
		resp, err := http.Get(web.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := readyz(); code != http.StatusOK {
		t.Fatalf("starter /readyz before the outage = %d %s", code, body)
	}

	if err := srv.Stop(); err != nil {
		t.Fatalf("stop temporal: %v", err)
	}
	down := time.Now()
	ec2c := ec2.NewFromConfig(HumanConfig(endpoint))
	var groups []string
	for time.Since(down) < *outageFor-3*time.Second {
		out, err := ec2c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
			GroupName: aws.String(fmt.Sprintf("outage-%d%s", len(groups), suffix)), Description: aws.String("made while Temporal is down"),
		})
		if err != nil {
			t.Fatalf("create security group: %v", err)
		}
		groups = append(groups, aws.ToString(out.GroupId))
		time.Sleep(time.Second)
	}
	time.Sleep(*outageFor - time.Since(down))
	midDLQ, _, err := cloud.QueueDepth(cfg.Queue.DLQURL)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := readyz(); code != http.StatusServiceUnavailable || !strings.Contains(body, "receiving paused") {
		t.Errorf("starter /readyz at the end of the outage = %d %s, want 503 paused", code, body)
	}
	srv, err = StartTemporal(ctx, TemporalOptions{HostPort: srv.HostPort, DBFile: db, Log: log})
	if err != nil {
		t.Fatalf("restart temporal: %v", err)
	}
	up := time.Now()
	t.Logf("Temporal down for %s; %d changes made meanwhile; %d messages on the DLQ when it came back",
		up.Sub(down).Round(time.Second), len(groups), midDLQ)

	// Every change is evaluated once Temporal is back: one Evaluate per new
	// group, which saw its one change.
	deadline := time.Now().Add(time.Minute)
	missing := 0
	for _, id := range groups {
		var res contract.EvaluateResult
		err := waitResult(ctx, deadline, tc, contract.EvaluateID(svcec2.SecurityGroupARN(Account, Region, id)), &res)
		switch {
		case err != nil:
			missing++
			t.Errorf("security group %s: %v", id, err)
		case res.Changes != 1 || res.Passes < 1:
			t.Errorf("security group %s: evaluated %d passes for %d changes, want the one change evaluated", id, res.Passes, res.Changes)
		}
	}
	t.Logf("evaluations checked %s after Temporal came back; %d of %d never evaluated", time.Since(up).Round(100*time.Millisecond), missing, len(groups))
	dlq, _, err := cloud.QueueDepth(cfg.Queue.DLQURL)
	if err != nil {
		t.Fatal(err)
	}
	if dlq != 0 {
		t.Errorf("%d messages on the dead-letter queue, want none", dlq)
	}
	waitQueueEmpty(t, cloud, cfg.Queue.URL)
	st := app.Stats.Snapshot()
	t.Logf("receives %d for %d messages (%.2f per message), deleted %d, start errors %d, dead-lettered %d",
		st.Received, len(groups), float64(st.Received)/float64(len(groups)), st.Deleted, st.StartErrors, dlq)
	if st.Received != len(groups) || st.Deleted != len(groups) {
		t.Errorf("received %d, deleted %d messages for %d changes: want each received once and deleted", st.Received, st.Deleted, len(groups))
	}
	if st.Pauses != 1 {
		t.Errorf("receiving paused %d times, want once for one outage", st.Pauses)
	}
	if code, body := readyz(); code != http.StatusOK {
		t.Errorf("starter /readyz after the outage = %d %s, want 200", code, body)
	}
}

// waitResult waits until deadline (or a second, once it has passed) for a
// workflow to exist and complete, and decodes its result.
func waitResult(ctx context.Context, deadline time.Time, c client.Client, workflowID string, v any) error {
	if soon := time.Now().Add(time.Second); deadline.Before(soon) {
		deadline = soon
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	for {
		err := c.GetWorkflow(ctx, workflowID, "").Get(ctx, v)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", workflowID, errors.Join(err, ctx.Err()))
		}
		time.Sleep(200 * time.Millisecond) // not started yet
	}
}

// waitQueueEmpty waits until no message is visible or in flight.
func waitQueueEmpty(t *testing.T, cloud *fakecloud.Cloud, queueURL string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		visible, inFlight, err := cloud.QueueDepth(queueURL)
		if err != nil {
			t.Fatal(err)
		}
		if visible+inFlight == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue %s: %d visible, %d in flight 30s after the last evaluation, want empty", queueURL, visible, inFlight)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

package starter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/metrics"
)

// fakeTemporal is the part of a Temporal client the consumer uses, with an
// outage switch. The embedded nil client panics on anything else.
type fakeTemporal struct {
	client.Client
	// fail, when set, is what SignalWithStart and CheckHealth return.
	fail atomic.Pointer[error]

	mu      sync.Mutex
	started map[string]int // workflow ID → successful SignalWithStarts
	health  int            // CheckHealth calls
}

func (f *fakeTemporal) down(err error) { f.fail.Store(&err) }
func (f *fakeTemporal) up()            { f.fail.Store(nil) }

func (f *fakeTemporal) failure() error {
	if p := f.fail.Load(); p != nil {
		return *p
	}
	return nil
}

func (f *fakeTemporal) SignalWithStartWorkflow(_ context.Context, workflowID, _ string, _ any, _ client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	if err := f.failure(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.started == nil {
		f.started = map[string]int{}
	}
	f.started[workflowID]++
	return nil, nil
}

func (f *fakeTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	f.mu.Lock()
	f.health++
	f.mu.Unlock()
	if err := f.failure(); err != nil && temporalUnavailable(err) {
		return nil, err
	}
	return &client.CheckHealthResponse{}, nil
}

func (f *fakeTemporal) counts() (workflows, health int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.started), f.health
}

// logRecorder keeps the message of every record, for assertions on what
// was logged and how often.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}

func (l *logRecorder) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.HasPrefix(m, prefix) {
			n++
		}
	}
	return n
}

// consumerEnv is a fake cloud whose CloudTrail feeds an event queue (1 s
// visibility, dead-lettered after 2 receives) and a consumer of that queue
// on a fake Temporal.
type consumerEnv struct {
	t             *testing.T
	cloud         *fakecloud.Cloud
	ec2           *ec2.Client
	queue, dlq    string
	temporal      *fakeTemporal
	consumer      *Consumer
	metrics       *metrics.Metrics
	logs          *logRecorder
	groups        int
	cancel        context.CancelFunc
	done          chan error
	visibility    time.Duration
	maxReceiveCnt int
}

func newConsumerEnv(t *testing.T) *consumerEnv {
	t.Helper()
	e := &consumerEnv{t: t, cloud: fakecloud.New(fakecloud.Options{}), temporal: &fakeTemporal{}, metrics: metrics.New(),
		logs: &logRecorder{}, visibility: time.Second, maxReceiveCnt: 2}
	endpoint, err := e.cloud.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.cloud.Close() })
	if e.dlq, err = e.cloud.CreateQueue(fakecloud.QueueSeed{Name: "events-dlq"}); err != nil {
		t.Fatal(err)
	}
	if e.queue, err = e.cloud.CreateQueue(fakecloud.QueueSeed{Name: "events", Attributes: map[string]string{
		"VisibilityTimeout": fmt.Sprint(int(e.visibility / time.Second)),
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":"arn:aws:sqs:%s:%s:events-dlq","maxReceiveCount":%d}`,
			fakecloud.DefaultRegion, fakecloud.DefaultAccount, e.maxReceiveCnt),
	}}); err != nil {
		t.Fatal(err)
	}
	e.cloud.SetEventQueue(e.queue, nil)
	cfg := aws.Config{
		Region:       fakecloud.DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(fakecloud.DefaultAccessKeyID, fakecloud.DefaultSecretAccessKey, ""),
		BaseEndpoint: aws.String(endpoint),
	}
	e.ec2 = ec2.NewFromConfig(cfg)
	e.consumer = &Consumer{
		SQS: sqs.NewFromConfig(cfg), QueueURL: e.queue, Temporal: e.temporal, TaskQueue: "rectify-test",
		WaitTime: time.Second, Log: slog.New(e.logs), Stats: &Stats{Metrics: e.metrics},
		ProbeBackoff: 50 * time.Millisecond, ProbeMaxBackoff: 200 * time.Millisecond,
	}
	return e
}

func (e *consumerEnv) run() {
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan error, 1)
	go func() { e.done <- e.consumer.Run(ctx) }()
	e.t.Cleanup(func() { e.stop() })
}

// stop stops the consumer and waits for Run to return.
func (e *consumerEnv) stop() time.Duration {
	e.t.Helper()
	if e.cancel == nil {
		return 0
	}
	start := time.Now()
	e.cancel()
	e.cancel = nil
	select {
	case err := <-e.done:
		if err != nil {
			e.t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		e.t.Fatal("Run did not return 10s after its context was cancelled")
	}
	return time.Since(start)
}

// change makes n changes, each one event on the queue for a new group.
func (e *consumerEnv) change(n int) {
	e.t.Helper()
	for range n {
		e.groups++
		if _, err := e.ec2.CreateSecurityGroup(context.Background(), &ec2.CreateSecurityGroupInput{
			GroupName: aws.String(fmt.Sprintf("g%d", e.groups)), Description: aws.String("test"),
		}); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *consumerEnv) depth(queue string) (visible, inFlight int) {
	e.t.Helper()
	visible, inFlight, err := e.cloud.QueueDepth(queue)
	if err != nil {
		e.t.Fatal(err)
	}
	return visible, inFlight
}

// scrape is what Prometheus reads from m.
func scrape(m *metrics.Metrics) string {
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

// eventually fails the test unless cond holds within d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const (
	logPaused  = "Temporal unavailable: receiving paused"
	logResumed = "Temporal healthy again: receiving resumed"
)

// While Temporal is down for longer than maxReceiveCount × the visibility
// timeout, the consumer stops receiving and keeps what it holds invisible;
// once Temporal is healthy every event is started, each message having
// been received once, and nothing reaches the dead-letter queue.
func TestConsumerPausesWhileTemporalIsDown(t *testing.T) {
	e := newConsumerEnv(t)
	e.temporal.down(serviceerror.NewUnavailable("connection refused"))
	e.change(4)
	e.run()
	eventually(t, 5*time.Second, "receiving paused", func() bool {
		err := e.consumer.Ready(context.Background())
		return err != nil && strings.Contains(err.Error(), "receiving paused")
	})
	// A long poll under way at the pause may still return; after it, a
	// receive would mean receiving did not stop.
	time.Sleep(e.consumer.WaitTime + 500*time.Millisecond)
	e.change(3)
	outage := time.Duration(e.maxReceiveCnt+1) * e.visibility
	time.Sleep(outage)
	st := e.consumer.Stats.Snapshot()
	if visible, _ := e.depth(e.queue); visible != 3 {
		t.Errorf("%d messages visible after %s paused, want the 3 sent while paused (receiving must stop)", visible, outage)
	}
	if dlq, _ := e.depth(e.dlq); dlq != 0 {
		t.Errorf("%d messages on the dead-letter queue during the outage", dlq)
	}
	if st.Received > 4 {
		t.Errorf("received %d times during the outage, want at most the 4 messages sent before the pause, each once", st.Received)
	}
	if _, health := e.temporal.counts(); health < 2 {
		t.Errorf("Temporal's health checked %d times during %s paused, want it probed with backoff", health, outage)
	}
	if got := scrape(e.metrics); !strings.Contains(got, "\nrectify_starter_paused 1\n") {
		t.Errorf("rectify_starter_paused is not 1 while paused:\n%s", got)
	}

	e.temporal.up()
	eventually(t, 10*time.Second, "all 7 events started and deleted", func() bool {
		return e.consumer.Stats.Snapshot().Deleted == 7
	})
	st = e.consumer.Stats.Snapshot()
	if n, _ := e.temporal.counts(); n != 7 {
		t.Errorf("%d Evaluate workflows signalled, want 7", n)
	}
	if st.Received != 7 {
		t.Errorf("%d receives for 7 messages, want each received once", st.Received)
	}
	if st.StartErrors != 0 {
		t.Errorf("start errors = %d: an outage must not count as failed messages", st.StartErrors)
	}
	if visible, inFlight := e.depth(e.queue); visible+inFlight != 0 {
		t.Errorf("queue holds %d visible and %d in flight, want empty", visible, inFlight)
	}
	if dlq, _ := e.depth(e.dlq); dlq != 0 {
		t.Errorf("%d messages on the dead-letter queue, want none", dlq)
	}
	if p, r := e.logs.count(logPaused), e.logs.count(logResumed); p != 1 || r != 1 {
		t.Errorf("logged the pause %d times and the resume %d times, want once each", p, r)
	}
	got := scrape(e.metrics)
	if st.Pauses != 1 || !strings.Contains(got, "\nrectify_starter_pauses_total 1\n") || !strings.Contains(got, "\nrectify_starter_paused 0\n") {
		t.Errorf("stats count %d pauses, want 1; the scrape must say 1 pause, not paused now:\n%s", st.Pauses, got)
	}
	if err := e.consumer.Ready(context.Background()); err != nil {
		t.Errorf("Ready after the outage: %v", err)
	}
}

// A consumer stopped while paused returns at once and releases what it
// holds, so another consumer can take it without waiting for a timeout.
func TestConsumerStopsWhilePaused(t *testing.T) {
	e := newConsumerEnv(t)
	e.consumer.VisibilityTimeout = 30 * time.Second // a release, not a timeout, must make them visible
	e.consumer.Workers = 2                          // and the third waits in the receive loop
	e.temporal.down(serviceerror.NewUnavailable("connection refused"))
	e.change(3)
	e.run()
	eventually(t, 5*time.Second, "all 3 received and receiving paused", func() bool {
		_, _, paused := e.consumer.gate.paused()
		return paused && e.consumer.Stats.Snapshot().Received == 3
	})
	if took := e.stop(); took > 2*time.Second {
		t.Errorf("Run took %s to return after cancel while paused", took)
	}
	if visible, inFlight := e.depth(e.queue); visible != 3 || inFlight != 0 {
		t.Errorf("after stopping: %d visible, %d in flight; want the 3 released", visible, inFlight)
	}
	if n, _ := e.temporal.counts(); n != 0 {
		t.Errorf("%d workflows started while Temporal was down", n)
	}
}

// A start that fails for a reason waiting does not fix neither pauses nor
// holds the message: it goes to the dead-letter queue as before.
func TestConsumerDoesNotPauseOnBadRequest(t *testing.T) {
	e := newConsumerEnv(t)
	e.temporal.down(serviceerror.NewInvalidArgument("search attribute RectifyResource is not registered"))
	e.run()
	e.change(1)
	eventually(t, 10*time.Second, "the message dead-lettered", func() bool {
		dlq, _ := e.depth(e.dlq)
		return dlq == 1
	})
	st := e.consumer.Stats.Snapshot()
	if st.Pauses != 0 || e.logs.count(logPaused) != 0 {
		t.Errorf("paused %d times on a bad request, want never", st.Pauses)
	}
	if st.StartErrors != e.maxReceiveCnt {
		t.Errorf("start errors = %d, want one per receive (%d)", st.StartErrors, e.maxReceiveCnt)
	}
	if err := e.consumer.Ready(context.Background()); err != nil {
		t.Errorf("Ready: %v (a bad request says nothing about Temporal's health)", err)
	}
}

func TestReadyNamesWhatIsDown(t *testing.T) {
	e := newConsumerEnv(t)
	ctx := context.Background()
	if err := e.consumer.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	e.temporal.down(serviceerror.NewUnavailable("connection refused"))
	if err := e.consumer.Ready(ctx); err == nil || !strings.HasPrefix(err.Error(), "temporal:") {
		t.Errorf("Ready with Temporal down = %v, want a temporal: error", err)
	}
	e.temporal.up()
	_ = e.cloud.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := e.consumer.Ready(ctx); err == nil || !strings.Contains(err.Error(), "queue "+e.queue) {
		t.Errorf("Ready with the queue unreachable = %v, want an error naming the queue", err)
	}
}

func TestTemporalUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"unavailable", serviceerror.NewUnavailable("connection refused"), true},
		{"wrapped unavailable", fmt.Errorf("signal-with-start evaluate/x: %w", serviceerror.NewUnavailable("x")), true},
		{"rpc timeout", fmt.Errorf("signal-with-start evaluate/x: %w", context.DeadlineExceeded), true},
		{"server deadline", serviceerror.NewDeadlineExceeded("x"), true},
		{"rate limited", serviceerror.NewResourceExhausted(0, "namespace rps"), true},
		{"connection refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{"bad request", serviceerror.NewInvalidArgument("bad"), false},
		{"namespace missing", serviceerror.NewNamespaceNotFound("default"), false},
		{"permission", serviceerror.NewPermissionDenied("no", ""), false},
		{"stopping", context.Canceled, false},
		{"other", errors.New("boom"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := temporalUnavailable(tt.err); got != tt.want {
				t.Errorf("temporalUnavailable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

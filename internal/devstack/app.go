package devstack

import (
	"strings"
	"time"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/logging"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/internal/tracing"
	"github.com/rectifyhq/rectify/policies"
	"github.com/rectifyhq/rectify/starter"
	rworker "github.com/rectifyhq/rectify/worker"
)

// AppOptions configures the worker and starter of a local stack.
type AppOptions struct {
	Temporal client.Client
	// Config holds the task queue, the queue URL, the AWS endpoint and the
	// policy settings.
	Config   config.Config
	Policies *policies.Set
	Notifier activities.Notifier
	Log      *slog.Logger
	// NoStarter runs the worker only.
	NoStarter bool
	// Metrics, when set, receives rectify's and the Temporal SDK's metrics.
	Metrics *metrics.Metrics
	// StarterMetrics, when set, receives the starter's metrics instead of
	// Metrics, as a separate starter process would export them.
	StarterMetrics *metrics.Metrics
	// OpenViolationsEvery is the refresh period of rectify_open_violations
	// (default starter.DefaultOpenViolationsRefresh).
	OpenViolationsEvery time.Duration
	// Tracing, when set, traces every event through the workflows.
	Tracing *tracing.Tracing
	// StageTTL is how long the worker caches the stages people set
	// (0: activities.DefaultStageTTL).
	StageTTL time.Duration
}

// App is a running worker and starter.
type App struct {
	Worker     worker.Worker
	Activities *activities.Activities
	Consumer   *starter.Consumer
	Stats      *starter.Stats

	cancel context.CancelFunc
	done   sync.WaitGroup
	once   sync.Once
}

// StartApp starts a worker and a starter as production wires them, with
// the demo identities: the worker acts as the remediation role, the
// starter reads the queue as its own user.
func StartApp(ctx context.Context, opts AppOptions) (*App, error) {
	cfg := opts.Config
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	set := opts.Policies
	if set == nil {
		var err error
		if set, err = policies.Load(policies.WithLogger(log)); err != nil {
			return nil, err
		}
	}
	// The same check as `rectify worker`: a mode, exemption or route for a
	// policy that does not exist is refused, not silently ignored.
	if err := cfg.ValidateWith(set.IDs(), service.Registry.OptionKeys()); err != nil {
		return nil, err
	}
	if opts.Metrics != nil || opts.Tracing != nil {
		// A client sharing the connection, with the SDK's metrics on our
		// registry and the tracing interceptor. It does not inherit the
		// logger: without one the SDK logs at debug to stdout.
		co := client.Options{Logger: logging.Temporal(log)}
		if opts.Metrics != nil {
			co.MetricsHandler = opts.Metrics.TemporalHandler()
		}
		if opts.Tracing != nil {
			co.Interceptors = []interceptor.ClientInterceptor{opts.Tracing.Interceptor}
		}
		tc, err := client.NewClientFromExisting(opts.Temporal, co)
		if err != nil {
			return nil, fmt.Errorf("temporal client with metrics and tracing: %w", err)
		}
		opts.Temporal = tc
	}
	acts, err := rworker.Activities(ctx, &cfg, rworker.Deps{
		Temporal: opts.Temporal, Policies: set, Log: log, Metrics: opts.Metrics, Notifier: opts.Notifier, StageTTL: opts.StageTTL,
		Credentials: credentials.NewStaticCredentialsProvider(WorkerKeyID, WorkerSecret, ""),
	})
	if err != nil {
		return nil, err
	}
	starterMetrics := opts.StarterMetrics
	if starterMetrics == nil {
		starterMetrics = opts.Metrics
	}
	app := &App{Activities: acts, Stats: &starter.Stats{Metrics: starterMetrics}}
	app.Worker = rworker.New(opts.Temporal, cfg.Temporal.TaskQueue, acts, rworker.Options{})
	if err := app.Worker.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	app.cancel = cancel
	if opts.NoStarter {
		return app, nil
	}
	if cfg.Queue.URL == "" {
		app.Stop()
		return nil, errors.New("devstack: no queue URL for the starter")
	}
	if app.Consumer, err = starter.FromConfig(ctx, &cfg, starter.Deps{
		Temporal: opts.Temporal, Log: log, Stats: app.Stats, Tracer: opts.Tracing.Tracer(),
		Credentials: credentials.NewStaticCredentialsProvider(StarterKeyID, StarterSecret, ""),
	}); err != nil {
		app.Stop()
		return nil, err
	}
	app.done.Go(func() {
		if err := app.Consumer.Run(runCtx); err != nil {
			log.Error("starter stopped", "err", err)
		}
	})
	if starterMetrics != nil {
		open := &starter.OpenViolations{Temporal: opts.Temporal, TaskQueue: cfg.Temporal.TaskQueue, Metrics: starterMetrics, Every: opts.OpenViolationsEvery, Log: log}
		app.done.Go(func() { open.Run(runCtx) })
	}
	return app, nil
}

// Stop stops the starter (finishing messages in hand), then the worker.
func (a *App) Stop() {
	a.once.Do(func() {
		if a.cancel != nil {
			a.cancel()
		}
		a.done.Wait()
		a.Worker.Stop()
	})
}

// HumanConfig is an SDK config for the demo human, whose changes rectify
// should catch.
func HumanConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(HumanKeyID, HumanSecret, ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

// AppConfig is the configuration of a local app against a fake cloud at
// endpoint, with the event queue at queueURL.
func AppConfig(taskQueue, endpoint, queueURL string) config.Config {
	cfg := config.Default()
	cfg.Temporal.TaskQueue = taskQueue
	cfg.AWS.Region = Region
	cfg.AWS.Endpoint = endpoint
	cfg.AWS.AssumeRole = RemediationRole
	cfg.Queue.URL = queueURL
	cfg.Queue.DLQURL = strings.TrimSuffix(queueURL, EventQueue) + DeadLetterQueue
	cfg.RemediationRoles = []string{RemediationRolePattern}
	cfg.Approvers = []string{HumanUser}
	// The demo account starts promoted, so the local stack plays each
	// policy's mode; any other account starts in observe, as in production.
	cfg.Stages = []contract.StageRule{{Account: Account, Stage: contract.StageActive, Reason: "the local stack's demo account"}}
	// The audit trail is on, into the fake cloud's audit bucket, so
	// `rectify report` has something to read with no set-up.
	cfg.Audit.Bucket = AuditBucket
	return cfg
}

// staticAdmin is the fake cloud's default admin, to read state for checks.
func staticAdmin() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(fakecloud.DefaultAccessKeyID, fakecloud.DefaultSecretAccessKey, "")
}

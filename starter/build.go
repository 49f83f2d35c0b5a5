package starter

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/events"
)

// Deps are what a starter needs beyond its configuration.
type Deps struct {
	Temporal client.Client
	Log      *slog.Logger
	Stats    *Stats
	Tracer   trace.Tracer
	// Credentials replace the SDK's default credential chain (the local
	// stack's starter identity); nil uses the chain.
	Credentials aws.CredentialsProvider
}

// FromConfig assembles the queue consumer from its configuration: the one
// place this wiring is written, for `rectify starter` and the local stack.
func FromConfig(ctx context.Context, cfg *config.Config, d Deps) (*Consumer, error) {
	factory, err := awsclient.New(ctx, awsclient.Options{Region: cfg.AWS.Region, Endpoint: cfg.AWS.Endpoint, Credentials: d.Credentials})
	if err != nil {
		return nil, err
	}
	return &Consumer{
		SQS: factory.SQS(), QueueURL: cfg.Queue.URL, DLQURL: cfg.Queue.DLQURL,
		Temporal: d.Temporal, TaskQueue: cfg.Temporal.TaskQueue, Namespace: cfg.Temporal.Namespace,
		Filter: events.Filter{RemediationRoles: cfg.RemediationRoles}, Accounts: cfg.Accounts,
		Settle: time.Duration(cfg.Settle), Workers: cfg.Queue.Workers, VisibilityTimeout: time.Duration(cfg.Queue.VisibilityTimeout),
		Log: d.Log, Stats: d.Stats, Tracer: d.Tracer,
	}, nil
}

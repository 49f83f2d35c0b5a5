// Package tracing sets up OpenTelemetry for rectify: a tracer provider,
// optionally exporting over OTLP, and the Temporal interceptor that carries
// one trace from the starter through Evaluate and Remediation into every
// activity.
package tracing

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// TracerName names rectify's own spans.
const TracerName = "github.com/rectifyhq/rectify"

// Options configures tracing.
type Options struct {
	// Service is the service.name resource attribute ("rectify-worker").
	Service string
	// OTLPEndpoint, when set, exports spans over OTLP/gRPC ("host:4317").
	OTLPEndpoint string
	// Insecure disables TLS to the collector.
	Insecure bool
	// Exporter replaces OTLP, for tests (an in-memory exporter).
	Exporter sdktrace.SpanExporter
}

// Tracing is a tracer provider and the Temporal interceptor using it.
type Tracing struct {
	Provider    trace.TracerProvider
	Interceptor interceptor.Interceptor
	shutdown    func(context.Context) error
}

// Setup builds tracing. Without an endpoint or exporter, spans are still
// created (so context flows through) but go nowhere.
func Setup(ctx context.Context, opts Options) (*Tracing, error) {
	var tpOpts []sdktrace.TracerProviderOption
	exp := opts.Exporter
	if exp == nil && opts.OTLPEndpoint != "" {
		clientOpts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(opts.OTLPEndpoint)}
		if opts.Insecure {
			clientOpts = append(clientOpts, otlptracegrpc.WithInsecure())
		}
		var err error
		if exp, err = otlptracegrpc.New(ctx, clientOpts...); err != nil {
			return nil, fmt.Errorf("tracing: OTLP exporter to %s: %w", opts.OTLPEndpoint, err)
		}
	}
	if exp != nil {
		if opts.Exporter != nil {
			tpOpts = append(tpOpts, sdktrace.WithSyncer(exp)) // tests read spans at once
		} else {
			tpOpts = append(tpOpts, sdktrace.WithBatcher(exp))
		}
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName(opts.Service)))
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	tpOpts = append(tpOpts, sdktrace.WithResource(res))
	tp := sdktrace.NewTracerProvider(tpOpts...)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	ic, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: tp.Tracer(TracerName)})
	if err != nil {
		return nil, fmt.Errorf("tracing: temporal interceptor: %w", err)
	}
	return &Tracing{Provider: tp, Interceptor: ic, shutdown: tp.Shutdown}, nil
}

// Tracer is rectify's tracer.
func (t *Tracing) Tracer() trace.Tracer {
	if t == nil {
		return otel.GetTracerProvider().Tracer(TracerName)
	}
	return t.Provider.Tracer(TracerName)
}

// Shutdown flushes and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil || t.shutdown == nil {
		return nil
	}
	return t.shutdown(ctx)
}

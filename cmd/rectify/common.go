package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/health"
	"github.com/rectifyhq/rectify/internal/logging"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/internal/tracing"
)

// globalFlags are shared by every command that reads the configuration.
type globalFlags struct {
	configPath string
	temporal   temporalFlags
}

func (g *globalFlags) register(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVarP(&g.configPath, "config", "c", os.Getenv("RECTIFY_CONFIG"),
		"configuration file (YAML); RECTIFY_* environment variables override it")
}

// temporalFlags are the temporal CLI's connection flags, on every command
// that talks to Temporal. A flag overrides the environment
// (RECTIFY_TEMPORAL_*, then the temporal CLI's TEMPORAL_*), which
// overrides the config file's temporal: section.
type temporalFlags struct {
	address, namespace, certPath, keyPath, caPath, apiKey string
}

// temporalFlags puts the connection flags on cmd, and on its subcommands.
func (g *globalFlags) temporalFlags(cmd *cobra.Command) *cobra.Command {
	f := cmd.PersistentFlags()
	t := &g.temporal
	f.StringVar(&t.address, "address", "", "Temporal frontend host:port (env RECTIFY_TEMPORAL_ADDRESS or TEMPORAL_ADDRESS; config temporal.address; default 127.0.0.1:7233)")
	f.StringVarP(&t.namespace, "namespace", "n", "", "Temporal namespace (env RECTIFY_TEMPORAL_NAMESPACE or TEMPORAL_NAMESPACE; config temporal.namespace; default default)")
	f.StringVar(&t.certPath, "tls-cert-path", "", "client certificate for mTLS (env RECTIFY_TEMPORAL_TLS_CERT_PATH or TEMPORAL_TLS_CLIENT_CERT_PATH; config temporal.tls_cert_file)")
	f.StringVar(&t.keyPath, "tls-key-path", "", "client key for mTLS (env RECTIFY_TEMPORAL_TLS_KEY_PATH or TEMPORAL_TLS_CLIENT_KEY_PATH; config temporal.tls_key_file)")
	f.StringVar(&t.caPath, "tls-ca-path", "", "CA bundle of the server (env RECTIFY_TEMPORAL_TLS_CA_PATH or TEMPORAL_TLS_SERVER_CA_CERT_PATH; config temporal.tls_ca_file)")
	f.StringVar(&t.apiKey, "api-key", "", "Temporal Cloud API key (env TEMPORAL_API_KEY; never from the config file)")
	return cmd
}

// apply overrides cfg's temporal: section with the flags that were given.
func (t temporalFlags) apply(cfg *config.Config) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&cfg.Temporal.Address, t.address)
	set(&cfg.Temporal.Namespace, t.namespace)
	set(&cfg.Temporal.TLSCertFile, t.certPath)
	set(&cfg.Temporal.TLSKeyFile, t.keyPath)
	set(&cfg.Temporal.TLSCAFile, t.caPath)
	if t.apiKey != "" {
		cfg.Temporal.APIKey = config.Secret(t.apiKey)
	}
}

func (g *globalFlags) load() (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(g.configPath)
	if err != nil {
		return config.Config{}, nil, err
	}
	if g.temporal != (temporalFlags{}) {
		g.temporal.apply(&cfg)
		if err := cfg.Validate(); err != nil {
			return config.Config{}, nil, fmt.Errorf("flags: %w", err)
		}
	}
	log, err := logging.New(os.Stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return config.Config{}, nil, fmt.Errorf("config log: %w", err)
	}
	return cfg, log, nil
}

// connect loads the configuration and dials Temporal: how every operator
// command gets its client.
func (g *globalFlags) connect() (config.Config, client.Client, error) {
	cfg, log, err := g.load()
	if err != nil {
		return config.Config{}, nil, err
	}
	tc, err := dialTemporal(cfg, log)
	if err != nil {
		return config.Config{}, nil, err
	}
	return cfg, tc, nil
}

// observability is what a long-running process reports through.
type observability struct {
	metrics *metrics.Metrics
	tracing *tracing.Tracing
}

// setupObservability builds metrics and tracing for a process that runs
// the given parts (metrics.New: none is both).
func setupObservability(ctx context.Context, cfg config.Config, service string, parts ...metrics.Part) (observability, error) {
	t, err := tracing.Setup(ctx, tracing.Options{Service: service, OTLPEndpoint: cfg.Tracing.OTLPEndpoint, Insecure: cfg.Tracing.Insecure})
	if err != nil {
		return observability{}, err
	}
	return observability{metrics: metrics.New(parts...), tracing: t}, nil
}

func dialTemporal(cfg config.Config, log *slog.Logger, obs ...observability) (client.Client, error) {
	opts := client.Options{
		HostPort:  cfg.Temporal.Address,
		Namespace: cfg.Temporal.Namespace,
		Logger:    logging.Temporal(log),
	}
	if err := temporalSecurity(cfg.Temporal, &opts); err != nil {
		return nil, err
	}
	if len(obs) > 0 {
		opts.MetricsHandler = obs[0].metrics.TemporalHandler()
		opts.Interceptors = []interceptor.ClientInterceptor{obs[0].tracing.Interceptor}
	}
	c, err := client.Dial(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w", cfg.Temporal.Address, cfg.Temporal.Namespace, err)
	}
	return c, nil
}

// signalContext is cancelled by SIGINT or SIGTERM, for graceful shutdown.
func signalContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// serveMetrics serves /metrics, /healthz and /readyz (ready; nil is always
// ready), and extra routes, on addr in the background.
// listenMetrics binds the /metrics address at once, so a port in use is an
// error at start (naming the flag) rather than a log line after the
// process has claimed to be up, and so nothing started later (the Temporal
// dev server picks free ports of its own) can take it in between.
func listenMetrics(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen %s: %w", addr, err)
	}
	return l, nil
}

// serveMetrics serves /metrics, the health endpoints and any extra
// handlers on l until the returned server is closed.
func serveMetrics(l net.Listener, m *metrics.Metrics, log *slog.Logger, ready func(context.Context) error, extra map[string]http.Handler) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	health.Register(mux, ready)
	for path, h := range extra {
		mux.Handle(path, h)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "addr", l.Addr().String(), "err", err)
		}
	}()
	return srv
}

// temporalSecurity sets mTLS and/or an API key, for Temporal Cloud or a
// secured self-hosted cluster.
func temporalSecurity(t config.Temporal, opts *client.Options) error {
	if t.TLSCertFile == "" && t.TLSCAFile == "" && t.APIKey == "" {
		return nil
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.TLSCertFile, t.TLSKeyFile)
		if err != nil {
			return fmt.Errorf("temporal.tls_cert_file / tls_key_file: %w", err)
		}
		tlsCfg.Certificates = []tls.Certificate{cert}
	}
	if t.TLSCAFile != "" {
		pem, err := os.ReadFile(t.TLSCAFile)
		if err != nil {
			return fmt.Errorf("temporal.tls_ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("temporal.tls_ca_file %s: no PEM certificate", t.TLSCAFile)
		}
		tlsCfg.RootCAs = pool
	}
	opts.ConnectionOptions.TLS = tlsCfg
	if t.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(t.APIKey.Reveal())
	}
	return nil
}

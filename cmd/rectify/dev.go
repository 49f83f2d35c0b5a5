package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/devstack"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/localstack"
	"github.com/rectifyhq/rectify/internal/slackapp"
	"github.com/rectifyhq/rectify/starter"
)

type devFlags struct {
	demo         bool
	exitWhenDone bool
	timeout      time.Duration
	temporalPort int
	uiPort       int
	cloudAddr    string
	stateDir     string
	fresh        bool
	listen       string
	metricsAddr  string
}

func newDevCmd(g *globalFlags) *cobra.Command {
	var f devFlags
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run the whole local stack: Temporal + UI, fake cloud, worker and starter",
		Long: "Run rectify end to end on this machine, with nothing from AWS:\n" +
			"  - the Temporal CLI dev server (bin/temporal) with its Web UI, state in .rectify/;\n" +
			"  - the fake cloud, a wire-compatible AWS on loopback, seeded with a demo account;\n" +
			"  - the worker and the starter, wired as in production.\n\n" +
			"With --demo it plays a scenario: a human opens SSH to the world and removes a bucket's\n" +
			"public access block; rectify revokes the rule by itself (enforce) and stops at the bucket\n" +
			"fix (approve) with the exact `rectify approve` command to run in another terminal (or the\n" +
			"Slack button, when Slack is on), then goes on when a person decides. --exit-when-done\n" +
			"approves by itself (for CI), waits for the scenario to settle, prints one JSON line and exits\n" +
			"0 only if everything matched. Against a stack already running, `rectify demo play` plays the\n" +
			"scenario again on fresh resources.",
		Example: "  rectify dev\n  rectify dev --demo\n  rectify dev --demo --exit-when-done",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDev(cmd, g, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.demo, "demo", false, "play the demo scenario")
	fl.BoolVar(&f.exitWhenDone, "exit-when-done", false, "with --demo: approve by itself (for CI), wait for it to settle, print a JSON summary and exit")
	fl.DurationVar(&f.timeout, "timeout", 3*time.Minute, "with --demo: how long each step may take (a person's decision is waited for as long as it takes)")
	fl.IntVar(&f.temporalPort, "temporal-port", 7233, "Temporal frontend port")
	fl.IntVar(&f.uiPort, "ui-port", 8233, "Temporal Web UI port")
	fl.StringVar(&f.cloudAddr, "fakecloud-addr", "127.0.0.1:4566", "fake cloud listen address")
	fl.StringVar(&f.stateDir, "state-dir", ".rectify", "where the Temporal SQLite file lives")
	fl.BoolVar(&f.fresh, "fresh", false, "delete the Temporal state first")
	fl.StringVar(&f.metricsAddr, "metrics-listen", "127.0.0.1:9464", "address of Prometheus /metrics")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8080", "with Slack on: address of the interactions endpoint")
	return cmd
}

func runDev(cmd *cobra.Command, g *globalFlags, f devFlags) error {
	if f.exitWhenDone && !f.demo {
		return fmt.Errorf("--exit-when-done needs --demo")
	}
	loaded, log, err := g.load()
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	ctx, stop := signalContext(cmd.Context())
	defer stop()

	if err := os.MkdirAll(f.stateDir, 0o755); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	db := filepath.Join(f.stateDir, "temporal.db")
	if f.fresh || f.exitWhenDone {
		// A one-shot run must not see workflows of an earlier run.
		_ = os.Remove(db)
	}
	// The fake cloud is in memory, so resource ids are new on every run;
	// the suffix keeps this run's workflow IDs apart from earlier runs'.
	suffix := "-" + time.Now().UTC().Format("150405")

	cloud := fakecloud.New(fakecloud.Options{Logger: log})
	endpoint, err := cloud.Start(f.cloudAddr)
	if err != nil {
		return err
	}
	defer cloud.Close()
	if err := cloud.Apply(devstack.Seed(suffix)); err != nil {
		return err
	}
	queueURL := endpoint + "/" + devstack.Account + "/" + devstack.EventQueue

	// Held from here: the dev server below takes free ports of its own.
	ml, err := listenMetrics(f.metricsAddr)
	if err != nil {
		return err
	}
	defer ml.Close()

	fmt.Fprintln(out, "rectify dev: starting Temporal (first start takes a few seconds)...")
	tmp, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{
		HostPort: fmt.Sprintf("127.0.0.1:%d", f.temporalPort), UIPort: f.uiPort, DBFile: db, Log: log,
	})
	if err != nil {
		return err
	}
	defer tmp.Stop()

	cfg := devstack.AppConfig("rectify", endpoint, queueURL)
	cfg.Policies = map[string]config.PolicySettings{
		devstack.PolicyS3PAB: {Mode: contract.ModeApprove},
	}
	// A config file (-c or RECTIFY_CONFIG) is layered over the stack's own:
	// its policy modes, defaults, approvers, exemptions, Slack and
	// remediation options apply; the stack's Temporal, fake cloud and
	// queues stay.
	cfg = devstack.Layer(loaded, cfg)
	configLine := "the local stack's own (-c FILE layers a config over it)"
	if loaded.Source() != "" {
		configLine = loaded.Source() + ": its policies, defaults, approvers, exemptions, Slack and remediation options,\n" +
			"                over the stack's Temporal, fake cloud endpoint, queues and identities"
	}
	slackLine := "off (no SLACK_BOT_TOKEN): approve with 'rectify approve POLICY ARN --as " + devstack.HumanUser + "'"
	obs, err := setupObservability(ctx, loaded, "rectify-dev")
	if err != nil {
		return err
	}
	defer obs.tracing.Shutdown(context.WithoutCancel(ctx))
	m := obs.metrics
	app, err := devstack.StartApp(ctx, devstack.AppOptions{Temporal: tmp.Client, Config: cfg, Log: log, Metrics: m, Tracing: obs.tracing})
	if err != nil {
		return err
	}
	defer app.Stop()
	if cfg.Slack.Enabled() {
		h, err := slackapp.NewHandlerFromConfig(&cfg, tmp.Client, log)
		if err != nil {
			return err
		}
		srv := starter.NewHTTPServer(f.listen, h, app.Consumer.Ready)
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("slack endpoint", "addr", f.listen, "err", err)
			}
		}()
		defer srv.Close()
		slackLine = fmt.Sprintf("on: interactions served on http://%s%s; expose it over HTTPS and run\n"+
			"                'rectify slack manifest --url https://YOUR-TUNNEL' for the Slack app", f.listen, slackapp.InteractionsPath)
	}

	slackWhere := ""
	if cfg.Slack.Enabled() {
		slackWhere = "the message rectify posted"
		if cfg.Slack.DefaultChannel != "" {
			slackWhere += " in channel " + cfg.Slack.DefaultChannel
		}
	}
	player := &devstack.Player{Temporal: tmp.Client, Cloud: cloud, Endpoint: endpoint, App: app, Timeout: f.timeout,
		Address: tmp.HostPort, Slack: slackWhere, Echo: out}
	defer serveMetrics(ml, m, log, app.Consumer.Ready, map[string]http.Handler{devstack.PlayPath: player}).Close()

	// Tell `rectify report` (run from this directory) where this stack's
	// audit trail is.
	if err := localstack.Write(f.stateDir, localstack.Stack{
		Temporal: tmp.HostPort, Namespace: cfg.Temporal.Namespace, Endpoint: endpoint, Region: cfg.AWS.Region,
		AuditBucket: cfg.Audit.Bucket, AuditPrefix: cfg.Audit.Prefix,
		AccessKeyID: devstack.AuditorKeyID, SecretAccessKey: devstack.AuditorSecret, PID: os.Getpid(),
	}); err != nil {
		return err
	}
	defer func() { _ = localstack.Remove(f.stateDir) }()

	// The demo policies' modes as this stack runs them (a -c FILE may
	// change them).
	modeOf := func(id string) contract.Mode {
		m, _ := app.Activities.Policies.Policy(id)
		return cfg.Settings(id, contract.Mode(m.DefaultMode)).Mode
	}
	ui := fmt.Sprintf("http://127.0.0.1:%d", f.uiPort)
	fmt.Fprintf(out, `
  Temporal UI   %s/namespaces/default/workflows
  Temporal      %s (namespace default, task queue rectify)
  Fake cloud    %s  (AWS_ENDPOINT_URL; demo human: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s)
  Event queue   %s
  Metrics       http://%s/metrics
  Slack         %s
  Audit trail   s3://%s/%s (in the fake cloud)
  Config        %s

  Account %s is promoted (stage active): %s %s, %s %s.
  Any other account starts in the observe stage (notify only).

  In another terminal:
    export RECTIFY_TEMPORAL_ADDRESS=%s%s
    %-44s the scenario again, on fresh resources of this stack
    %-44s what waits for a person
    %-44s what rectify did, from the audit trail
  or open port 22 to 0.0.0.0/0 on security group %s%s with any AWS SDK.
`, ui, tmp.HostPort, endpoint, devstack.HumanKeyID, devstack.HumanSecret, queueURL, f.metricsAddr, slackLine, cfg.Audit.Bucket, cfg.Audit.Prefix, configLine,
		devstack.Account, devstack.PolicySGAdminPorts, modeOf(devstack.PolicySGAdminPorts), devstack.PolicyS3PAB, modeOf(devstack.PolicyS3PAB), tmp.HostPort, uiExport(ui), "rectify demo play"+devFlag(f.metricsAddr), "rectify list --state awaiting",
		"rectify report (--format html --out report.html)", devstack.DemoGroupName, suffix)

	if f.demo {
		if !f.exitWhenDone {
			fmt.Fprintln(out, "\n  The demo stops when the bucket fix needs a decision: approve it in another terminal.")
		}
		start := time.Now()
		demo := &devstack.Demo{Temporal: tmp.Client, Endpoint: endpoint, Suffix: suffix, App: app, AutoApprove: f.exitWhenDone, AutoApproveFlag: "--exit-when-done, for CI",
			Address: tmp.HostPort, Slack: slackWhere,
			Progress: func(format string, args ...any) {
				fmt.Fprintf(out, "  demo: "+format+"\n", args...)
			}}
		sum, err := demo.Run(ctx, f.timeout)
		if f.exitWhenDone {
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if jerr := json.NewEncoder(out).Encode(sum); jerr != nil {
				return jerr
			}
			if !sum.OK {
				return &exitError{code: 1, err: fmt.Errorf("demo did not match its expectation: %v", sum.Problems)}
			}
			return nil
		}
		if err != nil {
			fmt.Fprintln(out, "  demo failed:", err)
		} else {
			fmt.Fprintf(out, "  demo done in %s: %d violation(s) remediated and verified (%s); findings %v\n",
				time.Since(start).Round(100*time.Millisecond), sum.Verified, sum.Decision, sum.Findings)
		}
	}
	fmt.Fprintln(out, "\nrectify dev is running; Ctrl-C stops it.")
	<-ctx.Done()
	fmt.Fprintln(out, "rectify dev: stopping")
	return nil
}

// devFlag is the --dev flag `rectify demo play` needs to reach this stack,
// empty for the default address.
func devFlag(metricsAddr string) string {
	if metricsAddr == "127.0.0.1:9464" {
		return ""
	}
	return " --dev http://" + metricsAddr
}

// uiExport is the line that points the CLI's links at this stack's
// Temporal UI, empty for the default one.
func uiExport(ui string) string {
	if ui == config.Default().Temporal.UIURL {
		return ""
	}
	return "\n    export RECTIFY_TEMPORAL_UI_URL=" + ui
}

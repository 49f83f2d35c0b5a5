package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/spf13/cobra"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/localstack"
	"github.com/rectifyhq/rectify/internal/report"
)

type reportFlags struct {
	since, account, policy, format, out, evidence, stateDir string
}

func newReportCmd(g *globalFlags) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Report MTTR, outcomes and override rates per control and account, or evidence for one control",
		Long: "Read the audit trail (audit.bucket, audit.prefix) and report, per control and per account: violations\n" +
			"detected; fixed automatically, approved, rejected, expired, undone, escalated, suppressed, closed by\n" +
			"others; mean, p50 and p90 time to remediate (detection to verified fix); the exposure window (the\n" +
			"change's event time to the fix); open violations with their age (Temporal visibility adds what the\n" +
			"trail does not hold yet); exemptions with owner, reason and expiry; and the override rate (rejections\n" +
			"and undos per decision) with a recommendation for approve- and notify-mode controls.\n\n" +
			"--evidence CONTROL lists every violation of one control instead (EC2.13, CIS 5.2): the event that\n" +
			"showed it, the decision, the fix, the verification and the finding id.\n\n" +
			"With no configuration file and no audit.bucket, it reads the audit trail of the `rectify dev` running\n" +
			"from this directory (" + ".rectify/" + localstack.FileName + ").",
		Example: "  rectify report\n  rectify report --since 90d --account 123456789012 --format html --out report.html\n" +
			"  rectify report --evidence EC2.13 --format csv --out ec2.13.csv",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReport(cmd, g, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.since, "since", "30d", "period: this long before now (90s, 12h, 30d; 0: the whole trail)")
	fl.StringVar(&f.account, "account", "", "only this account")
	fl.StringVar(&f.policy, "policy", "", "only this policy id")
	fl.StringVar(&f.format, "format", "text", "text, markdown, html, csv or json")
	fl.StringVar(&f.out, "out", "", "write to this file instead of standard output")
	fl.StringVar(&f.evidence, "evidence", "", "evidence for one control (EC2.13, CIS 5.2) instead of the report")
	fl.StringVar(&f.stateDir, "state-dir", ".rectify", "where a running `rectify dev` records its stack")
	return cmd
}

func runReport(cmd *cobra.Command, g *globalFlags, f reportFlags) error {
	format, err := report.ParseFormat(f.format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	since, err := config.ParseDuration(f.since)
	if err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	cfg, log, err := g.load()
	if err != nil {
		return err
	}
	var creds aws.CredentialsProvider
	if !cfg.Audit.Enabled() && g.configPath == "" {
		local, ok, err := localstack.Read(f.stateDir)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no audit trail to read: set audit.bucket (and audit.prefix) in the configuration or RECTIFY_AUDIT_BUCKET, or run `rectify dev` in this directory")
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "rectify report: reading the audit trail of the local stack (%s/%s)\n", f.stateDir, localstack.FileName)
		cfg.Temporal.Address, cfg.Temporal.Namespace = local.Temporal, local.Namespace
		cfg.AWS.Endpoint, cfg.AWS.Region = local.Endpoint, local.Region
		cfg.Audit.Bucket, cfg.Audit.Prefix = local.AuditBucket, local.AuditPrefix
		creds = credentials.NewStaticCredentialsProvider(local.AccessKeyID, local.SecretAccessKey, "")
	}
	if !cfg.Audit.Enabled() {
		return fmt.Errorf("no audit trail to read: audit.bucket is not set in %s", g.configPath)
	}
	ctx := cmd.Context()
	opts := report.Options{Now: time.Now(), Account: f.account, Policy: f.policy}
	if since > 0 {
		opts.Since = opts.Now.Add(-since)
	}
	in, err := reportInput(ctx, cfg, creds, opts, log)
	if err != nil {
		return err
	}
	return writeOut(cmd.OutOrStdout(), f.out, func(w io.Writer) error {
		if f.evidence != "" {
			return report.BuildEvidence(in, f.evidence, opts).Render(w, format)
		}
		return report.Build(in, opts).Render(w, format)
	})
}

// reportInput reads the trail and asks Temporal what still runs. Temporal
// is optional: the trail outlives it, and the report says when it was not
// asked.
func reportInput(ctx context.Context, cfg config.Config, creds aws.CredentialsProvider, opts report.Options, log *slog.Logger) (report.Input, error) {
	factory, err := awsclient.New(ctx, awsclient.Options{Region: cfg.AuditRegion(), Endpoint: cfg.AWS.Endpoint, Credentials: creds})
	if err != nil {
		return report.Input{}, err
	}
	rd := audit.Reader{S3: factory.OwnS3(cfg.AuditRegion()), Bucket: cfg.Audit.Bucket, Prefix: cfg.Audit.Prefix}
	records, unreadable, err := rd.Read(ctx, opts.Since)
	if err != nil {
		return report.Input{}, err
	}
	in := report.Input{Records: records, Rules: cfg.Exemptions, Source: report.Source{
		Trail: auditLocation(cfg), Unreadable: unreadable, Temporal: "ok",
	}}
	tc, err := dialTemporal(cfg, log)
	if err != nil {
		in.Source.Temporal = "unreachable: " + err.Error()
		return in, nil
	}
	defer tc.Close()
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if in.Running, err = report.ListRunning(lctx, tc, opts.Account, opts.Policy); err != nil {
		in.Source.Temporal = "unreachable: " + err.Error()
	}
	return in, nil
}

// writeOut writes to the file named out, or to stdout when out is empty.
func writeOut(stdout io.Writer, out string, write func(io.Writer) error) error {
	if out == "" {
		return write(stdout)
	}
	file, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := write(file); err != nil {
		_ = file.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

// auditLocation names the audit trail for logs and reports.
func auditLocation(cfg config.Config) string {
	if !cfg.Audit.Enabled() {
		return "off"
	}
	return "s3://" + cfg.Audit.Bucket + "/" + strings.TrimPrefix(audit.JoinPrefix(cfg.Audit.Prefix, ""), "/")
}

package worker

import (
	"log/slog"
	"time"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/config"
)

// AuditWriter is the audit trail the configuration asks for, written with
// the worker's own credentials (the bucket is in rectify's account), or
// nil when audit.bucket is empty. `rectify worker` and the local stack
// both take it from here.
func AuditWriter(aws *awsclient.Factory, cfg *config.Config, log *slog.Logger) activities.AuditWriter {
	if !cfg.Audit.Enabled() {
		return nil
	}
	return &activities.S3Audit{
		Client: aws.OwnS3(cfg.AuditRegion()), Bucket: cfg.Audit.Bucket, Prefix: cfg.Audit.Prefix,
		Quiet: time.Duration(cfg.Audit.BatchDelay), MaxDelay: time.Duration(cfg.Audit.BatchMaxDelay), Log: log,
	}
}

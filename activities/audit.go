package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/awserr"
)

// AuditWriter stores the audit trail: one record per state change.
type AuditWriter interface {
	Write(ctx context.Context, r audit.Record) error
}

// ErrAuditConflict is the error type of a record whose key already holds
// other bytes: two state changes computed one key, or a record changed
// between two attempts of its write. Nothing is overwritten, and no retry
// can fix it.
const ErrAuditConflict = "AuditRecordConflict"

// RecordAudit writes one state change of a violation to the audit trail.
// With no trail configured it does nothing. A retry writes the same key
// with the same bytes, which the store keeps as it was.
func (a *Activities) RecordAudit(ctx context.Context, r audit.Record) error {
	if a.Audit == nil {
		return nil
	}
	if err := r.Validate(); err != nil {
		return awserr.Permanent(ErrInvalidParams, "audit record of %s: %v", r.WorkflowID, err)
	}
	return a.Audit.Write(ctx, r)
}

// S3Audit writes audit records to an S3 bucket in rectify's own account,
// one object per record under a write-once key (audit.Record.Key). Every
// PUT is conditional (If-None-Match: *): S3 refuses to replace an object,
// so a retry finds its own earlier write, and with Object Lock in
// compliance mode nobody can delete or change the trail either.
//
// Writes are batched like findings (batcher): S3 has no batch PUT, so a
// batch is written with at most Parallel PUTs in flight; a storm of state
// changes becomes a bounded stream of requests, and each writer waits for
// its batch as a finding waits for its import.
type S3Audit struct {
	Client *s3.Client
	Bucket string
	Prefix string
	// Quiet and MaxDelay are the batch's quiet period and cap (as
	// SecurityHub's).
	Quiet, MaxDelay time.Duration
	// Parallel bounds the PUTs in flight per batch (default 16).
	Parallel int
	Log      *slog.Logger

	batches batcher[pendingRecord]
}

type pendingRecord struct {
	key  string
	body []byte
}

// maxAuditBatch caps a batch as maxImport caps findings.
const maxAuditBatch = 100

// Write adds the record to the open batch and waits until it is stored.
func (s *S3Audit) Write(ctx context.Context, r audit.Record) error {
	body, err := r.Marshal()
	if err != nil {
		return awserr.Permanent(ErrInvalidParams, "%v", err)
	}
	p := pendingRecord{key: r.Key(s.Prefix), body: body}
	err = s.batches.add(ctx, limits(s.Quiet, s.MaxDelay, maxAuditBatch), s.Bucket, p, s.writeBatch)
	var conflict *auditConflict
	switch {
	case err == nil:
		return nil
	case errors.As(err, &conflict):
		return temporal.NewNonRetryableApplicationError(conflict.Error(), ErrAuditConflict, nil)
	case ctx.Err() != nil:
		return err
	}
	return awserr.Wrap(ctx, "write audit record s3://"+s.Bucket+"/"+p.key, err)
}

type auditConflict struct{ bucket, key string }

func (e *auditConflict) Error() string {
	return fmt.Sprintf("audit record s3://%s/%s already holds another record; it was kept, nothing was overwritten", e.bucket, e.key)
}

// writeBatch stores a batch with bounded parallelism. Not the writers'
// contexts: the batch is shared; the longest batch wait plus this stays
// inside the record activity's 30s start-to-close timeout, as findings do.
func (s *S3Audit) writeBatch(_ string, batch []pendingRecord) []error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	parallel := s.Parallel
	if parallel <= 0 {
		parallel = 16
	}
	errs := make([]error, len(batch))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, p := range batch {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = s.put(ctx, p)
		})
	}
	wg.Wait()
	return errs
}

// put stores one record unless its key exists. An existing key with the
// same bytes is this write's own earlier attempt (the PUT went through,
// its answer did not): success. Other bytes are a conflict. A worker that
// may only put (deploy/terraform grants s3:PutObject alone) cannot compare:
// the key is this state change's alone and every attempt of an activity
// carries the same record, so the object there is its own.
func (s *S3Audit) put(ctx context.Context, p pendingRecord) error {
	_, err := s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(p.key), Body: bytes.NewReader(p.body),
		ContentType: aws.String("application/json"), IfNoneMatch: aws.String("*"),
		// Object Lock buckets refuse a PUT without an integrity checksum.
		ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32,
	})
	if err == nil || awserr.Code(err) != "PreconditionFailed" {
		return err
	}
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(p.key)})
	if awserr.Code(err) == "AccessDenied" {
		s.logger().Debug("audit record already stored; no permission to compare it", "key", p.key)
		return nil
	}
	if err != nil {
		return fmt.Errorf("read back existing %s: %w", p.key, err)
	}
	defer out.Body.Close()
	stored, err := io.ReadAll(io.LimitReader(out.Body, int64(len(p.body))+1))
	if err != nil {
		return fmt.Errorf("read back existing %s: %w", p.key, err)
	}
	if !bytes.Equal(stored, p.body) {
		return &auditConflict{bucket: s.Bucket, key: p.key}
	}
	s.logger().Debug("audit record already stored by an earlier attempt", "key", p.key)
	return nil
}

func (s *S3Audit) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Package fakecloud is rectify's in-process AWS: an HTTP server on loopback
// that speaks the real wire protocols (EC2 Query, S3 REST-XML, SQS JSON,
// STS Query, Security Hub REST-JSON, AWS Config JSON, KMS JSON, CloudTrail
// JSON, SNS Query, ECR JSON, Lambda REST-JSON, GuardDuty REST-JSON,
// CloudWatch rpc-v2-cbor, CloudWatch Logs JSON) for the calls rectify makes,
// so the real aws-sdk-go-v2 clients run against it unchanged through
// BaseEndpoint.
//
// Every call is made by a principal (an IAM user or an assumed role) found
// from the SigV4 access key, and every mutating call, successful or not, is
// written as a CloudTrail record onto an SQS queue inside an EventBridge
// envelope, the way CloudTrail → EventBridge → SQS does in a real account.
// That makes the fake cloud an event source as well as a target, which is
// what the end-to-end tests and `rectify dev` need.
package fakecloud

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAccount is the account the demo identities live in.
const DefaultAccount = "123456789012"

// DefaultRegion is used when a request names no region.
const DefaultRegion = "us-east-1"

// Options configures a Cloud.
type Options struct {
	// Logger receives one debug line per request. Nil means discard.
	Logger *slog.Logger
	// Now replaces the clock, for tests. Nil means time.Now.
	Now func() time.Time
}

// Cloud holds the state of every fake service. It is safe for concurrent use.
type Cloud struct {
	log *slog.Logger
	now func() time.Time

	ids    *identities
	faults *faults
	trail  *trail

	ec2         *ec2Service
	s3          *s3Service
	sqs         *sqsService
	sts         *stsService
	securityhub *securityHubService
	config      *configService
	rds         *rdsService
	iam         *iamService
	kms         *kmsService
	cloudtrail  *cloudTrailService
	sns         *snsService
	ecr         *ecrService
	lambda      *lambdaService
	guardduty   *guardDutyService
	cloudwatch  *cloudWatchService
	logs        *logsService

	// services maps the SigV4 signing name to the service that serves it.
	services map[string]service

	mu       sync.Mutex
	srv      *http.Server
	listener net.Listener
	seq      atomic.Uint64
}

// New returns a Cloud with the default account and its admin user
// (see DefaultAccessKeyID). Nothing listens until Start.
func New(opts Options) *Cloud {
	c := &Cloud{log: opts.Logger, now: opts.Now}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.ids = newIdentities(c)
	c.faults = newFaults()
	c.trail = &trail{cloud: c}
	c.ec2 = newEC2Service(c)
	c.s3 = newS3Service(c)
	c.sqs = newSQSService(c)
	c.sts = newSTSService(c)
	c.securityhub = newSecurityHubService(c)
	c.config = newConfigService(c)
	c.rds = newRDSService(c)
	c.iam = newIAMService(c)
	c.kms = newKMSService(c)
	c.cloudtrail = newCloudTrailService(c)
	c.sns = newSNSService(c)
	c.ecr = newECRService(c)
	c.lambda = newLambdaService(c)
	c.guardduty = newGuardDutyService(c)
	c.cloudwatch = newCloudWatchService(c)
	c.logs = newLogsService(c)
	c.services = map[string]service{
		"ec2":         c.ec2,
		"s3":          c.s3,
		"sqs":         c.sqs,
		"sts":         c.sts,
		"securityhub": c.securityhub,
		"config":      c.config,
		"rds":         c.rds,
		"iam":         c.iam,
		"kms":         c.kms,
		"cloudtrail":  c.cloudtrail,
		"sns":         c.sns,
		"ecr":         c.ecr,
		"lambda":      c.lambda,
		"guardduty":   c.guardduty,
		"monitoring":  c.cloudwatch,
		"logs":        c.logs,
	}
	c.ids.addDefaults()
	return c
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in the
// background. It returns the base URL to give the SDK as BaseEndpoint.
func (c *Cloud) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("fakecloud listen %s: %w", addr, err)
	}
	c.mu.Lock()
	c.listener = ln
	c.srv = &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	c.mu.Unlock()
	go func() {
		if err := c.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("fakecloud serve", "err", err)
		}
	}()
	return c.URL(), nil
}

// URL is the base endpoint of a started Cloud.
func (c *Cloud) URL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.listener == nil {
		return ""
	}
	return "http://" + c.listener.Addr().String()
}

// Close stops the server and wakes long polls.
func (c *Cloud) Close() error {
	c.mu.Lock()
	srv := c.srv
	c.mu.Unlock()
	c.sqs.close()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

// newID returns prefix followed by n lowercase hex digits, the shape AWS
// uses for sg-, sgr-, request and event ids.
func newID(prefix string, n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)[:n]
}

// newUUID returns a random RFC 4122 version 4 UUID string.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

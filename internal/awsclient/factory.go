// Package awsclient builds aws-sdk-go-v2 clients per account and region.
// In a target account rectify acts as the remediation role, assumed through
// STS with cached credentials; the endpoint override points every client at
// the fake cloud (or a proxy) without changing the code path. Every client
// it builds drops its cached credentials when a call is refused for them
// (see invalidateOnAuthError), so the next call assumes the role again.
package awsclient

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/rectifyhq/rectify/internal/awserr"
)

// Options configures a Factory.
type Options struct {
	Region string
	// Endpoint overrides every service's endpoint (BaseEndpoint).
	Endpoint string
	// AssumeRole is an ARN template: "{account}" is replaced by the target
	// account. Empty means use the base credentials everywhere.
	AssumeRole string
	ExternalID string
	// Credentials replaces the default credential chain (tests, the fake
	// cloud). Nil means the SDK's default chain.
	Credentials aws.CredentialsProvider
	// Log receives a warning each time cached credentials are dropped;
	// nil is slog.Default().
	Log *slog.Logger
}

// Factory hands out clients for an account and region.
type Factory struct {
	opts Options
	base aws.Config
	// baseCreds are the worker's own credentials: the SQS queue's and the
	// ones STS AssumeRole is called with.
	baseCreds *cachedCredentials
	// apiOptions are the loaded stack options without the credentials
	// hook, clipped so that appending one always copies.
	apiOptions []func(*middleware.Stack) error

	mu    sync.Mutex
	creds map[string]*cachedCredentials // by account
}

// New loads the base configuration once.
func New(ctx context.Context, opts Options) (*Factory, error) {
	var loadOpts []func(*awsconfig.LoadOptions) error
	if opts.Region != "" {
		loadOpts = append(loadOpts, awsconfig.WithRegion(opts.Region))
	}
	if opts.Credentials != nil {
		loadOpts = append(loadOpts, awsconfig.WithCredentialsProvider(opts.Credentials))
	}
	if opts.Endpoint != "" {
		loadOpts = append(loadOpts, awsconfig.WithBaseEndpoint(opts.Endpoint))
	}
	base, err := awsconfig.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	f := &Factory{opts: opts, base: base, apiOptions: slices.Clip(base.APIOptions), creds: map[string]*cachedCredentials{}}
	// LoadDefaultConfig wraps every provider in a CredentialsCache; a
	// provider that is already one is kept as is.
	f.baseCreds = f.newCachedCredentials("", base.Credentials)
	f.base.APIOptions = append(f.apiOptions, f.baseCreds.invalidateOnAuthError)
	return f, nil
}

// Base is the configuration with the worker's own credentials.
func (f *Factory) Base() aws.Config { return f.base.Copy() }

// RoleARN is the role assumed in account, or "" when none is configured.
func (f *Factory) RoleARN(account string) string {
	if f.opts.AssumeRole == "" || account == "" {
		return ""
	}
	return strings.ReplaceAll(f.opts.AssumeRole, "{account}", account)
}

// Config is the configuration to act in account and region. Its clients
// drop the account's cached credentials on an auth error.
func (f *Factory) Config(account, region string) aws.Config {
	cfg := f.base.Copy()
	if region != "" {
		cfg.Region = region
	}
	if role := f.RoleARN(account); role != "" {
		creds := f.roleCredentials(account, role)
		cfg.Credentials = creds.cache
		// The base options already hold the base credentials' hook; a
		// role's clients need the role's instead.
		cfg.APIOptions = append(f.apiOptions, creds.invalidateOnAuthError)
	}
	return cfg
}

// roleCredentials caches one refreshing provider per account, so a storm of
// activities costs one AssumeRole per credential lifetime, not one per call.
func (f *Factory) roleCredentials(account, role string) *cachedCredentials {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.creds[account]; ok {
		return c
	}
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(f.base), role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "rectify"
		if f.opts.ExternalID != "" {
			o.ExternalID = aws.String(f.opts.ExternalID)
		}
	})
	c := f.newCachedCredentials(account, aws.NewCredentialsCache(assumeRoleProvider{role: role, AssumeRoleProvider: provider}))
	f.creds[account] = c
	return c
}

// assumeRoleProvider marks its errors as a failure to assume role, so that
// a refusal by STS (AccessDenied on sts:AssumeRole) is classified as
// awserr.AssumeRoleDenied, not as an AccessDenied on the operation the
// credentials were for: the SDK reports both as that operation's error.
type assumeRoleProvider struct {
	role string
	*stscreds.AssumeRoleProvider
}

func (p assumeRoleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := p.AssumeRoleProvider.Retrieve(ctx)
	if err != nil {
		return creds, &awserr.AssumeRoleError{Role: p.role, Err: err}
	}
	return creds, nil
}

// cachedCredentials are one account's cached credentials with the hook
// that drops them.
type cachedCredentials struct {
	account string
	cache   *aws.CredentialsCache // nil when the provider is not a cache
	log     *slog.Logger
	// gen counts invalidations. A call remembers it when it starts and
	// invalidates only if nobody did since: the calls in flight with the
	// old credentials when they were refused fail too, and must not throw
	// away the fresh credentials the first of them caused.
	gen atomic.Uint64
}

func (f *Factory) newCachedCredentials(account string, p aws.CredentialsProvider) *cachedCredentials {
	cache, _ := p.(*aws.CredentialsCache)
	log := f.opts.Log
	if log == nil {
		log = slog.Default()
	}
	return &cachedCredentials{account: account, cache: cache, log: log}
}

// invalidateMiddlewareID names the hook on every client's stack.
const invalidateMiddlewareID = "rectifyInvalidateCredentialsOnAuthError"

// invalidateOnAuthError is added to the stack of every client the factory
// builds. It sits first in the Initialize step, so it sees the error of the
// whole call, after the SDK's own retries. On an auth error (awserr.Auth:
// a key the service no longer knows after a restart of its identity store
// or revoked sessions, an expired token, STS refusing the role) it drops
// the cached credentials, and the next call, usually the activity's next
// attempt, assumes the role again instead of reusing what was refused
// until it expires an hour later.
func (c *cachedCredentials) invalidateOnAuthError(stack *middleware.Stack) error {
	if c.cache == nil {
		return nil
	}
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc(invalidateMiddlewareID,
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			gen := c.gen.Load()
			out, md, err := next.HandleInitialize(ctx, in)
			if err != nil {
				if code := awserr.Code(err); awserr.IsAuth(code) && c.gen.CompareAndSwap(gen, gen+1) {
					c.cache.Invalidate()
					c.log.Warn("credentials refused; dropped from the cache, the next call gets new ones",
						"account", c.account, "code", code, "operation", middleware.GetOperationName(ctx))
				}
			}
			return out, md, err
		}), middleware.Before)
}

// EC2 returns an EC2 client for account and region.
func (f *Factory) EC2(account, region string) *ec2.Client {
	return ec2.NewFromConfig(f.Config(account, region))
}

// S3 returns an S3 client. With an endpoint override it uses path-style
// addressing, since a loopback endpoint has no bucket subdomains.
func (f *Factory) S3(account, region string) *s3.Client {
	return s3.NewFromConfig(f.Config(account, region), func(o *s3.Options) {
		o.UsePathStyle = f.opts.Endpoint != ""
	})
}

// OwnS3 returns an S3 client with the worker's own credentials, for what
// lives in rectify's own account (the audit bucket), in region (empty: the
// base region).
func (f *Factory) OwnS3(region string) *s3.Client {
	cfg := f.base.Copy()
	if region != "" {
		cfg.Region = region
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = f.opts.Endpoint != ""
	})
}

// IAM returns an IAM client for account. IAM is global; region only picks
// the endpoint partition.
func (f *Factory) IAM(account, region string) *iam.Client {
	return iam.NewFromConfig(f.Config(account, region))
}

// RDS returns an RDS client for account and region.
func (f *Factory) RDS(account, region string) *rds.Client {
	return rds.NewFromConfig(f.Config(account, region))
}

// KMS returns a KMS client for account and region.
func (f *Factory) KMS(account, region string) *kms.Client {
	return kms.NewFromConfig(f.Config(account, region))
}

// CloudTrail returns a CloudTrail client for account and region.
func (f *Factory) CloudTrail(account, region string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(f.Config(account, region))
}

// SecurityHub returns a Security Hub client for account and region.
func (f *Factory) SecurityHub(account, region string) *securityhub.Client {
	return securityhub.NewFromConfig(f.Config(account, region))
}

// SQS returns an SQS client with the base credentials: the event queue
// lives in rectify's own account.
func (f *Factory) SQS() *sqs.Client { return sqs.NewFromConfig(f.base) }

// SQSIn returns an SQS client for queues in a target account (the SQS
// controls), through the account's remediation role.
func (f *Factory) SQSIn(account, region string) *sqs.Client {
	return sqs.NewFromConfig(f.Config(account, region))
}

// SNS returns an SNS client for account and region.
func (f *Factory) SNS(account, region string) *sns.Client {
	return sns.NewFromConfig(f.Config(account, region))
}

// ConfigService returns an AWS Config client for account and region.
func (f *Factory) ConfigService(account, region string) *configservice.Client {
	return configservice.NewFromConfig(f.Config(account, region))
}

// GuardDuty returns a GuardDuty client for account and region.
func (f *Factory) GuardDuty(account, region string) *guardduty.Client {
	return guardduty.NewFromConfig(f.Config(account, region))
}

// ECR returns an ECR client for account and region.
func (f *Factory) ECR(account, region string) *ecr.Client {
	return ecr.NewFromConfig(f.Config(account, region))
}

// Lambda returns a Lambda client for account and region.
func (f *Factory) Lambda(account, region string) *lambda.Client {
	return lambda.NewFromConfig(f.Config(account, region))
}

// CloudWatch returns a CloudWatch client for account and region.
func (f *Factory) CloudWatch(account, region string) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(f.Config(account, region))
}

// CloudWatchLogs returns a CloudWatch Logs client for account and region.
func (f *Factory) CloudWatchLogs(account, region string) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(f.Config(account, region))
}

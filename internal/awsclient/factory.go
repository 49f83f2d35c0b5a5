// Package awsclient builds aws-sdk-go-v2 clients per account and region.
// In a target account rectify acts as the remediation role, assumed through
// STS with cached credentials; the endpoint override points every client at
// the fake cloud (or a proxy) without changing the code path.
package awsclient

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
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
}

// Factory hands out clients for an account and region.
type Factory struct {
	opts Options
	base aws.Config

	mu    sync.Mutex
	creds map[string]aws.CredentialsProvider // by account
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
	return &Factory{opts: opts, base: base, creds: map[string]aws.CredentialsProvider{}}, nil
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

// Config is the configuration to act in account and region.
func (f *Factory) Config(account, region string) aws.Config {
	cfg := f.base.Copy()
	if region != "" {
		cfg.Region = region
	}
	if role := f.RoleARN(account); role != "" {
		cfg.Credentials = f.roleCredentials(account, role)
	}
	return cfg
}

// roleCredentials caches one refreshing provider per account, so a storm of
// activities costs one AssumeRole per credential lifetime, not one per call.
func (f *Factory) roleCredentials(account, role string) aws.CredentialsProvider {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.creds[account]; ok {
		return p
	}
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(f.base), role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "rectify"
		if f.opts.ExternalID != "" {
			o.ExternalID = aws.String(f.opts.ExternalID)
		}
	})
	p := aws.NewCredentialsCache(provider)
	f.creds[account] = p
	return p
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

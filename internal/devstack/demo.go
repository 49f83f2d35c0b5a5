package devstack

import (
	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/service/s3"
)

// Demo identities of the fake cloud's default account. The human makes the
// insecure changes; the worker acts only through the remediation role, so
// its CloudTrail events carry that role and the starter drops them.
const (
	Account       = fakecloud.DefaultAccount
	Region        = fakecloud.DefaultRegion
	HumanUser     = "alice"
	HumanKeyID    = "AKIAFAKEALICE0000001"
	HumanSecret   = "fake-alice-secret"
	WorkerUser    = "rectify-worker"
	WorkerKeyID   = "AKIAFAKEWORKER000001"
	WorkerSecret  = "fake-worker-secret"
	StarterUser   = "rectify-starter"
	StarterKeyID  = "AKIAFAKESTARTER00001"
	StarterSecret = "fake-starter-secret"
	// The auditor reads the audit trail (`rectify report` against `rectify
	// dev`); the bucket is in the demo account.
	AuditorUser         = "rectify-auditor"
	AuditorKeyID        = "AKIAFAKEAUDITOR00001"
	AuditorSecret       = "fake-auditor-secret"
	RemediationRoleName = "rectify-remediation"
	// RemediationRole is the ARN template the worker assumes per account.
	RemediationRole = "arn:aws:iam::{account}:role/" + RemediationRoleName
	// RemediationRolePattern matches the role in every account, for the
	// starter's loop-prevention filter.
	RemediationRolePattern = "arn:aws:iam::*:role/" + RemediationRoleName
	EventQueue             = "rectify-events"
	DeadLetterQueue        = "rectify-events-dlq"
	// MaxReceiveCount is how often an unparseable message is tried before
	// SQS moves it to the dead-letter queue.
	MaxReceiveCount = 3
	DemoGroupName   = "web"
	DemoBucket      = "rectify-demo-data"
	// AuditBucket holds the local stack's audit trail: rectify's own
	// bucket, compliant with every bucket control, so it tells no story of
	// its own.
	AuditBucket = "rectify-audit"
	// DemoLogBucket receives the demo bucket's server access logs.
	DemoLogBucket = "rectify-demo-logs"
)

// Seed is the demo account: the identities above, the event queue with
// its dead-letter queue, one security group and one bucket, both compliant
// until the demo changes them, and the bucket's access-log bucket. Suffix makes resource names unique, so
// tests sharing one Temporal server do not share workflow IDs.
func Seed(suffix string) fakecloud.Seed {
	demo := DemoResources(suffix).Accounts[0]
	return fakecloud.Seed{
		Accounts: []fakecloud.AccountSeed{{
			ID: Account,
			Users: []fakecloud.UserSeed{
				{Name: HumanUser, AccessKeyID: HumanKeyID, SecretAccessKey: HumanSecret},
				{Name: WorkerUser, AccessKeyID: WorkerKeyID, SecretAccessKey: WorkerSecret},
				{Name: StarterUser, AccessKeyID: StarterKeyID, SecretAccessKey: StarterSecret},
				{Name: AuditorUser, AccessKeyID: AuditorKeyID, SecretAccessKey: AuditorSecret},
			},
			Roles: []fakecloud.RoleSeed{{
				Name:  RemediationRoleName,
				Trust: []string{"arn:aws:iam::" + Account + ":user/" + WorkerUser},
			}},
			// rectify's own queues are encrypted with SQS-managed keys
			// (SSE-SQS, as AWS makes new queues), so they satisfy SQS.1 like
			// any queue: the sweep lists and judges them instead of
			// exempting them, and a human who turned it off would see them
			// fixed too.
			Queues: []fakecloud.QueueSeed{{Name: DeadLetterQueue, Attributes: map[string]string{"SqsManagedSseEnabled": "true"}}},
			// A password policy that meets CIS 1.8/1.9 (FSBP IAM.7,
			// IAM.11-17), so a sweep of the demo account tells no story
			// about it until someone weakens it.
			PasswordPolicy: &fakecloud.IAMPasswordPolicy{
				MinimumPasswordLength: 14, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
				RequireSymbols: true, RequireNumbers: true, AllowUsersToChangePassword: true,
				MaxPasswordAge: 90, PasswordReusePrevention: 24,
			},
			// GuardDuty is on in the stack's region (FSBP GuardDuty.1), so
			// a sweep of the demo account tells no story about it until
			// someone turns it off; it costs nothing here.
			Detectors: []fakecloud.DetectorSeed{{Region: Region, Enabled: true}},
			// AWS Config records in the stack's region (FSBP Config.1),
			// delivering to the demo's log bucket, so a sweep tells no
			// story about it until someone stops the recorder.
			Recorders:      []fakecloud.RecorderSeed{{Region: Region, Bucket: DemoLogBucket + suffix, Recording: true}},
			SecurityGroups: demo.SecurityGroups,
			// The region's default VPC logs rejected traffic (FSBP EC2.6),
			// so a sweep of the demo account tells no story about it; a
			// VPC someone creates has none until rectify gives it one.
			FlowLogs: []fakecloud.FlowLogSeed{{
				Region: Region, VPCID: fakecloud.DefaultVPCID, TrafficType: "REJECT",
				Destination: "arn:aws:s3:::" + DemoLogBucket + suffix + "/vpc-flow-logs/",
			}},
			// The audit trail's bucket is the stack's, not the scenario's:
			// `rectify demo play` adds fresh demo resources beside it.
			Buckets: append(demo.Buckets, fakecloud.BucketSeed{
				Name: AuditBucket, Region: Region,
				PublicAccessBlock: &fakecloud.PublicAccessBlockSeed{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true},
				Tags:              map[string]string{"data-classification": "internal", "purpose": "rectify-audit-trail", exempt.TagExempt: "aws.s3.access_logging"},
				Policy:            tlsOnlyPolicy(AuditBucket),
			}),
		}},
		EventQueue: &fakecloud.QueueSeed{
			Name: EventQueue,
			Attributes: map[string]string{
				"VisibilityTimeout":    "30",
				"SqsManagedSseEnabled": "true",
				"RedrivePolicy":        `{"deadLetterTargetArn":"arn:aws:sqs:` + Region + `:` + Account + `:` + DeadLetterQueue + `","maxReceiveCount":"3"}`,
			},
		},
	}
}

// DemoResources is the security group and the bucket the demo breaks,
// compliant until it does, added to the demo account (which Seed made)
// without a CloudTrail event: `rectify demo play` plays every scenario on
// fresh ones, since the last play's violations are still watched.
func DemoResources(suffix string) fakecloud.Seed {
	return fakecloud.Seed{Accounts: []fakecloud.AccountSeed{{
		ID: Account,
		SecurityGroups: []fakecloud.SecurityGroupSeed{{
			Region: Region, GroupName: DemoGroupName + suffix, Description: "demo web tier",
			Ingress: []fakecloud.RuleSeed{{Protocol: "tcp", FromPort: 443, ToPort: 443, CidrIPv4: "0.0.0.0/0", Description: "https"}},
			Tags:    map[string]string{"team": "web"},
		}},
		Buckets: []fakecloud.BucketSeed{{
			Name: DemoBucket + suffix, Region: Region,
			PublicAccessBlock: &fakecloud.PublicAccessBlockSeed{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true},
			Tags:              map[string]string{"data-classification": "internal"},
			// Compliant with every bucket control but the one the demo
			// breaks, so the demo tells one story.
			Policy:  tlsOnlyPolicy(DemoBucket + suffix),
			Logging: &fakecloud.BucketLoggingSeed{TargetBucket: DemoLogBucket + suffix, TargetPrefix: DemoBucket + suffix + "/"},
		}, {
			// A log bucket cannot log into itself: it is exempt from S3.9,
			// as docs/controls.md tells operators to do.
			Name: DemoLogBucket + suffix, Region: Region,
			PublicAccessBlock: &fakecloud.PublicAccessBlockSeed{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true},
			Tags:              map[string]string{"data-classification": "internal", exempt.TagExempt: "aws.s3.access_logging"},
			Policy:            tlsOnlyPolicy(DemoLogBucket + suffix),
		}},
	}}}
}

// tlsOnlyPolicy is a bucket policy that denies every request without TLS.
func tlsOnlyPolicy(bucket string) string {
	arn := s3.BucketARN(bucket)
	return `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["` + arn + `","` + arn + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
}

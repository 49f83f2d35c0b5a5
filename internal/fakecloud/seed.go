package fakecloud

import (
	"bytes"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Seed is the starting state of a fake cloud, read from YAML or JSON by
// `rectify fakecloud --seed FILE` and built in Go by tests.
type Seed struct {
	Accounts []AccountSeed `yaml:"accounts"`
	// EventQueue, when set, is created and receives CloudTrail events.
	EventQueue *QueueSeed `yaml:"event_queue"`
}

// AccountSeed is one AWS account.
type AccountSeed struct {
	ID             string              `yaml:"id"`
	Users          []UserSeed          `yaml:"users"`
	Roles          []RoleSeed          `yaml:"roles"`
	Queues         []QueueSeed         `yaml:"queues"`
	SecurityGroups []SecurityGroupSeed `yaml:"security_groups"`
	Buckets        []BucketSeed        `yaml:"buckets"`
	DBInstances    []DBInstanceSeed    `yaml:"db_instances"` // rds.go
	KMSKeys        []KMSKeySeed        `yaml:"kms_keys"`
	Trails         []TrailSeed         `yaml:"trails"`
	IAM            []IAMSeed           `yaml:"iam"`          // iam.go
	Topics         []TopicSeed         `yaml:"topics"`       // sns.go
	Repositories   []RepositorySeed    `yaml:"repositories"` // ecr.go
	Functions      []FunctionSeed      `yaml:"functions"`    // lambda.go
	Detectors      []DetectorSeed      `yaml:"detectors"`    // guardduty.go
	Recorders      []RecorderSeed      `yaml:"recorders"`    // config_recorder.go
	// Subscriptions are to the account's Topics (sns_subscriptions.go);
	// LogGroups (with their metric filters, logs.go) and Alarms
	// (cloudwatch_alarms.go) are what the CIS monitoring controls read,
	// with a trail that delivers to the log group.
	Subscriptions []SubscriptionSeed `yaml:"subscriptions"`
	LogGroups     []LogGroupSeed     `yaml:"log_groups"`
	Alarms        []AlarmSeed        `yaml:"alarms"`
	// PasswordPolicy is the account's IAM password policy
	// (iam_password.go); nil: none, as in a new account.
	PasswordPolicy *IAMPasswordPolicy `yaml:"password_policy"`
	// Volumes, Subnets and Instances are the EC2 resources of the
	// snapshot, subnet and metadata controls (ec2_snapshots.go,
	// ec2_subnets.go, ec2_instances.go); subnets come before the
	// instances that name them.
	Volumes   []VolumeSeed   `yaml:"volumes"`
	Subnets   []SubnetSeed   `yaml:"subnets"`
	Instances []InstanceSeed `yaml:"instances"`
	// FlowLogs are VPC flow logs (ec2_vpcs.go), on the default VPC
	// unless they name another.
	FlowLogs []FlowLogSeed `yaml:"flow_logs"`
}

// VolumeSeed is an EBS volume to snapshot.
type VolumeSeed struct {
	Region  string `yaml:"region"`
	ID      string `yaml:"id"`
	SizeGiB int32  `yaml:"size_gib"`
}

// UserSeed is an IAM user with one access key.
type UserSeed struct {
	Name            string   `yaml:"name"`
	AccessKeyID     string   `yaml:"access_key_id"`
	SecretAccessKey string   `yaml:"secret_access_key"`
	Deny            []string `yaml:"deny"`
}

// RoleSeed is an IAM role for AssumeRole.
type RoleSeed struct {
	Name       string   `yaml:"name"`
	Trust      []string `yaml:"trust"`
	ExternalID string   `yaml:"external_id"`
	Deny       []string `yaml:"deny"`
}

// QueueSeed is an SQS queue. Account defaults to the enclosing account (or
// DefaultAccount for the event queue), Region to DefaultRegion.
type QueueSeed struct {
	Account    string            `yaml:"account"`
	Region     string            `yaml:"region"`
	Name       string            `yaml:"name"`
	Attributes map[string]string `yaml:"attributes"`
	Tags       map[string]string `yaml:"tags"`
}

// SecurityGroupSeed is a security group with its rules.
type SecurityGroupSeed struct {
	Region      string            `yaml:"region"`
	GroupID     string            `yaml:"group_id"` // empty: generated
	GroupName   string            `yaml:"group_name"`
	Description string            `yaml:"description"`
	VpcID       string            `yaml:"vpc_id"`
	Ingress     []RuleSeed        `yaml:"ingress"`
	Egress      []RuleSeed        `yaml:"egress"` // nil: the default allow-all egress rule
	Tags        map[string]string `yaml:"tags"`
}

// RuleSeed is one security group rule with one peer.
type RuleSeed struct {
	Protocol    string `yaml:"protocol"` // tcp, udp, icmp or -1
	FromPort    int32  `yaml:"from_port"`
	ToPort      int32  `yaml:"to_port"`
	CidrIPv4    string `yaml:"cidr_ipv4"`
	CidrIPv6    string `yaml:"cidr_ipv6"`
	Description string `yaml:"description"`
}

// BucketSeed is an S3 bucket and its settings.
type BucketSeed struct {
	Name              string                 `yaml:"name"`
	Region            string                 `yaml:"region"`
	PublicAccessBlock *PublicAccessBlockSeed `yaml:"public_access_block"` // nil: none
	Tags              map[string]string      `yaml:"tags"`
	Policy            string                 `yaml:"policy"` // JSON bucket policy
	// Encryption is the default encryption rule; nil: S3's default, SSE-S3.
	Encryption *BucketEncryption `yaml:"encryption"`
	// Logging is server access logging; nil: off. The target need not
	// exist yet: a seed is the state before the story starts.
	Logging *BucketLoggingSeed `yaml:"logging"`
}

// PublicAccessBlockSeed is the bucket-level public access block.
type PublicAccessBlockSeed struct {
	BlockPublicAcls       bool `yaml:"block_public_acls"`
	IgnorePublicAcls      bool `yaml:"ignore_public_acls"`
	BlockPublicPolicy     bool `yaml:"block_public_policy"`
	RestrictPublicBuckets bool `yaml:"restrict_public_buckets"`
}

// LoadSeedFile reads a seed from a YAML or JSON file.
func LoadSeedFile(path string) (Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("read seed: %w", err)
	}
	var s Seed
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return Seed{}, fmt.Errorf("seed %s: %w", path, err)
	}
	return s, nil
}

// Apply creates everything in the seed. It emits no CloudTrail events:
// a seed is the state before the story starts.
func (c *Cloud) Apply(s Seed) error {
	for _, a := range s.Accounts {
		if a.ID == "" {
			return fmt.Errorf("seed: account without id")
		}
		for _, u := range a.Users {
			if u.Name == "" || u.AccessKeyID == "" {
				return fmt.Errorf("seed: account %s: user needs name and access_key_id", a.ID)
			}
			c.AddUser(a.ID, u.Name, u.AccessKeyID, u.SecretAccessKey, u.Deny...)
		}
		for _, r := range a.Roles {
			if r.Name == "" {
				return fmt.Errorf("seed: account %s: role without name", a.ID)
			}
			c.AddRole(Role{Account: a.ID, Name: r.Name, Trust: r.Trust, ExternalID: r.ExternalID, Deny: r.Deny})
		}
		for _, q := range a.Queues {
			if q.Account == "" {
				q.Account = a.ID
			}
			if _, err := c.CreateQueue(q); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, sg := range a.SecurityGroups {
			if _, err := c.SeedSecurityGroup(a.ID, sg); err != nil {
				return fmt.Errorf("seed: account %s: security group %s: %w", a.ID, sg.GroupName, err)
			}
		}
		for _, b := range a.Buckets {
			if err := c.SeedBucket(a.ID, b); err != nil {
				return fmt.Errorf("seed: account %s: bucket %s: %w", a.ID, b.Name, err)
			}
		}
		if a.PasswordPolicy != nil {
			c.SetIAMPasswordPolicy(a.ID, a.PasswordPolicy)
		}
		for _, p := range a.IAM {
			if err := c.SeedIAM(a.ID, p.Kind, p.Name, p.ManagedPolicyARNs, p.InlinePolicies); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, d := range a.DBInstances {
			if err := c.SeedDBInstance(a.ID, d); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, k := range a.KMSKeys {
			if _, err := c.SeedKMSKey(a.ID, k); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, r := range a.Repositories {
			if err := c.SeedRepository(a.ID, r); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, f := range a.Functions {
			if err := c.SeedFunction(a.ID, f); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, d := range a.Detectors {
			if _, err := c.SeedDetector(a.ID, d); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, r := range a.Recorders {
			if err := c.SeedRecorder(a.ID, r); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, t := range a.Topics {
			if err := c.SeedTopic(a.ID, t); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, sub := range a.Subscriptions {
			if _, err := c.SeedSubscription(a.ID, sub); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, g := range a.LogGroups {
			if _, err := c.SeedLogGroup(a.ID, g); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, al := range a.Alarms {
			if err := c.SeedMetricAlarm(a.ID, al); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, t := range a.Trails {
			if err := c.SeedTrail(a.ID, t); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, v := range a.Volumes {
			region := v.Region
			if region == "" {
				region = DefaultRegion
			}
			if err := c.SeedVolume(a.ID, region, v.ID, v.SizeGiB); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, sn := range a.Subnets {
			if err := c.SeedSubnet(a.ID, sn); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, in := range a.Instances {
			if err := c.SeedInstance(a.ID, in); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
		for _, fl := range a.FlowLogs {
			if _, err := c.SeedFlowLog(a.ID, fl); err != nil {
				return fmt.Errorf("seed: account %s: %w", a.ID, err)
			}
		}
	}
	if q := s.EventQueue; q != nil {
		if q.Account == "" {
			q.Account = DefaultAccount
		}
		url, err := c.CreateQueue(*q)
		if err != nil {
			return fmt.Errorf("seed: event queue: %w", err)
		}
		c.SetEventQueue(url, nil)
	}
	return nil
}

// Package kind declares what rectify knows about one kind of cloud
// resource, in one value: its names in Terraform, AWS Config and Security
// Hub, its ARN, whether it carries tags, how it is read and listed live,
// which CloudTrail calls change it and where they name it, how a Terraform
// plan describes it, and the remediation actions that fix it, each with
// the IAM permissions it needs.
//
// Service packages (internal/service/<service>) declare their kinds; a
// Registry indexes them. The readers, the action allow-list, the
// permissions the deploy module grants, the event tables and `rectify
// controls` all derive from the registry, so no second table can drift.
package kind

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// Kind is everything rectify knows about one resource kind.
type Kind struct {
	// Type is the Terraform type name, the vocabulary of both planes.
	Type string
	// Noun names one resource for people ("security group", "S3 bucket").
	Noun string
	// ConfigType is the AWS Config resource type (AWS::EC2::SecurityGroup);
	// empty when Config does not record the kind.
	ConfigType string
	// ASFFType is the Security Hub resource type (AwsEc2SecurityGroup);
	// "Other" when the ASFF has none.
	ASFFType string
	// ASFFDetailsID names the field of Details.<ASFFType> that holds the id,
	// for findings whose resource Id is neither an ARN nor a plain id.
	ASFFDetailsID string

	// Scope says whether a resource has an id of its own or is the one
	// setting of a region or an account.
	Scope Scope
	// Global kinds (IAM) live in no region: their ARNs name none, and a
	// ref without one is filed under GlobalRegion.
	Global bool
	// ConfigIDs are the fields of an AWS Config item that hold the id, in
	// order (the item's ARN is tried last): ConfigName, ConfigResourceID.
	// Nil tries the name, then the resource id. IAM's resourceId is a
	// unique id (AIDA...) no other source uses, RDS's a DbiResourceId.
	ConfigIDs []string

	// ARN builds the identity of a resource from its id; ParseARN reads the
	// id back, failing for an ARN of any other kind. They are the only
	// place that formats or parses this kind's ARNs.
	ARN      func(account, region, id string) string
	ParseARN func(a ARN) (id string, ok bool)
	// IsID accepts an id written without its ARN (sg-0abc, a bucket name);
	// nil accepts any non-empty string.
	IsID func(s string) bool
	// CanonicalID, when set, writes an id the way AWS stores it (RDS keeps
	// identifiers in lower case), so every source names one workflow.
	CanonicalID func(id string) string

	// Fetch reads one resource live and normalizes it; false when it does
	// not exist (or is out of the live plane, like a key pending deletion).
	Fetch func(ctx context.Context, env Env, ref resource.Ref) (resource.Resource, bool, error)
	// List reads one page of the resources of an account and region, for
	// sweeps. A Scope other than Resource needs none.
	List func(ctx context.Context, env Env, page Page) (Listed, error)
	// Normalize builds the live document from the state Fetch reads, given
	// as JSON: the form the plan/live fixture pairs write it in, so every
	// pair crosses the real normalizer.
	Normalize func(account, region string, state json.RawMessage) (resource.Resource, error)
	// Tag adds or overwrites the given tags and keeps the others (the
	// exemption of an undone fix). Nil when the kind cannot carry tags: its
	// exemptions are config entries.
	Tag func(ctx context.Context, env Env, ref resource.Ref, tags map[string]string) error

	// Calls are the CloudTrail calls that change the resource.
	Calls []Call
	// Plan is how a Terraform plan describes the kind; zero when Terraform
	// cannot express it.
	Plan plan.Kind
	// Actions are the remediations that fix the kind's violations.
	Actions []*Action
	// Permissions are the IAM actions Fetch, List and Tag call.
	Permissions Permissions
}

// Scope is how many resources of a kind an account holds.
type Scope int

const (
	// ScopeResource: any number, each with an id of its own.
	ScopeResource Scope = iota
	// ScopeRegion: one setting per account and region; its id is the region.
	ScopeRegion
	// ScopeAccount: one setting per account; its id is the account.
	ScopeAccount
)

// Fields of an AWS Config item (Kind.ConfigIDs).
const (
	ConfigName       = "resourceName"
	ConfigResourceID = "resourceId"
)

// GlobalRegion is where global services (IAM) are called and filed: their
// CloudTrail events carry it as awsRegion, and AWS Config's "global" maps
// to it.
const GlobalRegion = "us-east-1"

// Permissions are the IAM actions of a kind's reads.
type Permissions struct {
	Read []string // Fetch (evaluation and verification)
	List []string // List (sweeps)
	Tag  []string // Tag (the exemption after an undo)
}

// Env is what a kind's reads and actions work with.
type Env struct {
	AWS *awsclient.Factory
	// Options are what the operator gave the actions (the config's
	// remediation section): destinations, keys, thresholds, by the keys the
	// actions declare (Action.Options).
	Options map[string]string
	// Judge evaluates one policy on a document and returns the params of
	// each deny: an action may need to know which part of a document a
	// control fails on.
	Judge func(ctx context.Context, policyID string, r resource.Resource) ([]map[string]any, error)
	Now   func() time.Time
}

// Page asks for one page of the resources of a kind.
type Page struct {
	Of      *Kind // the kind listed
	Account string
	Region  string
	Token   string
	// Limit is the page size; 0 takes the API's maximum.
	Limit int32
}

// Ref names a resource the page lists, by id.
func (p Page) Ref(id string) resource.Ref { return p.Of.Ref(p.Account, p.Region, id) }

// Listed is one page of refs; Token is empty on the last.
type Listed struct {
	Refs  []resource.Ref
	Token string
}

// Ref names a resource of this kind by id in an account and region.
func (k *Kind) Ref(account, region, id string) resource.Ref {
	if k.CanonicalID != nil {
		id = k.CanonicalID(id)
	}
	if k.Global && region == "" {
		region = GlobalRegion
	}
	return resource.Ref{Type: k.Type, ID: id, ARN: k.ARN(account, region, id), Account: account, Region: region}
}

// SettingID is the id of the one resource of a setting kind.
func (k *Kind) SettingID(account, region string) string {
	if k.Scope == ScopeAccount {
		return account
	}
	return region
}

// Resolve names the resource a string points at: an ARN of this kind
// (whose account and region win over the ones given, since a resource may
// be used across accounts), or a plain id. False when s is neither.
func (k *Kind) Resolve(s, account, region string) (resource.Ref, bool) {
	if s == "" {
		return resource.Ref{}, false
	}
	if a, ok := ParseARN(s); ok {
		if k.ParseARN == nil {
			return resource.Ref{}, false
		}
		id, ok := k.ParseARN(a)
		if !ok || id == "" {
			return resource.Ref{}, false
		}
		if a.Account != "" {
			account = a.Account
		}
		if a.Region != "" {
			region = a.Region
		}
		return k.Ref(account, region, id), true
	}
	if k.Scope != ScopeResource || (k.IsID != nil && !k.IsID(s)) {
		return resource.Ref{}, false
	}
	return k.Ref(account, region, s), true
}

// Setting is the ref of the one resource of a setting kind.
func (k *Kind) Setting(account, region string) resource.Ref {
	return k.Ref(account, region, k.SettingID(account, region))
}

// Taggable reports whether an exemption can be written on the resource.
func (k *Kind) Taggable() bool { return k.Tag != nil }

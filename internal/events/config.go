package events

import (
	"fmt"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/resource"
)

// AWS Config message types that announce a changed resource. Every other
// type (snapshot and history deliveries, compliance changes, evaluations
// started, ...) is ignored as unsupported.
const (
	messageItemChange      = "ConfigurationItemChangeNotification"
	messageOversized       = "OversizedConfigurationItemChangeNotification"
	messageOversizedFailed = "OversizedConfigurationItemChangeDeliveryFailed"
)

// configTypes maps AWS Config resource types, lower-cased (old notifications
// spell them AWS::EC2::VOLUME), to Terraform type names.
var configTypes = map[string]string{
	"aws::ec2::securitygroup": resource.TypeSecurityGroup,
	"aws::s3::bucket":         resource.TypeS3Bucket,
	"aws::iam::user":          resource.TypeIAMUser,
	"aws::iam::role":          resource.TypeIAMRole,
	"aws::iam::group":         resource.TypeIAMGroup,
	"aws::rds::dbinstance":    typeDBInstance,
	"aws::cloudtrail::trail":  typeCloudTrail,
	"aws::kms::key":           typeKMSKey,
}

// iamKinds gives the ARN resource kind of each IAM type.
var iamKinds = map[string]string{
	resource.TypeIAMUser:  "user",
	resource.TypeIAMRole:  "role",
	resource.TypeIAMGroup: "group",
}

// Statuses of a configuration item whose resource no longer exists.
var configDeleted = map[string]bool{
	"resourcedeleted":            true,
	"resourcedeletednotrecorded": true,
}

// parseConfig reads an AWS Config notification: the body of a raw SNS
// delivery, the Message of an SNS notification, or the detail of an
// EventBridge event.
func parseConfig(msg fields, env envelope) ([]Trigger, error) {
	messageType, err := msg.str("messageType")
	if err != nil {
		return nil, err
	}
	if messageType == "" {
		// Forwarders sometimes pass the notification on without its type;
		// the content still says which one it is.
		switch {
		case msg.has("configurationItemSummary"):
			messageType = messageOversized
		case msg.has("configurationItem") || msg.has("configurationItems"):
			messageType = messageItemChange
		default:
			return nil, msg.errorf("Config notification has no messageType")
		}
	}
	if messageType != messageItemChange && messageType != messageOversized && messageType != messageOversizedFailed {
		return []Trigger{ignoredConfig(messageType, env)}, nil
	}
	created, err := msg.timestamp("notificationCreationTime")
	if err != nil {
		return nil, err
	}
	if created.IsZero() {
		created = env.time
	}
	if messageType == messageItemChange {
		return configItemChange(msg, env, created)
	}
	return configOversized(msg, messageType, env, created)
}

// ignoredConfig is the Trigger for a Config message that changes no
// resource, named by its messageType or EventBridge detail-type.
func ignoredConfig(what string, env envelope) Trigger {
	return Trigger{
		Source: SourceConfig, Account: env.account, Region: env.region,
		EventName: what, EventTime: env.time,
		Ignored: true, Reason: reasonUnsupported + "config/" + what,
	}
}

// configItemChange reads configurationItem; notifications from 2014 carry
// a configurationItems list instead, so that is read too.
func configItemChange(msg fields, env envelope, created time.Time) ([]Trigger, error) {
	key := "configurationItem"
	if !msg.has(key) && msg.has("configurationItems") {
		key = "configurationItems"
	}
	var items []fields
	switch raw := msg.lookup(key); kind(raw) {
	case "an object":
		item, err := asObject(raw, msg.child(key))
		if err != nil {
			return nil, err
		}
		items = []fields{item}
	case "an array":
		raws, err := msg.list(key)
		if err != nil {
			return nil, err
		}
		for i, r := range raws {
			item, err := asObject(r, fmt.Sprintf("%s[%d]", msg.child(key), i))
			if err != nil {
				return nil, err
			}
			items = append(items, item)
		}
	case "missing", "null":
	default:
		return nil, malformed("%s is %s, expected an object", msg.child(key), kind(raw))
	}
	if len(items) == 0 {
		return nil, msg.errorf("%s has no configurationItem", messageItemChange)
	}
	ts := make([]Trigger, 0, len(items))
	for _, item := range items {
		c, err := readConfigItem(item, env, created)
		if err != nil {
			return nil, err
		}
		t, err := c.trigger(messageItemChange)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// configOversized reads the summary that stands in for an item too large
// for SNS, and where the full item went.
func configOversized(msg fields, messageType string, env envelope, created time.Time) ([]Trigger, error) {
	summary, err := msg.obj("configurationItemSummary")
	if err != nil {
		return nil, err
	}
	if len(summary.m) == 0 {
		return nil, msg.errorf("%s has no configurationItemSummary", messageType)
	}
	c, err := readConfigItem(summary, env, created)
	if err != nil {
		return nil, err
	}
	t, err := c.trigger(messageType)
	if err != nil {
		return nil, err
	}
	if t.Ignored {
		return []Trigger{t}, nil
	}
	delivery, err := msg.obj("s3DeliverySummary")
	if err != nil {
		return nil, err
	}
	location, err := delivery.str("s3BucketLocation")
	if err != nil {
		return nil, err
	}
	code, err := delivery.str("errorCode")
	if err != nil {
		return nil, err
	}
	text, err := delivery.str("errorMessage")
	if err != nil {
		return nil, err
	}
	ref := &OversizedRef{ConfigType: c.configType, ConfigID: c.id, CaptureTime: c.captured}
	if ref.ConfigID == "" {
		ref.ConfigID = t.ResourceID
	}
	ref.S3Bucket, ref.S3Key = splitS3Location(location)
	switch {
	case code != "" && text != "":
		ref.DeliveryError = code + ": " + text
	case code != "" || text != "":
		ref.DeliveryError = code + text
	case messageType == messageOversizedFailed:
		ref.DeliveryError = messageOversizedFailed
	}
	t.Oversized = ref
	return []Trigger{t}, nil
}

// splitS3Location splits "bucket/key/with/slashes", as s3BucketLocation
// spells it, also accepting an s3:// URL.
func splitS3Location(location string) (bucket, key string) {
	location = strings.TrimPrefix(strings.TrimSpace(location), "s3://")
	bucket, key, _ = strings.Cut(location, "/")
	return bucket, key
}

// configItem is what a Trigger needs from a configuration item or from the
// summary of an oversized one; both spell the fields the same way.
type configItem struct {
	at         fields // the item, for error messages
	configType string
	id         string // resourceId: sg-..., the bucket name, AIDA... for IAM, db-... for RDS
	name       string // resourceName: the bucket, principal or DB identifier
	arn        string
	account    string
	region     string
	status     string
	stateID    string
	captured   time.Time
}

func readConfigItem(item fields, env envelope, created time.Time) (configItem, error) {
	c := configItem{at: item}
	var err error
	for _, f := range []struct {
		dst *string
		key string
	}{
		{&c.configType, "resourceType"},
		{&c.id, "resourceId"},
		{&c.name, "resourceName"},
		{&c.arn, "ARN"}, // "arn" in the 2014 format
		{&c.account, "awsAccountId"},
		{&c.region, "awsRegion"},
		{&c.status, "configurationItemStatus"},
		{&c.stateID, "configurationStateId"},
	} {
		if *f.dst, err = item.str(f.key); err != nil {
			return c, err
		}
	}
	if c.account == "" {
		if c.account, err = item.str("accountId"); err != nil { // the 2014 format
			return c, err
		}
	}
	if c.account == "" {
		c.account = env.account
	}
	if c.region == "" {
		c.region = env.region
	}
	if c.captured, err = item.timestamp("configurationItemCaptureTime"); err != nil {
		return c, err
	}
	if c.captured.IsZero() {
		c.captured = created
	}
	if c.configType == "" {
		return c, item.errorf("configuration item has no resourceType")
	}
	return c, nil
}

// trigger maps the item onto a Trigger. The resource's own ARN is used when
// the item carries one, except for IAM, whose ARN carries a path CloudTrail
// does not know (see canonicalIAMARN).
func (c configItem) trigger(eventName string) (Trigger, error) {
	t := Trigger{
		Source: SourceConfig, Account: c.account, Region: c.region,
		EventName: eventName, EventID: c.stateID, EventTime: c.captured,
	}
	typ, ok := configTypes[strings.ToLower(c.configType)]
	if !ok {
		t.ResourceID, t.ARN = firstOf2(c.id, c.name), c.arn
		t.Ignored, t.Reason = true, reasonUnsupported+"config/"+c.configType
		return t, nil
	}
	kind, isIAM := iamKinds[typ]
	if isIAM && (t.Region == "" || strings.EqualFold(t.Region, "global")) {
		t.Region = iamGlobalRegion
	}
	// As for CloudTrail: without these the starter can pick no credentials
	// and build no identity.
	if t.Account == "" {
		return t, c.at.errorf("configuration item for %s has no awsAccountId", c.configType)
	}
	if t.Region == "" {
		return t, c.at.errorf("configuration item for %s has no awsRegion", c.configType)
	}
	given, hasARN := parseARN(c.arn)
	var built string
	switch typ {
	case resource.TypeSecurityGroup:
		t.ResourceID = firstOf2(c.id, given.after("security-group/"))
		built = resource.SecurityGroupARN(t.Account, t.Region, t.ResourceID)
	case resource.TypeS3Bucket:
		t.ResourceID = firstOf2(c.name, c.id)
		if t.ResourceID == "" && given.service == "s3" {
			t.ResourceID = given.resource
		}
		built = resource.BucketARN(t.ResourceID)
	case resource.TypeIAMUser, resource.TypeIAMRole, resource.TypeIAMGroup:
		// resourceId is the unique id (AIDA..., AROA...); the name is
		// what CloudTrail and Terraform use.
		t.ResourceID = firstOf2(c.name, given.iamName(kind))
		hasARN = false
		built = canonicalIAMARN(t.Account, kind, t.ResourceID)
	case typeDBInstance:
		// resourceId is the DbiResourceId (db-...); the identifier is
		// the name.
		t.ResourceID = firstOf2(c.name, given.after("db:"))
		built = dbInstanceARN(t.Account, t.Region, t.ResourceID)
	case typeCloudTrail:
		t.ResourceID = firstOf2(c.name, c.id)
		if a, ok := parseARN(t.ResourceID); ok {
			t.ResourceID = a.after("trail/")
		}
		built = trailARN(t.Account, t.Region, t.ResourceID)
	case typeKMSKey:
		t.ResourceID = firstOf2(c.id, given.after("key/"))
		built = kmsKeyARN(t.Account, t.Region, t.ResourceID)
	}
	if t.ResourceID == "" {
		return t, c.at.errorf("configuration item for %s names no resource (resourceId, resourceName or ARN)", c.configType)
	}
	t.ResourceType, t.ARN = typ, built
	if hasARN {
		t.ARN = c.arn
	}
	t.Deleted = configDeleted[strings.ToLower(c.status)]
	return t, nil
}

func firstOf2(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

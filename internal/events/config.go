package events

import (
	"fmt"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/service"
)

// AWS Config message types that announce a changed resource. Every other
// type (snapshot and history deliveries, compliance changes, evaluations
// started, ...) is ignored as unsupported.
const (
	messageItemChange      = "ConfigurationItemChangeNotification"
	messageOversized       = "OversizedConfigurationItemChangeNotification"
	messageOversizedFailed = "OversizedConfigurationItemChangeDeliveryFailed"
)

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
	switch raw := msg.lookup(key); jsonKind(raw) {
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
		return nil, malformed("%s is %s, expected an object", msg.child(key), jsonKind(raw))
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

// trigger maps the item onto a Trigger. The kind's own resolution names
// the resource (kind.Kind.Resolve), trying the fields its ConfigIDs name
// and then the ARN, so an item names the same workflow as a CloudTrail record
// of the same resource (IAM names without their path, RDS identifiers in
// lower case).
func (c configItem) trigger(eventName string) (Trigger, error) {
	t := Trigger{
		Source: SourceConfig, Account: c.account, Region: c.region,
		EventName: eventName, EventID: c.stateID, EventTime: c.captured,
	}
	k, ok := service.Registry.ByConfigType(c.configType)
	if !ok || k.Fetch == nil {
		t.ResourceID, t.ARN = firstOf2(c.id, c.name), c.arn
		t.Ignored, t.Reason = true, reasonUnsupported+"config/"+c.configType
		return t, nil
	}
	if k.Global && (t.Region == "" || strings.EqualFold(t.Region, "global")) {
		t.Region = kind.GlobalRegion
	}
	// As for CloudTrail: without these the starter can pick no credentials
	// and build no identity.
	if t.Account == "" {
		return t, c.at.errorf("configuration item for %s has no awsAccountId", c.configType)
	}
	if t.Region == "" {
		return t, c.at.errorf("configuration item for %s has no awsRegion", c.configType)
	}
	var candidates []string
	for _, f := range k.ConfigIDs {
		candidates = append(candidates, map[string]string{kind.ConfigName: c.name, kind.ConfigResourceID: c.id}[f])
	}
	if k.ConfigIDs == nil {
		candidates = []string{c.name, c.id}
	}
	ref, ok := resolveFirst(k, t.Account, t.Region, append(candidates, c.arn)...)
	if !ok {
		return t, c.at.errorf("configuration item for %s names no resource (resourceId, resourceName or ARN)", c.configType)
	}
	t.ResourceType, t.ResourceID, t.ARN, t.Account, t.Region = ref.Type, ref.ID, ref.ARN, ref.Account, ref.Region
	t.Deleted = configDeleted[strings.ToLower(c.status)]
	return t, nil
}

// resolveFirst is the first candidate (an id, a name or an ARN) the kind
// resolves.
func resolveFirst(k *kind.Kind, account, region string, candidates ...string) (resource.Ref, bool) {
	for _, c := range candidates {
		if ref, ok := k.Resolve(c, account, region); ok {
			return ref, true
		}
	}
	return resource.Ref{}, false
}

func firstOf2(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

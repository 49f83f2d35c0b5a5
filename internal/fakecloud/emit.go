package fakecloud

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The emitters put on an SQS queue of the fake what AWS Config and
// Security Hub put there in a real account, so tests and `rectify dev`
// can drive every event source without AWS. The messages are built from
// the fake's state (Config items from the recorder, findings from the
// Security Hub store) in the exact shapes AWS sends.

// maxEventSize is the most an SNS message, an EventBridge event and an
// SQS message may hold: 256 KiB. Config sends an oversized notification
// instead of an item that does not fit.
const maxEventSize = 256 * 1024

// ConfigDeliveryKind is the path an AWS Config notification takes to the
// queue.
type ConfigDeliveryKind int

const (
	// ConfigViaSNS is Config → SNS topic → SQS: an SNS Notification whose
	// Message is the ConfigurationItemChangeNotification as a JSON string.
	// It is the zero value, because it is Config's own delivery channel.
	ConfigViaSNS ConfigDeliveryKind = iota
	// ConfigRaw is the same with SNS raw message delivery: the
	// ConfigurationItemChangeNotification itself.
	ConfigRaw
	// ConfigViaEventBridge is an EventBridge rule on source aws.config: a
	// "Config Configuration Item Change" event whose detail is the
	// notification.
	ConfigViaEventBridge
	// ConfigOversized is Config → SNS for an item too large for SNS: the
	// full notification is written to the delivery bucket, and an
	// OversizedConfigurationItemChangeNotification naming the object is
	// sent through SNS.
	ConfigOversized
)

func (k ConfigDeliveryKind) String() string {
	switch k {
	case ConfigViaSNS:
		return "sns"
	case ConfigRaw:
		return "raw"
	case ConfigViaEventBridge:
		return "eventbridge"
	case ConfigOversized:
		return "oversized"
	}
	return "ConfigDeliveryKind(" + strconv.Itoa(int(k)) + ")"
}

// ConfigDelivery says how EmitConfigChange delivers a notification.
type ConfigDelivery struct {
	Kind ConfigDeliveryKind

	// Bucket is the delivery channel's bucket, for ConfigOversized. Empty
	// means config-bucket-<account>, which is created on first use in the
	// item's region, locked down (public access blocked, encrypted,
	// TLS-only policy) so that it breaks no policy rectify enforces. A
	// named bucket must exist: when it does not, or another account owns
	// it, Config cannot write and the message is an
	// OversizedConfigurationItemChangeDeliveryFailed, as in AWS.
	Bucket string
	// PlainJSON writes the object as plain JSON (key *.json) instead of
	// gzip (key *.json.gz), which is what Config writes.
	PlainJSON bool
}

// EmitConfigChange delivers onto the queue at queueURL (a queue of this
// cloud) the ConfigurationItemChangeNotification AWS Config sends for the
// resource now: resourceType is AWS::EC2::SecurityGroup (resourceID the
// group id) or AWS::S3::Bucket (the bucket name, in its own region). The
// item is the recorder's latest (see GetResourceConfigHistory), recorded
// from the live state first, with the configurationItemDiff from the item
// before it. A deleted resource gives its ResourceDeleted item. A
// resource that neither exists nor was recorded is an error.
func (c *Cloud) EmitConfigChange(queueURL string, d ConfigDelivery, account, region, resourceType, resourceID string) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("emit config change (%s) for %s %s: %s", d.Kind, resourceType, resourceID, fmt.Sprintf(format, args...))
	}
	typ, ok := canonicalConfigType(resourceType)
	switch {
	case account == "" || region == "" || resourceID == "":
		return fail("account, region and resource id are required")
	case !ok:
		return fail("the fake's Config records only %s and %s", configTypeSecurityGroup, configTypeBucket)
	case d.Kind < ConfigViaSNS || d.Kind > ConfigOversized:
		return fail("unknown delivery kind")
	}
	latest, prev, aerr := c.config.observe(configKey{account, region, typ, resourceID}, configCause{})
	if aerr != nil {
		return fail("%s in account %s, region %s", aerr.Message, account, region)
	}
	now := c.now().UTC()
	var diff any
	if dm := configDiff(latest, prev); dm != nil {
		diff = dm
	}
	notification := map[string]any{
		"configurationItemDiff":    diff,
		"configurationItem":        latest.notificationItem(),
		"notificationCreationTime": now.Format(configTimeFormat),
		"messageType":              "ConfigurationItemChangeNotification",
		"recordVersion":            configItemVersion,
	}
	message, err := json.Marshal(notification)
	if err != nil {
		return fail("encode notification: %v", err)
	}
	verb := map[string]string{"CREATE": "Created", "UPDATE": "Updated", "DELETE": "Deleted"}[configChangeType(latest, prev)]
	subject := fmt.Sprintf("[AWS Config:%s] %s %s %s in Account %s", region, typ, resourceID, verb, account)

	var body []byte
	switch d.Kind {
	case ConfigViaSNS:
		body, err = json.Marshal(snsNotification(account, region, subject, string(message), now))
	case ConfigRaw:
		body = message
	case ConfigViaEventBridge:
		body, err = json.Marshal(eventBridgeEvent("Config Configuration Item Change", "aws.config", account, region, now, []string{latest.arn}, notification))
	case ConfigOversized:
		oversized := map[string]any{
			"configurationItemSummary": latest.summary(prev),
			"s3DeliverySummary":        c.deliverOversized(d, latest, message),
			"notificationCreationTime": now.Format(configTimeFormat),
			"messageType":              "OversizedConfigurationItemChangeNotification",
			"recordVersion":            "1.0",
		}
		if oversized["s3DeliverySummary"].(map[string]any)["errorCode"] != nil {
			oversized["messageType"] = "OversizedConfigurationItemChangeDeliveryFailed"
		}
		var inner []byte
		if inner, err = json.Marshal(oversized); err == nil {
			body, err = json.Marshal(snsNotification(account, region, subject, string(inner), now))
		}
	}
	if err != nil {
		return fail("encode message: %v", err)
	}
	if len(body) > maxEventSize {
		return fail("the message is %d bytes, over the 256 KiB SNS and EventBridge limit; deliver it with ConfigOversized", len(body))
	}
	if err := c.sqs.deliver(queueURL, string(body)); err != nil {
		return fail("%v", err)
	}
	return nil
}

// deliverOversized writes the full notification to the delivery bucket, as
// Config does for an oversized item, and returns the s3DeliverySummary.
func (c *Cloud) deliverOversized(d ConfigDelivery, item *configRecord, notification []byte) map[string]any {
	name := d.Bucket
	if name == "" {
		name = configBucketName(item.account)
	}
	data, contentType, suffix := notification, "application/json", ".json"
	if !d.PlainJSON {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(notification)
		_ = zw.Close()
		data, contentType, suffix = buf.Bytes(), "application/x-gzip", ".json.gz"
	}
	t := item.captured.UTC()
	dir := fmt.Sprintf("AWSLogs/%s/Config/%s/%d/%d/%d/OversizedChangeNotification/%s/%s/",
		item.account, item.region, t.Year(), int(t.Month()), t.Day(), item.resourceType, item.resourceID)
	file := fmt.Sprintf("%s_Config_%s_ChangeNotification_%s_%s_%s", item.account, item.region, item.resourceType, item.resourceID, t.Format("20060102T150405Z"))
	key, code := c.s3.putDeliveredObject(name, d.Bucket == "", item.account, item.region, dir+file, suffix, data, contentType)
	if code != "" {
		return map[string]any{
			"s3BucketLocation": nil,
			"errorCode":        code,
			"errorMessage":     fmt.Sprintf("Failed to deliver notification to bucket: %s for account %s in region %s.", name, item.account, item.region),
		}
	}
	return map[string]any{"s3BucketLocation": name + "/" + key, "errorCode": nil, "errorMessage": nil}
}

// snsNotification is the body SQS receives from an SNS topic without raw
// message delivery. The signature is random: nothing in the fake can
// verify it, and nothing should trust it.
func snsNotification(account, region, subject, message string, now time.Time) map[string]any {
	topic := fmt.Sprintf("arn:aws:sns:%s:%s:config-topic", region, account)
	sig := make([]byte, 256)
	_, _ = rand.Read(sig)
	endpoint := "https://sns." + region + ".amazonaws.com"
	return map[string]any{
		"Type":             "Notification",
		"MessageId":        newUUID(),
		"TopicArn":         topic,
		"Subject":          subject,
		"Message":          message,
		"Timestamp":        now.UTC().Format(configTimeFormat),
		"SignatureVersion": "1",
		"Signature":        base64.StdEncoding.EncodeToString(sig),
		"SigningCertURL":   endpoint + "/SimpleNotificationService-" + newID("", 32) + ".pem",
		"UnsubscribeURL":   endpoint + "/?Action=Unsubscribe&SubscriptionArn=" + topic + ":" + newUUID(),
	}
}

// eventBridgeEvent is an EventBridge event as an SQS target receives it.
func eventBridgeEvent(detailType, source, account, region string, now time.Time, resources []string, detail any) map[string]any {
	if resources == nil {
		resources = []string{}
	}
	return map[string]any{
		"version":     "0",
		"id":          newUUID(),
		"detail-type": detailType,
		"source":      source,
		"account":     account,
		"time":        now.UTC().Format(time.RFC3339),
		"region":      region,
		"resources":   resources,
		"detail":      detail,
	}
}

// EmitSecurityHubImported delivers onto the queue at queueURL one
// "Security Hub Findings - Imported" EventBridge event of account and
// region carrying the given ASFF findings in detail.findings, as Security
// Hub sends when findings are imported or updated. The findings are sent
// as given, plus the ProductFields Security Hub adds on import
// (aws/securityhub/FindingId, and ProductName and CompanyName when the
// finding names them); resources lists each finding's FindingId.
func (c *Cloud) EmitSecurityHubImported(queueURL string, account, region string, findings ...map[string]any) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("emit Security Hub findings imported for account %s, region %s: %s", account, region, fmt.Sprintf(format, args...))
	}
	if account == "" || region == "" {
		return fail("account and region are required")
	}
	if len(findings) == 0 {
		return fail("no findings: Security Hub sends no event for an empty import")
	}
	docs := make([]any, 0, len(findings))
	resources := make([]string, 0, len(findings))
	for i, f := range findings {
		if f == nil {
			return fail("finding %d is nil", i)
		}
		b, err := json.Marshal(f)
		if err != nil {
			return fail("finding %d is not JSON: %v", i, err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			return fail("finding %d: %v", i, err)
		}
		if id := shImportedFields(doc); id != "" {
			resources = append(resources, id)
		}
		docs = append(docs, doc)
	}
	body, err := json.Marshal(eventBridgeEvent("Security Hub Findings - Imported", "aws.securityhub", account, region, c.now(), resources,
		map[string]any{"findings": docs}))
	if err != nil {
		return fail("encode event: %v", err)
	}
	if len(body) > maxEventSize {
		return fail("the event is %d bytes, over EventBridge's 256 KiB limit; emit fewer findings at a time", len(body))
	}
	if err := c.sqs.deliver(queueURL, string(body)); err != nil {
		return fail("%v", err)
	}
	return nil
}

// shImportedFields adds to a finding the ProductFields Security Hub sets on
// import, keeping any already there, and returns its FindingId ("" when
// the finding has no ProductArn or Id).
func shImportedFields(doc map[string]any) string {
	productArn, _ := doc["ProductArn"].(string)
	id, _ := doc["Id"].(string)
	pf, ok := doc["ProductFields"].(map[string]any)
	if !ok {
		if _, present := doc["ProductFields"]; present {
			return "" // not an object: leave the finding as the caller made it
		}
		pf = map[string]any{}
		doc["ProductFields"] = pf
	}
	findingID := ""
	if productArn != "" && id != "" {
		findingID = productArn + "/" + id
		if _, ok := pf["aws/securityhub/FindingId"]; !ok {
			pf["aws/securityhub/FindingId"] = findingID
		}
	}
	for field, key := range map[string]string{"ProductName": "aws/securityhub/ProductName", "CompanyName": "aws/securityhub/CompanyName"} {
		if v, ok := doc[field].(string); ok && v != "" {
			if _, ok := pf[key]; !ok {
				pf[key] = v
			}
		}
	}
	if f, ok := pf["aws/securityhub/FindingId"].(string); ok {
		return f
	}
	return findingID
}

// EmitFindingsOf delivers onto the queue at queueURL the findings the
// fake's Security Hub holds for account and region (as imported through
// BatchImportFindings and updated since) for which filter returns true
// (nil takes all), one "Security Hub Findings - Imported" event per
// finding. So a test can show that rectify ignores the findings it wrote
// itself. It is an error when no finding matches.
func (c *Cloud) EmitFindingsOf(queueURL, account, region string, filter func(finding map[string]any) bool) error {
	var picked []map[string]any
	for _, f := range c.Findings(account, region) {
		if filter == nil || filter(f) {
			picked = append(picked, f)
		}
	}
	if len(picked) == 0 {
		return fmt.Errorf("emit findings of account %s, region %s: Security Hub holds no finding that matches", account, region)
	}
	for _, f := range picked {
		if err := c.EmitSecurityHubImported(queueURL, account, region, f); err != nil {
			return err
		}
	}
	return nil
}

// configDeliveryPolicy is the delivery bucket's policy: Config may write,
// and nothing may use the bucket without TLS.
const configDeliveryPolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Sid":"AWSConfigBucketDelivery","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::%[1]s/AWSLogs/%[2]s/Config/*","Condition":{"StringEquals":{"AWS:SourceAccount":"%[2]s"}}},` +
	`{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`

// putDeliveredObject writes an object as a service (Config) delivers it:
// no caller, no CloudTrail. The bucket is created when create is set and
// it does not exist. A key already taken gets the next _N suffix. It
// returns the key written, or the error code S3 would have given Config.
func (s *s3Service) putDeliveredObject(name string, create bool, account, region, keyStem, suffix string, data []byte, contentType string) (key, code string) {
	now := s.cloud.now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[name]
	switch {
	case !ok && !create:
		return "", "NoSuchBucket"
	case !ok:
		b = &bucket{
			name: name, owner: account, region: region, created: now,
			grants:     cannedGrants("private", account),
			pab:        &publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true},
			policy:     fmt.Sprintf(configDeliveryPolicy, name, account),
			encryption: &sseConfiguration{Rules: []sseRule{{Default: &sseDefault{SSEAlgorithm: "AES256"}}}},
		}
		s.buckets[name] = b
	case b.owner != account:
		return "", "AccessDenied"
	}
	for n := 0; ; n++ {
		key = keyStem + "_" + strconv.Itoa(n) + suffix
		if _, taken := s.objects[b][key]; !taken {
			break
		}
	}
	s.storeObject(b, key, newS3Object(data, http.Header{"Content-Type": {contentType}}, now))
	return key, ""
}

// configBucketName is the delivery bucket EmitConfigChange uses by default.
func configBucketName(account string) string {
	return "config-bucket-" + account
}

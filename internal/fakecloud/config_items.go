package fakecloud

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// configItemVersion is the configuration item schema Config writes today.
const configItemVersion = "1.3"

// configTimeFormat is how notifications write times: ISO 8601 with
// milliseconds.
const configTimeFormat = "2006-01-02T15:04:05.000Z"

// configRecord is one configuration item: the state of a resource at one
// time. configuration and supplementary hold JSON values (maps, slices,
// strings, float64, bool, nil), so they compare and diff generically.
type configRecord struct {
	account, region, resourceType, resourceID string
	resourceName, arn, availabilityZone       string

	status   string
	stateID  int64
	captured time.Time
	created  time.Time // resourceCreationTime; zero when Config does not know it

	configuration map[string]any // nil for a deleted resource
	supplementary map[string]any
	tags          map[string]string
	relationships []configRelationship
	relatedEvents []string

	// fingerprint is the canonical JSON of what can change, to tell
	// whether a new item is due.
	fingerprint string
}

type configRelationship struct {
	resourceType, resourceID, name string
}

func (r *configRecord) deleted() bool { return r.status == configStatusDeleted }

// configSnapshot builds an item (without status, state id or time) from
// the live state of the resource key names, or reports that it does not
// exist there.
func (c *Cloud) configSnapshot(key configKey) (*configRecord, bool) {
	var r *configRecord
	switch key.resourceType {
	case configTypeSecurityGroup:
		r = c.securityGroupItem(key)
	case configTypeBucket:
		r = c.bucketItem(key)
	}
	if r == nil {
		return nil, false
	}
	r.configuration, _ = jsonValue(r.configuration).(map[string]any)
	r.supplementary, _ = jsonValue(r.supplementary).(map[string]any)
	b, _ := json.Marshal([]any{r.configuration, r.supplementary, r.tags, r.resourceName})
	r.fingerprint = string(b)
	return r, true
}

// jsonValue turns v into its generic JSON form.
func jsonValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fakecloud: config item is not JSON: %v", err)) // a bug in the builders below
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// securityGroupItem describes a security group as Config records it: the
// EC2 API's SecurityGroup with lower-camel names, where each IpPermission
// lists its IPv4 peers twice (ipRanges as strings, ipv4Ranges as objects).
func (c *Cloud) securityGroupItem(key configKey) *configRecord {
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.states[ec2Key{key.account, key.region}]
	if !ok {
		return nil
	}
	g, ok := st.groups[key.resourceID]
	if !ok {
		return nil
	}
	tagList := []map[string]string{}
	for _, k := range g.tags.sortedKeys() {
		tagList = append(tagList, map[string]string{"key": k, "value": g.tags[k]})
	}
	return &configRecord{
		account: key.account, region: key.region, resourceType: key.resourceType, resourceID: g.id,
		resourceName: g.name, arn: securityGroupARN(key.region, g.owner, g.id), availabilityZone: "Not Applicable",
		configuration: map[string]any{
			"description":         g.description,
			"groupName":           g.name,
			"ipPermissions":       configPermissions(permissionsXML(g.rules, false)),
			"ownerId":             g.owner,
			"groupId":             g.id,
			"ipPermissionsEgress": configPermissions(permissionsXML(g.rules, true)),
			"tags":                tagList,
			"vpcId":               g.vpcID,
		},
		supplementary: map[string]any{},
		tags:          map[string]string(g.tags.clone()),
		relationships: []configRelationship{{resourceType: "AWS::EC2::VPC", resourceID: g.vpcID, name: "Is contained in Vpc"}},
	}
}

// configPermissions renders DescribeSecurityGroups' grouping of rules the
// way Config does. Protocols without ports carry no fromPort or toPort.
func configPermissions(perms []xmlIPPermission) []any {
	out := []any{}
	for _, p := range perms {
		m := map[string]any{"ipProtocol": p.IPProtocol}
		if p.FromPort != nil {
			m["fromPort"], m["toPort"] = *p.FromPort, *p.ToPort
		}
		v4, v4strings := []any{}, []string{}
		for _, r := range p.IPRanges.Items {
			v4 = append(v4, withDescription(map[string]any{"cidrIp": r.CidrIP}, r.Description))
			v4strings = append(v4strings, r.CidrIP)
		}
		v6 := []any{}
		for _, r := range p.IPv6Ranges.Items {
			v6 = append(v6, withDescription(map[string]any{"cidrIpv6": r.CidrIPv6}, r.Description))
		}
		groups := []any{}
		for _, g := range p.Groups.Items {
			groups = append(groups, withDescription(map[string]any{"groupId": g.GroupID, "userId": g.UserID}, g.Description))
		}
		lists := []any{}
		for _, pl := range p.PrefixListIDs.Items {
			lists = append(lists, withDescription(map[string]any{"prefixListId": pl.PrefixListID}, pl.Description))
		}
		m["ipv4Ranges"], m["ipRanges"], m["ipv6Ranges"] = v4, v4strings, v6
		m["userIdGroupPairs"], m["prefixListIds"] = groups, lists
		out = append(out, m)
	}
	return out
}

func withDescription(m map[string]any, description string) map[string]any {
	if description != "" {
		m["description"] = description
	}
	return m
}

// bucketItem describes a bucket as Config records it: name, owner and
// creation date as the configuration, and the bucket's settings as
// supplementaryConfiguration, one entry per sub-resource.
func (c *Cloud) bucketItem(key configKey) *configRecord {
	s := c.s3
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[key.resourceID]
	if !ok || b.owner != key.account || b.region != key.region {
		return nil
	}
	owner := map[string]any{"displayName": nil, "id": canonicalUserID(b.owner)}
	supp := map[string]any{
		// Config writes the ACL as a JSON string, even inside a notification.
		"AccessControlList":               configACL(b, owner),
		"BucketAccelerateConfiguration":   map[string]any{"status": nil},
		"BucketLoggingConfiguration":      map[string]any{"destinationBucketName": nil, "logFilePrefix": nil},
		"BucketNotificationConfiguration": map[string]any{"configurations": map[string]any{}},
		"BucketPolicy":                    map[string]any{"policyText": nil},
		"BucketVersioningConfiguration":   map[string]any{"status": "Off", "isMfaDeleteEnabled": nil},
		"IsRequesterPaysEnabled":          false,
	}
	if b.policy != "" {
		supp["BucketPolicy"] = map[string]any{"policyText": b.policy}
	}
	if p := b.pab; p != nil {
		supp["PublicAccessBlockConfiguration"] = map[string]any{
			"blockPublicAcls": p.BlockPublicAcls, "ignorePublicAcls": p.IgnorePublicAcls,
			"blockPublicPolicy": p.BlockPublicPolicy, "restrictPublicBuckets": p.RestrictPublicBuckets,
		}
	}
	if e := b.encryption; e != nil {
		rules := []any{}
		for _, r := range e.Rules {
			rule := map[string]any{"applyServerSideEncryptionByDefault": nil, "bucketKeyEnabled": r.BucketKeyEnabled != nil && *r.BucketKeyEnabled}
			if d := r.Default; d != nil {
				var key any
				if d.KMSMasterKeyID != "" {
					key = d.KMSMasterKeyID
				}
				rule["applyServerSideEncryptionByDefault"] = map[string]any{"sseAlgorithm": d.SSEAlgorithm, "kmsMasterKeyID": key}
			}
			rules = append(rules, rule)
		}
		supp["ServerSideEncryptionConfiguration"] = map[string]any{"rules": rules}
	}
	tags := map[string]string{}
	for _, t := range b.tags {
		tags[t.Key] = t.Value
	}
	return &configRecord{
		account: key.account, region: key.region, resourceType: key.resourceType, resourceID: b.name,
		resourceName: b.name, arn: "arn:aws:s3:::" + b.name, availabilityZone: "Regional",
		created: b.created,
		configuration: map[string]any{
			"name":         b.name,
			"owner":        owner,
			"creationDate": b.created.UTC().Format(configTimeFormat),
		},
		supplementary: supp,
		tags:          tags,
		relationships: []configRelationship{},
	}
}

// configACL is the AccessControlList entry: the bucket ACL as the AWS SDK
// for Java serializes it, in a string. Groups are named, permissions are
// the SDK's enum names (FullControl, Read, ...).
func configACL(b *bucket, owner map[string]any) string {
	grants := []any{}
	for _, g := range b.grants {
		var grantee any = map[string]any{"id": g.Grantee.ID, "displayName": nil}
		if g.Grantee.Type == "Group" {
			grantee = g.Grantee.URI[strings.LastIndex(g.Grantee.URI, "/")+1:]
		}
		grants = append(grants, map[string]any{"grantee": grantee, "permission": configPermission(g.Permission)})
	}
	doc, _ := json.Marshal(map[string]any{"grantSet": nil, "grantList": grants, "owner": owner, "isRequesterCharged": false})
	return string(doc)
}

// configPermission turns FULL_CONTROL into FullControl.
func configPermission(p string) string {
	var sb strings.Builder
	for part := range strings.SplitSeq(strings.ToLower(p), "_") {
		sb.WriteString(capitalize(part))
	}
	return sb.String()
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// deletedRecord is the item Config writes when a resource is gone: its
// identity, no configuration.
func deletedRecord(key configKey, last *configRecord) *configRecord {
	r := &configRecord{
		account: key.account, region: key.region, resourceType: key.resourceType, resourceID: key.resourceID,
		status:        configStatusDeleted,
		supplementary: map[string]any{}, tags: map[string]string{}, relationships: []configRelationship{},
	}
	switch key.resourceType {
	case configTypeSecurityGroup:
		r.arn, r.availabilityZone = securityGroupARN(key.region, key.account, key.resourceID), "Not Applicable"
	case configTypeBucket:
		r.arn, r.availabilityZone, r.resourceName = "arn:aws:s3:::"+key.resourceID, "Regional", key.resourceID
	}
	if last != nil {
		r.resourceName, r.arn, r.created = last.resourceName, last.arn, last.created
	}
	return r
}

// configItemJSON is a ConfigurationItem as GetResourceConfigHistory
// returns it: times in epoch seconds, configuration and each supplementary
// entry as JSON strings, the state id as a string.
type configItemJSON struct {
	Version                      string             `json:"version"`
	AccountID                    string             `json:"accountId"`
	ConfigurationItemCaptureTime json.Number        `json:"configurationItemCaptureTime"`
	ConfigurationItemStatus      string             `json:"configurationItemStatus"`
	ConfigurationStateID         string             `json:"configurationStateId"`
	ConfigurationItemMD5Hash     string             `json:"configurationItemMD5Hash"`
	ARN                          string             `json:"arn"`
	ResourceType                 string             `json:"resourceType"`
	ResourceID                   string             `json:"resourceId"`
	ResourceName                 string             `json:"resourceName,omitempty"`
	AwsRegion                    string             `json:"awsRegion"`
	AvailabilityZone             string             `json:"availabilityZone"`
	ResourceCreationTime         *json.Number       `json:"resourceCreationTime,omitempty"`
	Tags                         map[string]string  `json:"tags"`
	RelatedEvents                []string           `json:"relatedEvents"`
	Relationships                []configRelAPIJSON `json:"relationships"`
	Configuration                *string            `json:"configuration,omitempty"`
	SupplementaryConfiguration   map[string]string  `json:"supplementaryConfiguration"`
	RecordingFrequency           string             `json:"recordingFrequency"`
}

type configRelAPIJSON struct {
	ResourceType     string `json:"resourceType"`
	ResourceID       string `json:"resourceId"`
	RelationshipName string `json:"relationshipName"`
}

func (r *configRecord) apiJSON() configItemJSON {
	out := configItemJSON{
		Version: configItemVersion, AccountID: r.account,
		ConfigurationItemCaptureTime: epochSeconds(r.captured), ConfigurationItemStatus: r.status,
		ConfigurationStateID: strconv.FormatInt(r.stateID, 10),
		ARN:                  r.arn, ResourceType: r.resourceType, ResourceID: r.resourceID, ResourceName: r.resourceName,
		AwsRegion: r.region, AvailabilityZone: r.availabilityZone,
		Tags: nonNilMap(r.tags), RelatedEvents: nonNilSlice(r.relatedEvents),
		Relationships:              []configRelAPIJSON{},
		SupplementaryConfiguration: map[string]string{},
		RecordingFrequency:         "CONTINUOUS",
	}
	if !r.created.IsZero() {
		t := epochSeconds(r.created)
		out.ResourceCreationTime = &t
	}
	for _, rel := range r.relationships {
		out.Relationships = append(out.Relationships, configRelAPIJSON{rel.resourceType, rel.resourceID, rel.name})
	}
	if r.configuration != nil {
		b, _ := json.Marshal(r.configuration)
		s := string(b)
		out.Configuration = &s
	}
	for k, v := range r.supplementary {
		if s, ok := v.(string); ok {
			out.SupplementaryConfiguration[k] = s
			continue
		}
		b, _ := json.Marshal(v)
		out.SupplementaryConfiguration[k] = string(b)
	}
	return out
}

// notificationItem is the item as a ConfigurationItemChangeNotification
// carries it: times in ISO 8601, configuration and supplementary
// configuration as objects, the state id as a number.
func (r *configRecord) notificationItem() map[string]any {
	rels := []any{}
	for _, rel := range r.relationships {
		rels = append(rels, map[string]any{"resourceId": rel.resourceID, "resourceName": nil, "resourceType": rel.resourceType, "name": rel.name})
	}
	m := r.summary(nil)
	delete(m, "changeType")
	m["relatedEvents"] = nonNilSlice(r.relatedEvents)
	m["relationships"] = rels
	m["configuration"] = r.configuration
	m["supplementaryConfiguration"] = nonNilMap(r.supplementary)
	m["tags"] = nonNilMap(r.tags)
	return m
}

// summary is the identity and state of the item without its content: the
// configurationItemSummary of an oversized notification. prev is the item
// before, for the changeType.
func (r *configRecord) summary(prev *configRecord) map[string]any {
	var name, created any
	if r.resourceName != "" {
		name = r.resourceName
	}
	if !r.created.IsZero() {
		created = r.created.UTC().Format(configTimeFormat)
	}
	return map[string]any{
		"changeType":                   configChangeType(r, prev),
		"configurationItemVersion":     configItemVersion,
		"configurationItemCaptureTime": r.captured.UTC().Format(configTimeFormat),
		"configurationStateId":         r.stateID,
		"awsAccountId":                 r.account,
		"configurationItemStatus":      r.status,
		"resourceType":                 r.resourceType,
		"resourceId":                   r.resourceID,
		"resourceName":                 name,
		"ARN":                          r.arn,
		"awsRegion":                    r.region,
		"availabilityZone":             r.availabilityZone,
		"configurationStateMd5Hash":    "",
		"resourceCreationTime":         created,
	}
}

// configChangeType is CREATE, UPDATE or DELETE for the change that led to
// item cur from item prev (nil when cur is the first one recorded).
func configChangeType(cur, prev *configRecord) string {
	switch {
	case cur.deleted():
		return "DELETE"
	case cur.status == configStatusDiscovered || (prev != nil && prev.deleted()):
		return "CREATE"
	}
	return "UPDATE"
}

// configDiff is the configurationItemDiff from prev to cur: each changed
// property by its path ("Configuration.IpPermissions.0",
// "SupplementaryConfiguration.PublicAccessBlockConfiguration.BlockPublicAcls")
// with its previous and updated value. It is nil when there is nothing to
// compare with: the first item recorded of a resource that existed before
// (a seeded one), which Config would have recorded earlier.
func configDiff(cur, prev *configRecord) map[string]any {
	changeType := configChangeType(cur, prev)
	changed := map[string]any{}
	switch {
	case changeType == "DELETE":
		if prev != nil && prev.configuration != nil {
			changed["Configuration"] = configChange(prev.configuration, nil)
		}
	case changeType == "CREATE":
		changed["Configuration"] = configChange(nil, cur.configuration)
	case prev == nil:
		return nil
	default:
		diffValue("Configuration", prev.configuration, cur.configuration, changed)
		diffValue("SupplementaryConfiguration", prev.supplementary, cur.supplementary, changed)
		diffValue("Tags", jsonValue(prev.tags), jsonValue(cur.tags), changed)
	}
	return map[string]any{"changedProperties": changed, "changeType": changeType}
}

func configChange(previous, updated any) map[string]any {
	changeType := "UPDATE"
	switch {
	case previous == nil:
		changeType = "CREATE"
	case updated == nil:
		changeType = "DELETE"
	}
	return map[string]any{"previousValue": previous, "updatedValue": updated, "changeType": changeType}
}

// diffValue adds the changes from a to b under path. Objects are compared
// key by key; in arrays, an element is changed when it is no longer there
// (DELETE, at its old index) or is new (CREATE, at its new index), and an
// element removed and one added at the same index make one UPDATE.
func diffValue(path string, a, b any, out map[string]any) {
	if reflect.DeepEqual(a, b) {
		return
	}
	am, aIsMap := a.(map[string]any)
	bm, bIsMap := b.(map[string]any)
	if aIsMap && bIsMap {
		keys := slices.Sorted(maps.Keys(am))
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			diffValue(path+"."+capitalize(k), am[k], bm[k], out)
		}
		return
	}
	as, aIsList := a.([]any)
	bs, bIsList := b.([]any)
	if !aIsList || !bIsList {
		out[path] = configChange(a, b)
		return
	}
	contains := func(list []any, v any) bool {
		return slices.ContainsFunc(list, func(x any) bool { return reflect.DeepEqual(x, v) })
	}
	changes := map[int][2]any{}
	for i, v := range as {
		if !contains(bs, v) {
			changes[i] = [2]any{v, nil}
		}
	}
	for i, v := range bs {
		if !contains(as, v) {
			c := changes[i]
			changes[i] = [2]any{c[0], v}
		}
	}
	for i, c := range changes {
		out[path+"."+strconv.Itoa(i)] = configChange(c[0], c[1])
	}
}

func nonNilMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

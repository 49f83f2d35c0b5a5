package fakecloud

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// KMS speaks awsJson1_1: POST / with X-Amz-Target "TrentService.<Operation>"
// (KMS's internal name).
const (
	kmsContentType  = "application/x-amz-json-1.1"
	kmsTargetPrefix = "TrentService."
)

// Key states (KeyMetadata.KeyState) the fake produces.
const (
	kmsStateEnabled         = "Enabled"
	kmsStatePendingDeletion = "PendingDeletion"
	kmsStatePendingImport   = "PendingImport"
)

// kmsTrailTime is how CloudTrail writes KMS dates in responseElements
// ("Jun 30, 2020, 2:34:07 AM"), not RFC 3339.
const kmsTrailTime = "Jan 2, 2006, 3:04:05 PM"

// kmsService holds the KMS keys of every account and region: key
// metadata, rotation, deletion scheduling and tags. There is no key
// material and no cryptography; rectify only judges configuration.
type kmsService struct {
	cloud *Cloud

	mu sync.Mutex
	// keys by account and region (ec2Key is that pair), in creation
	// order, which ListKeys pages through.
	keys map[ec2Key][]*kmsKey
}

type kmsKey struct {
	id, arn, account, region string
	created                  time.Time
	description              string
	usage, spec, origin      string
	manager                  string // CUSTOMER or AWS
	customKeyStoreID         string
	state                    string
	enabled                  bool
	rotation                 bool
	rotationDays             int
	rotationStarted          time.Time
	deletion                 time.Time
	pendingDays              int
	tags                     map[string]string
}

func newKMSService(c *Cloud) *kmsService {
	return &kmsService{cloud: c, keys: map[ec2Key][]*kmsKey{}}
}

func (s *kmsService) eventSource() string { return "kms.amazonaws.com" }

func (s *kmsService) actions() []string { return slices.Sorted(maps.Keys(kmsHandlers)) }

var kmsHandlers = map[string]func(*kmsService, *call) *APIError{
	"CreateKey":            (*kmsService).createKey,
	"DescribeKey":          (*kmsService).describeKey,
	"ListKeys":             (*kmsService).listKeys,
	"GetKeyRotationStatus": (*kmsService).getKeyRotationStatus,
	"EnableKeyRotation":    (*kmsService).enableKeyRotation,
	"DisableKeyRotation":   (*kmsService).disableKeyRotation,
	"ScheduleKeyDeletion":  (*kmsService).scheduleKeyDeletion,
	"ListResourceTags":     (*kmsService).listResourceTags,
	"TagResource":          (*kmsService).tagResource,
	"UntagResource":        (*kmsService).untagResource,
}

func (s *kmsService) route(r *http.Request, _ []byte) (string, *APIError) {
	op, err := jsonTarget(r, kmsTargetPrefix, "KMS")
	if err != nil {
		return "", err
	}
	if _, ok := kmsHandlers[op]; !ok {
		return op, errorf("UnknownOperationException", "fakecloud does not emulate KMS %s", op)
	}
	return op, nil
}

func (s *kmsService) handle(c *call) *APIError { return kmsHandlers[c.action](s, c) }

func (s *kmsService) writeError(c *call, err *APIError) {
	writeJSONError(c, kmsContentType, err)
}

func (s *kmsService) authError(key string) *APIError { return jsonAuthError(s.cloud, key) }

func (s *kmsService) deniedError(c *call) *APIError {
	return errorf("AccessDeniedException", "User: %s is not authorized to perform: kms:%s on resource: *", c.principal.ARN, c.action)
}

// decodeJSON11 reads an awsJson1_1 request body; an empty body is {}.
func decodeJSON11(c *call, in any) *APIError {
	body := bytes.TrimSpace(c.body)
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, in); err != nil {
		return errorf("SerializationException", "cannot read %s request: %v", c.action, err)
	}
	return nil
}

func kmsValidation(format string, args ...any) *APIError {
	return errorf("ValidationException", "1 validation error detected: "+format, args...)
}

var (
	kmsKeySpecs = []string{
		"SYMMETRIC_DEFAULT", "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384",
		"ECC_NIST_P521", "ECC_SECG_P256K1", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
		"ML_DSA_44", "ML_DSA_65", "ML_DSA_87",
	}
	kmsKeyUsages = []string{"ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"}
	kmsOrigins   = []string{"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"}
	kmsKeyARN    = regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):([0-9]{12}):key/(.+)$`)
)

type kmsTag struct {
	TagKey   string
	TagValue string
}

// KMSKeySeed is a KMS key in a seed or made by SeedKMSKey. Empty fields
// take CreateKey's defaults; Manager "AWS" makes an AWS managed key.
type KMSKeySeed struct {
	Region          string            `yaml:"region"`
	KeyID           string            `yaml:"key_id"` // empty: a random UUID
	Description     string            `yaml:"description"`
	KeySpec         string            `yaml:"key_spec"`
	KeyUsage        string            `yaml:"key_usage"`
	Origin          string            `yaml:"origin"`
	Manager         string            `yaml:"manager"`
	RotationEnabled bool              `yaml:"rotation_enabled"`
	Tags            map[string]string `yaml:"tags"`
}

// SeedKMSKey creates a key without a CloudTrail event and returns its id.
func (c *Cloud) SeedKMSKey(account string, k KMSKeySeed) (string, error) {
	region := k.Region
	if region == "" {
		region = DefaultRegion
	}
	key, aerr := c.kms.newKey(account, region, kmsCreateInput{
		Description: k.Description, KeySpec: k.KeySpec, KeyUsage: k.KeyUsage, Origin: k.Origin,
	}, c.now().UTC())
	if aerr != nil {
		return "", fmt.Errorf("seed kms key: %s", aerr.Message)
	}
	if k.KeyID != "" {
		key.id = k.KeyID
		key.arn = kmsARN(account, region, k.KeyID)
	}
	if k.Manager != "" {
		key.manager = k.Manager
	}
	key.rotation = k.RotationEnabled || key.manager == "AWS"
	if key.rotation {
		key.rotationDays, key.rotationStarted = 365, key.created
	}
	for tk, tv := range k.Tags {
		key.tags[tk] = tv
	}
	s := c.kms
	s.mu.Lock()
	defer s.mu.Unlock()
	loc := ec2Key{account, region}
	if k.KeyID != "" && s.find(loc, k.KeyID) != nil {
		return "", fmt.Errorf("seed kms key: key %s already exists", k.KeyID)
	}
	s.keys[loc] = append(s.keys[loc], key)
	return key.id, nil
}

func kmsARN(account, region, id string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, account, id)
}

type kmsCreateInput struct {
	Description                    string
	KeySpec                        string
	CustomerMasterKeySpec          string
	KeyUsage                       string
	Origin                         string
	CustomKeyStoreID               string `json:"CustomKeyStoreId"`
	Policy                         string
	BypassPolicyLockoutSafetyCheck bool
	MultiRegion                    bool
	Tags                           []kmsTag
}

// newKey validates a CreateKey request and builds the key, not yet stored.
func (s *kmsService) newKey(account, region string, in kmsCreateInput, now time.Time) (*kmsKey, *APIError) {
	spec := in.KeySpec
	if spec == "" {
		spec = in.CustomerMasterKeySpec
	}
	if spec == "" {
		spec = "SYMMETRIC_DEFAULT"
	}
	if !slices.Contains(kmsKeySpecs, spec) {
		return nil, kmsValidation("Value '%s' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: %v", spec, kmsKeySpecs)
	}
	usage := in.KeyUsage
	if usage == "" {
		switch {
		case strings.HasPrefix(spec, "HMAC_"):
			return nil, errorf("ValidationException", "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
		default:
			usage = "ENCRYPT_DECRYPT"
		}
	}
	if !slices.Contains(kmsKeyUsages, usage) {
		return nil, kmsValidation("Value '%s' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: %v", usage, kmsKeyUsages)
	}
	if strings.HasPrefix(spec, "HMAC_") != (usage == "GENERATE_VERIFY_MAC") {
		return nil, errorf("ValidationException", "KeyUsage %s is not compatible with KeySpec %s", usage, spec)
	}
	origin := in.Origin
	if origin == "" {
		origin = "AWS_KMS"
	}
	if !slices.Contains(kmsOrigins, origin) {
		return nil, kmsValidation("Value '%s' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: %v", origin, kmsOrigins)
	}
	if (origin == "AWS_CLOUDHSM" || origin == "EXTERNAL_KEY_STORE") && in.CustomKeyStoreID == "" {
		return nil, errorf("ValidationException", "CustomKeyStoreId is required when Origin is %s", origin)
	}
	if origin != "AWS_KMS" && origin != "EXTERNAL" && spec != "SYMMETRIC_DEFAULT" {
		return nil, errorf("UnsupportedOperationException", "KeySpec %s is not supported for Origin %s", spec, origin)
	}
	tags := map[string]string{}
	for _, t := range in.Tags {
		if aerr := kmsCheckTag(t.TagKey); aerr != nil {
			return nil, aerr
		}
		if _, dup := tags[t.TagKey]; dup {
			return nil, errorf("TagException", "Duplicate tag keys: %s", t.TagKey)
		}
		tags[t.TagKey] = t.TagValue
	}
	id := newUUID()
	k := &kmsKey{
		id: id, arn: kmsARN(account, region, id), account: account, region: region, created: now,
		description: in.Description, usage: usage, spec: spec, origin: origin, manager: "CUSTOMER",
		customKeyStoreID: in.CustomKeyStoreID, state: kmsStateEnabled, enabled: true, tags: tags,
	}
	if origin == "EXTERNAL" {
		// No key material yet: the key waits for ImportKeyMaterial.
		k.state, k.enabled = kmsStatePendingImport, false
	}
	return k, nil
}

func kmsCheckTag(key string) *APIError {
	switch {
	case key == "" || len(key) > 128:
		return errorf("TagException", "Tag keys must be 1-128 characters long")
	case strings.HasPrefix(strings.ToLower(key), "aws:"):
		return errorf("TagException", "Tags beginning with aws: are reserved")
	}
	return nil
}

// notRotatable says why the key cannot rotate automatically, or "".
func (k *kmsKey) notRotatable() string {
	switch {
	case k.manager == "AWS":
		return fmt.Sprintf("%s is an AWS managed key, whose rotation is not configurable.", k.arn)
	case k.spec != "SYMMETRIC_DEFAULT":
		return fmt.Sprintf("%s KeySpec %s is not valid for this operation.", k.arn, k.spec)
	case k.origin != "AWS_KMS":
		return fmt.Sprintf("%s origin is %s which is not valid for this operation.", k.arn, k.origin)
	}
	return ""
}

func (k *kmsKey) metadata() map[string]any {
	m := map[string]any{
		"AWSAccountId": k.account, "KeyId": k.id, "Arn": k.arn,
		"CreationDate": epochSeconds(k.created), "Enabled": k.enabled, "Description": k.description,
		"KeyUsage": k.usage, "KeyState": k.state, "Origin": k.origin, "KeyManager": k.manager,
		"CustomerMasterKeySpec": k.spec, "KeySpec": k.spec, "MultiRegion": false,
	}
	switch {
	case k.spec == "SYMMETRIC_DEFAULT":
		m["EncryptionAlgorithms"] = []string{"SYMMETRIC_DEFAULT"}
	case strings.HasPrefix(k.spec, "HMAC_"):
		m["MacAlgorithms"] = []string{"HMAC_SHA_" + strings.TrimPrefix(k.spec, "HMAC_")}
	case strings.HasPrefix(k.spec, "RSA_") && k.usage == "ENCRYPT_DECRYPT":
		m["EncryptionAlgorithms"] = []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
	case strings.HasPrefix(k.spec, "RSA_"):
		m["SigningAlgorithms"] = []string{"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_256"}
	case strings.HasPrefix(k.spec, "ECC_") && k.usage == "SIGN_VERIFY":
		m["SigningAlgorithms"] = []string{"ECDSA_SHA_256"}
	}
	if k.customKeyStoreID != "" {
		m["CustomKeyStoreId"] = k.customKeyStoreID
	}
	if k.state == kmsStatePendingDeletion {
		m["DeletionDate"] = epochSeconds(k.deletion)
		m["PendingDeletionWindowInDays"] = k.pendingDays
	}
	return m
}

// trailMetadata is keyMetadata as CloudTrail writes it in CreateKey's
// responseElements: lower camel case, "aWSAccountId", and its own dates.
func (k *kmsKey) trailMetadata() map[string]any {
	m := map[string]any{
		"aWSAccountId": k.account, "keyId": k.id, "arn": k.arn,
		"creationDate": k.created.UTC().Format(kmsTrailTime), "enabled": k.enabled,
		"description": k.description, "keyUsage": k.usage, "keyState": k.state, "origin": k.origin,
		"keyManager": k.manager, "customerMasterKeySpec": k.spec, "keySpec": k.spec, "multiRegion": false,
	}
	if k.spec == "SYMMETRIC_DEFAULT" {
		m["encryptionAlgorithms"] = []string{"SYMMETRIC_DEFAULT"}
	}
	return m
}

// find looks a key up by key id or key ARN in one account and region. The
// caller holds s.mu.
func (s *kmsService) find(loc ec2Key, keyID string) *kmsKey {
	id := keyID
	if m := kmsKeyARN.FindStringSubmatch(keyID); m != nil {
		if m[1] != loc.region || m[2] != loc.account {
			return nil
		}
		id = m[3]
	}
	for _, k := range s.keys[loc] {
		if k.id == id {
			return k
		}
	}
	return nil
}

// lookup resolves KeyId for c, with KMS's errors. The caller holds s.mu.
func (s *kmsService) lookup(c *call, keyID string) (*kmsKey, *APIError) {
	switch {
	case keyID == "":
		return nil, kmsValidation("Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	case strings.HasPrefix(keyID, "alias/") || strings.Contains(keyID, ":alias/"):
		return nil, errorf("NotFoundException", "Alias %s is not found.", keyID)
	case strings.HasPrefix(keyID, "arn:") && !kmsKeyARN.MatchString(keyID):
		return nil, errorf("InvalidArnException", "ARN %s is not a valid KMS key ARN", keyID)
	}
	k := s.find(ec2Key{c.account(), c.region}, keyID)
	if k == nil {
		ref := keyID
		if !strings.HasPrefix(ref, "arn:") {
			ref = kmsARN(c.account(), c.region, keyID)
		}
		return nil, errorf("NotFoundException", "Key '%s' does not exist", ref)
	}
	return k, nil
}

func (s *kmsService) createKey(c *call) *APIError {
	var in kmsCreateInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	params := map[string]any{
		"description": in.Description, "bypassPolicyLockoutSafetyCheck": in.BypassPolicyLockoutSafetyCheck,
		"multiRegion": in.MultiRegion,
	}
	for field, v := range map[string]string{"keyUsage": in.KeyUsage, "keySpec": in.KeySpec, "customerMasterKeySpec": in.CustomerMasterKeySpec, "origin": in.Origin, "customKeyStoreId": in.CustomKeyStoreID, "policy": in.Policy} {
		if v != "" {
			params[field] = v
		}
	}
	if len(in.Tags) > 0 {
		tags := make([]any, 0, len(in.Tags))
		for _, t := range in.Tags {
			tags = append(tags, map[string]any{"tagKey": t.TagKey, "tagValue": t.TagValue})
		}
		params["tags"] = tags
	}
	c.Record(params)
	if in.MultiRegion {
		return errorf("UnsupportedOperationException", "fakecloud does not emulate multi-Region keys")
	}
	k, aerr := s.newKey(c.account(), c.region, in, c.time)
	if aerr != nil {
		return aerr
	}
	s.mu.Lock()
	loc := ec2Key{c.account(), c.region}
	s.keys[loc] = append(s.keys[loc], k)
	out := map[string]any{"KeyMetadata": k.metadata()}
	trail := map[string]any{"keyMetadata": k.trailMetadata()}
	s.mu.Unlock()
	c.RecordResponse(trail)
	c.writeJSON(http.StatusOK, kmsContentType, out)
	return nil
}

type kmsKeyIDInput struct {
	KeyID                string `json:"KeyId"`
	RotationPeriodInDays *int
	PendingWindowInDays  *int
	Limit                *int
	Marker               string
	Tags                 []kmsTag
	TagKeys              []string
}

// withKey runs a read-only operation on the key its request names, under
// the service lock.
func (s *kmsService) withKey(c *call, read func(kmsKeyIDInput, *kmsKey) *APIError) *APIError {
	var in kmsKeyIDInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, aerr := s.lookup(c, in.KeyID)
	if aerr != nil {
		return aerr
	}
	return read(in, k)
}

func (s *kmsService) describeKey(c *call) *APIError {
	return s.withKey(c, func(in kmsKeyIDInput, k *kmsKey) *APIError {
		c.writeJSON(http.StatusOK, kmsContentType, map[string]any{"KeyMetadata": k.metadata()})
		return nil
	})
}

// kmsPage reads Limit and Marker. A marker is the base64 of the offset, so
// a marker from another call fails the way KMS fails it.
func kmsPage(in kmsKeyIDInput, defaultLimit, maxLimit, n int) (start, end int, aerr *APIError) {
	limit := defaultLimit
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > maxLimit {
			return 0, 0, kmsValidation("Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", *in.Limit, maxLimit)
		}
		limit = *in.Limit
	}
	if in.Marker != "" {
		raw, err := base64.RawURLEncoding.DecodeString(in.Marker)
		if err != nil || json.Unmarshal(raw, &start) != nil || start < 0 || start > n {
			return 0, 0, errorf("InvalidMarkerException", "Invalid marker")
		}
	}
	return start, min(start+limit, n), nil
}

func kmsMarker(end, n int) map[string]any {
	if end >= n {
		return map[string]any{"Truncated": false}
	}
	b, _ := json.Marshal(end)
	return map[string]any{"Truncated": true, "NextMarker": base64.RawURLEncoding.EncodeToString(b)}
}

func (s *kmsService) listKeys(c *call) *APIError {
	var in kmsKeyIDInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := s.keys[ec2Key{c.account(), c.region}]
	start, end, aerr := kmsPage(in, 100, 1000, len(keys))
	if aerr != nil {
		return aerr
	}
	out := kmsMarker(end, len(keys))
	list := []map[string]string{}
	for _, k := range keys[start:end] {
		list = append(list, map[string]string{"KeyId": k.id, "KeyArn": k.arn})
	}
	out["Keys"] = list
	c.writeJSON(http.StatusOK, kmsContentType, out)
	return nil
}

func (s *kmsService) getKeyRotationStatus(c *call) *APIError {
	return s.withKey(c, func(in kmsKeyIDInput, k *kmsKey) *APIError {
		// A key pending deletion reports false and rotation resumes if the
		// deletion is cancelled; keys that cannot rotate report false.
		enabled := k.rotation && k.state != kmsStatePendingDeletion
		out := map[string]any{"KeyId": k.arn, "KeyRotationEnabled": enabled}
		if enabled {
			out["RotationPeriodInDays"] = k.rotationDays
			out["NextRotationDate"] = epochSeconds(k.rotationStarted.AddDate(0, 0, k.rotationDays))
		}
		c.writeJSON(http.StatusOK, kmsContentType, out)
		return nil
	})
}

// setRotation is EnableKeyRotation and DisableKeyRotation. Both are
// idempotent in KMS: enabling an enabled key succeeds.
func (s *kmsService) setRotation(c *call, on bool) *APIError {
	var in kmsKeyIDInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	params := map[string]any{"keyId": in.KeyID}
	if on && in.RotationPeriodInDays != nil {
		params["rotationPeriodInDays"] = *in.RotationPeriodInDays
	}
	c.Record(params)
	days := 365
	if on && in.RotationPeriodInDays != nil {
		days = *in.RotationPeriodInDays
		if days < 90 || days > 2560 {
			return kmsValidation("Value '%d' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560", days)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, aerr := s.lookup(c, in.KeyID)
	if aerr != nil {
		return aerr
	}
	if why := k.notRotatable(); why != "" {
		return errorf("UnsupportedOperationException", "%s", why)
	}
	if k.state != kmsStateEnabled || !k.enabled {
		return errorf("KMSInvalidStateException", "%s is %s.", k.arn, kmsStateWords(k))
	}
	if on {
		if !k.rotation || k.rotationDays != days {
			k.rotationStarted = c.time
		}
		k.rotation, k.rotationDays = true, days
	} else {
		k.rotation, k.rotationDays = false, 0
	}
	c.writeJSON(http.StatusOK, kmsContentType, map[string]any{})
	return nil
}

func kmsStateWords(k *kmsKey) string {
	switch k.state {
	case kmsStatePendingDeletion:
		return "pending deletion"
	case kmsStatePendingImport:
		return "pending import"
	}
	return "disabled"
}

func (s *kmsService) enableKeyRotation(c *call) *APIError  { return s.setRotation(c, true) }
func (s *kmsService) disableKeyRotation(c *call) *APIError { return s.setRotation(c, false) }

func (s *kmsService) scheduleKeyDeletion(c *call) *APIError {
	var in kmsKeyIDInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	params := map[string]any{"keyId": in.KeyID}
	days := 30
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
		params["pendingWindowInDays"] = days
	}
	c.Record(params)
	if days < 7 || days > 30 {
		return kmsValidation("Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30", days)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, aerr := s.lookup(c, in.KeyID)
	if aerr != nil {
		return aerr
	}
	if k.manager == "AWS" {
		return errorf("AccessDeniedException", "User: %s is not authorized to perform: kms:ScheduleKeyDeletion on resource: %s because AWS managed keys cannot be deleted", c.principal.ARN, k.arn)
	}
	if k.state == kmsStatePendingDeletion {
		return errorf("KMSInvalidStateException", "%s is pending deletion.", k.arn)
	}
	k.state, k.enabled, k.pendingDays = kmsStatePendingDeletion, false, days
	k.deletion = c.time.AddDate(0, 0, days)
	c.RecordResponse(map[string]any{"keyId": k.arn, "keyState": k.state, "deletionDate": k.deletion.Format(kmsTrailTime), "pendingWindowInDays": days})
	c.writeJSON(http.StatusOK, kmsContentType, map[string]any{
		"KeyId": k.arn, "DeletionDate": epochSeconds(k.deletion), "KeyState": k.state, "PendingWindowInDays": days,
	})
	return nil
}

func (s *kmsService) listResourceTags(c *call) *APIError {
	return s.withKey(c, func(in kmsKeyIDInput, k *kmsKey) *APIError {
		names := make([]string, 0, len(k.tags))
		for n := range k.tags {
			names = append(names, n)
		}
		slices.Sort(names)
		start, end, aerr := kmsPage(in, 50, 50, len(names))
		if aerr != nil {
			return aerr
		}
		out := kmsMarker(end, len(names))
		tags := []kmsTag{}
		for _, n := range names[start:end] {
			tags = append(tags, kmsTag{TagKey: n, TagValue: k.tags[n]})
		}
		out["Tags"] = tags
		c.writeJSON(http.StatusOK, kmsContentType, out)
		return nil
	})
}

func (s *kmsService) tagResource(c *call) *APIError {
	var in kmsKeyIDInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	tags := make([]any, 0, len(in.Tags))
	for _, t := range in.Tags {
		tags = append(tags, map[string]any{"tagKey": t.TagKey, "tagValue": t.TagValue})
	}
	c.Record(map[string]any{"keyId": in.KeyID, "tags": tags})
	if len(in.Tags) == 0 {
		return kmsValidation("Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	for _, t := range in.Tags {
		if aerr := kmsCheckTag(t.TagKey); aerr != nil {
			return aerr
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, aerr := s.lookup(c, in.KeyID)
	if aerr != nil {
		return aerr
	}
	if k.state == kmsStatePendingDeletion {
		return errorf("KMSInvalidStateException", "%s is pending deletion.", k.arn)
	}
	for _, t := range in.Tags {
		k.tags[t.TagKey] = t.TagValue
	}
	c.writeJSON(http.StatusOK, kmsContentType, map[string]any{})
	return nil
}

func (s *kmsService) untagResource(c *call) *APIError {
	var in kmsKeyIDInput
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"keyId": in.KeyID, "tagKeys": in.TagKeys})
	if len(in.TagKeys) == 0 {
		return kmsValidation("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, aerr := s.lookup(c, in.KeyID)
	if aerr != nil {
		return aerr
	}
	if k.state == kmsStatePendingDeletion {
		return errorf("KMSInvalidStateException", "%s is pending deletion.", k.arn)
	}
	for _, n := range in.TagKeys {
		delete(k.tags, n)
	}
	c.writeJSON(http.StatusOK, kmsContentType, map[string]any{})
	return nil
}

// trailKey resolves the KmsKeyId of a CreateTrail or UpdateTrail made by c
// to the key's ARN, with CloudTrail's errors: a key id or key ARN of a key
// in the trail's region, enabled and symmetric. The fake has no aliases
// and no key policies, so an alias is KmsKeyNotFoundException, and
// InsufficientEncryptionPolicyException (a key policy that does not let
// CloudTrail encrypt) never happens here.
func (s *kmsService) trailKey(c *call, keyID string) (string, *APIError) {
	account := c.account()
	if m := kmsKeyARN.FindStringSubmatch(keyID); m != nil {
		if m[1] != c.region {
			return "", errorf("KmsKeyNotFoundException", "KMS key %s is not in the trail's region %s.", keyID, c.region)
		}
		account = m[2]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.find(ec2Key{account, c.region}, keyID)
	switch {
	case k == nil:
		return "", errorf("KmsKeyNotFoundException", "KMS key %s does not exist in %s.", keyID, c.region)
	case !k.enabled || k.state != kmsStateEnabled:
		return "", errorf("KmsKeyDisabledException", "KMS key %s is disabled.", k.arn)
	case k.spec != "SYMMETRIC_DEFAULT":
		return "", errorf("InvalidKmsKeyIdException", "KMS key %s is not a symmetric encryption key.", k.arn)
	}
	return k.arn, nil
}

package events

import (
	"strings"

	"github.com/rectifyhq/rectify/internal/resource"
)

// KMS calls that change what the key rotation control judges: the key's
// existence, its rotation, its deletion state, and its tags (exemptions).
var kmsExtractors = map[string]extractor{
	"CreateKey":           createdKMSKey,
	"EnableKeyRotation":   changedKMSKey,
	"DisableKeyRotation":  changedKMSKey,
	"ScheduleKeyDeletion": deletedKMSKey,
	"CancelKeyDeletion":   changedKMSKey,
	"TagResource":         changedKMSKey,
	"UntagResource":       changedKMSKey,
}

// kmsKey names a key by id in the event's account and region, or by its
// ARN, whose account and region win (a key may be used across accounts).
func (e *event) kmsKey(idOrARN string) (Trigger, bool) {
	if a, ok := parseARN(idOrARN); ok {
		id := a.after("key/")
		if a.service != "kms" || id == "" || a.account == "" || a.region == "" {
			return Trigger{}, false
		}
		t := e.resource(resource.TypeKMSKey, id, resource.KMSKeyARN(a.account, a.region, id))
		t.Account, t.Region = a.account, a.region
		return t, true
	}
	if idOrARN == "" || strings.HasPrefix(idOrARN, "alias/") {
		return Trigger{}, false
	}
	return e.resource(resource.TypeKMSKey, idOrARN, resource.KMSKeyARN(e.base.Account, e.base.Region, idOrARN)), true
}

// The new key's id exists only in the response.
func createdKMSKey(e *event) ([]Trigger, error) {
	resp, err := e.response()
	if err != nil {
		return nil, err
	}
	md, err := resp.obj("keyMetadata")
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"arn", "keyId"} {
		v, err := md.str(key)
		if err != nil {
			return nil, err
		}
		if t, ok := e.kmsKey(v); ok {
			return []Trigger{t}, nil
		}
	}
	return nil, e.rec.errorf("%s has no responseElements.keyMetadata.keyId", e.name)
}

// changedKMSKey reads requestParameters.keyId, which is whatever the caller
// passed: a key id, a key ARN, an alias name or an alias ARN. An alias says
// nothing about the key without an API call, so the record's own resources
// list (CloudTrail writes the key ARN there) is the fallback.
func changedKMSKey(e *event) ([]Trigger, error) {
	req, err := e.request()
	if err != nil {
		return nil, err
	}
	keyID, err := req.str("keyId")
	if err != nil {
		return nil, err
	}
	if t, ok := e.kmsKey(keyID); ok {
		return []Trigger{t}, nil
	}
	resources, err := e.rec.items("resources")
	if err != nil {
		return nil, err
	}
	for _, r := range resources {
		arn, err := r.str("ARN")
		if err != nil {
			return nil, err
		}
		if t, ok := e.kmsKey(arn); ok {
			return []Trigger{t}, nil
		}
	}
	if keyID != "" {
		return []Trigger{e.ignored(reasonUnsupported + e.source + "/" + e.name + " (key given as " + keyID + ", no key id)")}, nil
	}
	return nil, e.rec.errorf("%s names no key (requestParameters.keyId)", e.name)
}

// A key pending deletion is out of the live plane, as if deleted.
func deletedKMSKey(e *event) ([]Trigger, error) {
	ts, err := changedKMSKey(e)
	for i := range ts {
		ts[i].Deleted = !ts[i].Ignored
	}
	return ts, err
}

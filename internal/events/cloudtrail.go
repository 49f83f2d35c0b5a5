package events

import (
	"strings"
)

// extractor finds the resources that one supported, successful call changed.
type extractor func(e *event) ([]Trigger, error)

// extractors lists every call rectify re-evaluates a resource for, by
// eventSource and eventName. Anything else is ignored as unsupported.
var extractors = map[string]map[string]extractor{
	"ec2.amazonaws.com": ec2Extractors,
	"s3.amazonaws.com":  s3Extractors,
	"iam.amazonaws.com": iamExtractors,
	// KMS keys and CloudTrail trails: kms.go, trails.go.
	"kms.amazonaws.com":        kmsExtractors,
	"cloudtrail.amazonaws.com": cloudTrailExtractors,
	"rds.amazonaws.com":        rdsExtractors,
}

// event is one CloudTrail record with the fields every Trigger shares already
// read into base.
type event struct {
	rec       fields
	source    string
	name      string
	errorCode string
	readOnly  bool
	base      Trigger
}

func parseRecord(rec fields, env envelope) ([]Trigger, error) {
	e, err := readEvent(rec, env)
	if err != nil {
		return nil, err
	}
	return e.triggers()
}

func readEvent(rec fields, env envelope) (*event, error) {
	e := &event{rec: rec}
	var err error
	if e.source, err = rec.str("eventSource"); err != nil {
		return nil, err
	}
	if e.source == "" {
		return nil, rec.errorf("CloudTrail record has no eventSource")
	}
	if e.name, err = rec.str("eventName"); err != nil {
		return nil, err
	}
	if e.name == "" {
		return nil, rec.errorf("CloudTrail record has no eventName")
	}
	if e.errorCode, err = rec.str("errorCode"); err != nil {
		return nil, err
	}
	if e.readOnly, err = rec.boolean("readOnly"); err != nil {
		return nil, err
	}

	b := &e.base
	b.Source = SourceCloudTrail
	b.EventName = e.name
	if b.EventID, err = rec.str("eventID"); err != nil {
		return nil, err
	}
	identity, err := rec.obj("userIdentity")
	if err != nil {
		return nil, err
	}
	if b.ActorARN, err = identity.str("arn"); err != nil {
		return nil, err
	}
	session, err := identity.obj("sessionContext")
	if err != nil {
		return nil, err
	}
	issuer, err := session.obj("sessionIssuer")
	if err != nil {
		return nil, err
	}
	if b.IssuerARN, err = issuer.str("arn"); err != nil {
		return nil, err
	}
	// The recipient owns the resource; the caller may sit in another
	// account (cross-account roles), so its account is the last resort.
	if b.Account, err = firstOf(rec, "recipientAccountId", env.account, identity, "accountId"); err != nil {
		return nil, err
	}
	if b.Region, err = rec.str("awsRegion"); err != nil {
		return nil, err
	}
	if b.Region == "" {
		b.Region = env.region
	}
	if b.EventTime, err = rec.timestamp("eventTime"); err != nil {
		return nil, err
	}
	if b.EventTime.IsZero() {
		b.EventTime = env.time
	}
	return e, nil
}

func firstOf(rec fields, key, fallback string, last fields, lastKey string) (string, error) {
	v, err := rec.str(key)
	if err != nil || v != "" {
		return v, err
	}
	if fallback != "" {
		return fallback, nil
	}
	return last.str(lastKey)
}

func (e *event) triggers() ([]Trigger, error) {
	extract := extractors[e.source][e.name]
	switch {
	case e.errorCode != "":
		return e.ignoreAll(extract, reasonFailed+e.errorCode), nil
	case e.readOnly || isReadOnlyName(e.name):
		return e.ignoreAll(extract, reasonReadOnly), nil
	case extract == nil:
		return []Trigger{e.ignored(reasonUnsupported + e.source + "/" + e.name)}, nil
	}
	// Without these the starter cannot pick credentials or build the ARN
	// that names the workflow, so the record is useless, not just partial.
	if e.base.Account == "" {
		return nil, e.rec.errorf("%s has no account id (recipientAccountId, the EventBridge account or userIdentity.accountId)", e.name)
	}
	if e.base.Region == "" {
		return nil, e.rec.errorf("%s has no awsRegion", e.name)
	}
	return extract(e)
}

// ignoreAll still names the resources when it can, so the starter's log says
// which resource a failed call was aimed at; a record too thin for that is
// fine, since nothing will act on it.
func (e *event) ignoreAll(extract extractor, reason string) []Trigger {
	if extract != nil && e.base.Account != "" && e.base.Region != "" {
		if ts, err := extract(e); err == nil && len(ts) > 0 {
			for i := range ts {
				ts[i].Ignored, ts[i].Reason = true, reason
			}
			return ts
		}
	}
	return []Trigger{e.ignored(reason)}
}

func (e *event) ignored(reason string) Trigger {
	t := e.base
	t.Ignored, t.Reason = true, reason
	return t
}

func (e *event) resource(typ, id, arn string) Trigger {
	t := e.base
	t.ResourceType, t.ResourceID, t.ARN = typ, id, arn
	return t
}

// request and response are decoded only by the extractors that need them, so
// odd parameters of a call we ignore cannot fail the message.
func (e *event) request() (fields, error)  { return e.rec.obj("requestParameters") }
func (e *event) response() (fields, error) { return e.rec.obj("responseElements") }

func isReadOnlyName(name string) bool {
	for _, prefix := range []string{"Describe", "Get", "List", "Head"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

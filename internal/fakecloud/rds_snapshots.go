package fakecloud

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// dbSnapshot is a manual DB snapshot of a DB instance, with the restore
// attribute that shares it: account ids, or "all" for every AWS account.
// The fake takes no data and models no encryption (an encrypted snapshot
// cannot be made public in AWS); automated snapshots are not made.
type dbSnapshot struct {
	identifier, instance, engine string
	account, region              string
	created                      time.Time
	restore                      []string // in the order added
	tags                         []rdsTag
}

// rdsMaxSharedAccounts is how many accounts a manual snapshot may be
// shared with by id.
const rdsMaxSharedAccounts = 20

var rdsAccountID = regexp.MustCompile(`^[0-9]{12}$`)

func dbSnapshotARN(region, account, identifier string) string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:snapshot:%s", region, account, identifier)
}

func (n *dbSnapshot) arn() string { return dbSnapshotARN(n.region, n.account, n.identifier) }

func dbSnapshotNotFound(id string) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: "DBSnapshotNotFound", Message: fmt.Sprintf("DBSnapshot %s not found.", id)}
}

// snapshotRegion returns the snapshots of account and region. The caller
// holds s.mu.
func (s *rdsService) snapshotRegion(account, region string) map[string]*dbSnapshot {
	k := ec2Key{account, region}
	if s.snapshots[k] == nil {
		s.snapshots[k] = map[string]*dbSnapshot{}
	}
	return s.snapshots[k]
}

// snapshot finds a snapshot by identifier or ARN. The caller holds s.mu.
func (s *rdsService) snapshot(c *call, ref string) (*dbSnapshot, *APIError) {
	id := strings.ToLower(ref)
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 7)
		if len(parts) != 7 || parts[2] != "rds" || parts[5] != "snapshot" {
			return nil, errorf("InvalidParameterValue", "The parameter DBSnapshotIdentifier is not a valid identifier: %s", ref)
		}
		if parts[3] != c.region || parts[4] != c.account() {
			return nil, dbSnapshotNotFound(ref)
		}
		id = strings.ToLower(parts[6])
	}
	n, ok := s.snapshotRegion(c.account(), c.region)[id]
	if !ok {
		return nil, dbSnapshotNotFound(id)
	}
	return n, nil
}

// addSnapshot stores a new snapshot. The caller holds s.mu.
func (s *rdsService) addSnapshot(n *dbSnapshot) *APIError {
	switch m := s.snapshotRegion(n.account, n.region); {
	case !rdsIdentifierPattern.MatchString(n.identifier):
		return errorf("InvalidParameterValue", "The parameter DBSnapshotIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.")
	case m[n.identifier] != nil:
		return errorf("DBSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the identifier %s already exists.", n.identifier)
	default:
		m[n.identifier] = n
	}
	return nil
}

func (s *rdsService) createDBSnapshot(c *call, p ec2Params) *APIError {
	id, db := strings.ToLower(p.get("DBSnapshotIdentifier")), p.get("DBInstanceIdentifier")
	tags, terr := rdsTags(p)
	params := map[string]any{"dBSnapshotIdentifier": id, "dBInstanceIdentifier": db}
	if len(tags) > 0 {
		params["tags"] = rdsTagsTrail(tags)
	}
	c.Record(params)
	switch {
	case terr != nil:
		return terr
	case id == "":
		return errorf("MissingParameter", "The request must contain the parameter DBSnapshotIdentifier")
	case db == "":
		return errorf("MissingParameter", "The request must contain the parameter DBInstanceIdentifier")
	}
	s.mu.Lock()
	d, aerr := s.lookup(c, db)
	var n *dbSnapshot
	if aerr == nil {
		n = &dbSnapshot{identifier: id, instance: d.identifier, engine: d.engine, account: c.account(), region: c.region, created: c.time.UTC()}
		n.tags = setRDSTags(n.tags, tags)
		aerr = s.addSnapshot(n)
	}
	var x xmlDBSnapshot
	if aerr == nil {
		x = n.xml("available")
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	c.RecordResponse(n.trail("creating"))
	c.RecordResources(n.arn())
	rdsRespond(c, struct{ DBSnapshot xmlDBSnapshot }{x})
	return nil
}

// copyDBSnapshot copies a snapshot of the same account and region. As in
// AWS, the copy is shared with nobody: the restore attribute is not copied.
func (s *rdsService) copyDBSnapshot(c *call, p ec2Params) *APIError {
	src, target := p.get("SourceDBSnapshotIdentifier"), strings.ToLower(p.get("TargetDBSnapshotIdentifier"))
	tags, terr := rdsTags(p)
	params := map[string]any{"sourceDBSnapshotIdentifier": src, "targetDBSnapshotIdentifier": target}
	if len(tags) > 0 {
		params["tags"] = rdsTagsTrail(tags)
	}
	c.Record(params)
	switch {
	case terr != nil:
		return terr
	case src == "" || target == "":
		return errorf("MissingParameter", "The request must contain the parameters SourceDBSnapshotIdentifier and TargetDBSnapshotIdentifier")
	}
	s.mu.Lock()
	from, aerr := s.snapshot(c, src)
	var n *dbSnapshot
	if aerr == nil {
		n = &dbSnapshot{identifier: target, instance: from.instance, engine: from.engine, account: c.account(), region: c.region, created: c.time.UTC()}
		n.tags = setRDSTags(n.tags, tags)
		aerr = s.addSnapshot(n)
	}
	var x xmlDBSnapshot
	if aerr == nil {
		x = n.xml("available")
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	c.RecordResponse(n.trail("creating"))
	c.RecordResources(n.arn())
	rdsRespond(c, struct{ DBSnapshot xmlDBSnapshot }{x})
	return nil
}

func (s *rdsService) describeDBSnapshots(c *call, p ec2Params) *APIError {
	if len(p.indices("Filters.Filter")) > 0 {
		return errorf("InvalidParameterValue", "fakecloud does not emulate DescribeDBSnapshots Filters")
	}
	if t := p.get("SnapshotType"); t != "" && t != "manual" {
		return errorf("InvalidParameterValue", "fakecloud keeps manual snapshots only, not SnapshotType %s", t)
	}
	max, after, aerr := rdsPage(p)
	if aerr != nil {
		return aerr
	}
	s.mu.Lock()
	var list []*dbSnapshot
	if ref := p.get("DBSnapshotIdentifier"); ref != "" {
		n, err := s.snapshot(c, ref)
		if err != nil {
			s.mu.Unlock()
			return err
		}
		list = []*dbSnapshot{n}
	} else {
		db := strings.ToLower(p.get("DBInstanceIdentifier"))
		for _, n := range s.snapshotRegion(c.account(), c.region) {
			if db == "" || n.instance == db {
				list = append(list, n)
			}
		}
	}
	slices.SortFunc(list, func(a, b *dbSnapshot) int { return strings.Compare(a.identifier, b.identifier) })
	var page []xmlDBSnapshot
	marker := ""
	for _, n := range list {
		if n.identifier <= after {
			continue
		}
		if len(page) == max {
			marker = rdsMarkerPrefix + page[len(page)-1].DBSnapshotIdentifier
			break
		}
		page = append(page, n.xml("available"))
	}
	s.mu.Unlock()
	rdsRespond(c, struct {
		DBSnapshots []xmlDBSnapshot `xml:"DBSnapshots>DBSnapshot"`
		Marker      string          `xml:"Marker,omitempty"`
	}{page, marker})
	return nil
}

// xmlSnapshotAttributes is DBSnapshotAttributesResult.
type xmlSnapshotAttributes struct {
	DBSnapshotIdentifier string
	Attributes           []xmlSnapshotAttribute `xml:"DBSnapshotAttributes>DBSnapshotAttribute"`
}

type xmlSnapshotAttribute struct {
	AttributeName   string
	AttributeValues []string `xml:"AttributeValues>AttributeValue"`
}

func (n *dbSnapshot) attributes() xmlSnapshotAttributes {
	return xmlSnapshotAttributes{DBSnapshotIdentifier: n.identifier,
		Attributes: []xmlSnapshotAttribute{{AttributeName: "restore", AttributeValues: slices.Clone(n.restore)}}}
}

func (s *rdsService) describeDBSnapshotAttributes(c *call, p ec2Params) *APIError {
	id := p.get("DBSnapshotIdentifier")
	if id == "" {
		return errorf("MissingParameter", "The request must contain the parameter DBSnapshotIdentifier")
	}
	s.mu.Lock()
	n, aerr := s.snapshot(c, id)
	var out xmlSnapshotAttributes
	if aerr == nil {
		out = n.attributes()
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	rdsRespond(c, struct {
		Result xmlSnapshotAttributes `xml:"DBSnapshotAttributesResult"`
	}{out})
	return nil
}

func anyStrings(values []string) []any {
	out := make([]any, 0, len(values))
	for _, v := range values {
		out = append(out, v)
	}
	return out
}

// modifyDBSnapshotAttribute adds and removes restore values: account ids
// or "all". It is the only way a snapshot becomes public.
func (s *rdsService) modifyDBSnapshotAttribute(c *call, p ec2Params) *APIError {
	id, name := p.get("DBSnapshotIdentifier"), p.get("AttributeName")
	add, remove := p.strings("ValuesToAdd.AttributeValue"), p.strings("ValuesToRemove.AttributeValue")
	params := map[string]any{"dBSnapshotIdentifier": id, "attributeName": name}
	if len(add) > 0 {
		params["valuesToAdd"] = anyStrings(add)
	}
	if len(remove) > 0 {
		params["valuesToRemove"] = anyStrings(remove)
	}
	c.Record(params)
	switch {
	case id == "":
		return errorf("MissingParameter", "The request must contain the parameter DBSnapshotIdentifier")
	case name != "restore":
		return errorf("InvalidParameterValue", "Invalid snapshot attribute name: %s. The only attribute that can be modified is restore.", name)
	}
	for _, v := range slices.Concat(add, remove) {
		if v != "all" && !rdsAccountID.MatchString(v) {
			return errorf("InvalidParameterValue", "Invalid account identifier: %s", v)
		}
	}
	s.mu.Lock()
	n, aerr := s.snapshot(c, id)
	if aerr == nil {
		next := slices.DeleteFunc(slices.Clone(n.restore), func(v string) bool { return slices.Contains(remove, v) })
		for _, v := range add {
			if !slices.Contains(next, v) {
				next = append(next, v)
			}
		}
		if len(slices.DeleteFunc(slices.Clone(next), func(v string) bool { return v == "all" })) > rdsMaxSharedAccounts {
			aerr = errorf("SharedSnapshotQuotaExceeded", "You have exceeded the maximum number of accounts (%d) you can share a manual DB snapshot with.", rdsMaxSharedAccounts)
		} else {
			n.restore = next
		}
	}
	var out xmlSnapshotAttributes
	if aerr == nil {
		out = n.attributes()
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	c.RecordResponse(map[string]any{"dBSnapshotIdentifier": out.DBSnapshotIdentifier,
		"dBSnapshotAttributes": []any{map[string]any{"attributeName": "restore", "attributeValues": anyStrings(out.Attributes[0].AttributeValues)}}})
	c.RecordResources(n.arn())
	rdsRespond(c, struct {
		Result xmlSnapshotAttributes `xml:"DBSnapshotAttributesResult"`
	}{out})
	return nil
}

func (s *rdsService) deleteDBSnapshot(c *call, p ec2Params) *APIError {
	id := p.get("DBSnapshotIdentifier")
	c.Record(map[string]any{"dBSnapshotIdentifier": id})
	if id == "" {
		return errorf("MissingParameter", "The request must contain the parameter DBSnapshotIdentifier")
	}
	s.mu.Lock()
	n, aerr := s.snapshot(c, id)
	if aerr == nil {
		delete(s.snapshotRegion(c.account(), c.region), n.identifier)
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	c.RecordResponse(n.trail("deleted"))
	c.RecordResources(n.arn())
	rdsRespond(c, struct{ DBSnapshot xmlDBSnapshot }{n.xml("deleted")})
	return nil
}

// xmlDBSnapshot is the DBSnapshot shape, with the fields the fake models.
type xmlDBSnapshot struct {
	XMLName              xml.Name `xml:"DBSnapshot"`
	DBSnapshotIdentifier string
	DBInstanceIdentifier string
	Engine               string
	Status               string
	SnapshotType         string
	SnapshotCreateTime   string
	Encrypted            bool
	DBSnapshotArn        string
	TagList              []xmlRDSTag `xml:"TagList>Tag"`
}

func (n *dbSnapshot) xml(status string) xmlDBSnapshot {
	return xmlDBSnapshot{
		DBSnapshotIdentifier: n.identifier, DBInstanceIdentifier: n.instance, Engine: n.engine, Status: status,
		SnapshotType: "manual", SnapshotCreateTime: n.created.Format(time.RFC3339), DBSnapshotArn: n.arn(), TagList: tagsXML(n.tags),
	}
}

// trail is the snapshot as CloudTrail's responseElements writes it.
func (n *dbSnapshot) trail(status string) map[string]any {
	return map[string]any{
		"dBSnapshotIdentifier": n.identifier, "dBInstanceIdentifier": n.instance, "engine": n.engine,
		"status": status, "snapshotType": "manual", "encrypted": false, "dBSnapshotArn": n.arn(),
		"tagList": rdsTagsTrail(n.tags),
	}
}

// SnapshotRestore reads a DB snapshot's restore attribute, for tests; ok is
// false when the snapshot does not exist.
func (c *Cloud) SnapshotRestore(account, region, identifier string) (values []string, ok bool) {
	c.rds.mu.Lock()
	defer c.rds.mu.Unlock()
	n, ok := c.rds.snapshotRegion(account, region)[strings.ToLower(identifier)]
	if !ok {
		return nil, false
	}
	return slices.Clone(n.restore), true
}

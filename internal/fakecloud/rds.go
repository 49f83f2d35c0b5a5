package fakecloud

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// RDS speaks the Query protocol like STS: form-encoded Action and Version in,
// an XML <ActionResponse> with <ActionResult> and <ResponseMetadata> out, and
// errors as <ErrorResponse><Error>. Lists are numbered under their member's
// XML name ("Tags.Tag.1.Key", "TagKeys.member.1").
const (
	rdsVersion   = "2014-10-31"
	rdsNamespace = "http://rds.amazonaws.com/doc/2014-10-31/"
)

// DescribeDBInstances pages between 20 and 100 records, 100 by default.
const (
	rdsMinRecords     = 20
	rdsMaxRecords     = 100
	rdsDefaultRecords = 100
)

// rdsIdentifierPattern is RDS's rule for a DB instance identifier: a letter,
// then letters, digits and single hyphens, at most 63, not ending in one.
var rdsIdentifierPattern = regexp.MustCompile(`^[a-z](?:[a-z0-9]|-[a-z0-9]){0,62}$`)

// rdsService emulates the slice of RDS that rectify reads and remediates:
// DB instances with their engine, class, public accessibility, deletion
// protection, minor version upgrades and tags; DB clusters
// (rds_clusters.go) and DB snapshots with their restore attribute
// (rds_snapshots.go), per account and region. Everything is available as
// soon as it is created and gone as soon as it is deleted; the fake models
// no storage, backups or engine.
type rdsService struct {
	cloud *Cloud

	mu        sync.Mutex
	instances map[ec2Key]map[string]*dbInstance // by account and region, then identifier
	clusters  map[ec2Key]map[string]*dbCluster
	snapshots map[ec2Key]map[string]*dbSnapshot
}

type dbInstance struct {
	identifier, class, engine, masterUsername   string
	account, region, resourceID, endpoint       string
	publiclyAccessible, deletionProtection      bool
	autoMinorVersionUpgrade, copyTagsToSnapshot bool
	tags                                        []rdsTag // in the order added; keys unique
}

type rdsTag struct{ key, value string }

func newRDSService(c *Cloud) *rdsService {
	return &rdsService{cloud: c, instances: map[ec2Key]map[string]*dbInstance{},
		clusters: map[ec2Key]map[string]*dbCluster{}, snapshots: map[ec2Key]map[string]*dbSnapshot{}}
}

func (s *rdsService) eventSource() string { return "rds.amazonaws.com" }

func (s *rdsService) actions() []string { return slices.Sorted(maps.Keys(rdsHandlers)) }

func dbInstanceARN(region, account, identifier string) string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", region, account, identifier)
}

func (d *dbInstance) arn() string { return dbInstanceARN(d.region, d.account, d.identifier) }

// region returns the instances of account and region, creating the map on
// first use. The caller holds s.mu.
func (s *rdsService) region(account, region string) map[string]*dbInstance {
	k := ec2Key{account, region}
	m, ok := s.instances[k]
	if !ok {
		m = map[string]*dbInstance{}
		s.instances[k] = m
	}
	return m
}

var rdsHandlers = map[string]func(*rdsService, *call, ec2Params) *APIError{
	"CreateDBInstance":       (*rdsService).createDBInstance,
	"DescribeDBInstances":    (*rdsService).describeDBInstances,
	"ModifyDBInstance":       (*rdsService).modifyDBInstance,
	"DeleteDBInstance":       (*rdsService).deleteDBInstance,
	"ListTagsForResource":    (*rdsService).listTagsForResource,
	"AddTagsToResource":      (*rdsService).addTagsToResource,
	"RemoveTagsFromResource": (*rdsService).removeTagsFromResource,

	"CreateDBCluster":    (*rdsService).createDBCluster,
	"DescribeDBClusters": (*rdsService).describeDBClusters,
	"ModifyDBCluster":    (*rdsService).modifyDBCluster,
	"DeleteDBCluster":    (*rdsService).deleteDBCluster,

	"CreateDBSnapshot":             (*rdsService).createDBSnapshot,
	"CopyDBSnapshot":               (*rdsService).copyDBSnapshot,
	"DescribeDBSnapshots":          (*rdsService).describeDBSnapshots,
	"DescribeDBSnapshotAttributes": (*rdsService).describeDBSnapshotAttributes,
	"ModifyDBSnapshotAttribute":    (*rdsService).modifyDBSnapshotAttribute,
	"DeleteDBSnapshot":             (*rdsService).deleteDBSnapshot,
}

func rdsParams(r *http.Request, body []byte) (ec2Params, *APIError) {
	v, err := stsParams(r, body)
	return ec2Params(v), err
}

func (s *rdsService) route(r *http.Request, body []byte) (string, *APIError) {
	p, err := rdsParams(r, body)
	if err != nil {
		return "", err
	}
	action := p.get("Action")
	switch {
	case action == "":
		return "", errorf("MissingAction", "The request must contain the parameter Action.")
	case p.get("Version") != rdsVersion:
		return action, errorf("InvalidAction", "Could not find operation %s for version %s", action, p.get("Version"))
	case rdsHandlers[action] == nil:
		return action, errorf("InvalidAction", "fakecloud does not emulate RDS %s (only DB instances, clusters, snapshots and their tags)", action)
	}
	return action, nil
}

func (s *rdsService) handle(c *call) *APIError {
	p, err := rdsParams(c.r, c.body)
	if err != nil {
		return err
	}
	return rdsHandlers[c.action](s, c, p)
}

// rdsDocument is a successful RDS response: <ActionResponse> holding the
// result (when the action has one) and the request id.
type rdsDocument struct {
	action string
	result any
	id     string
}

func (d rdsDocument) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	root := xml.StartElement{
		Name: xml.Name{Local: d.action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: rdsNamespace}},
	}
	if err := e.EncodeToken(root); err != nil {
		return err
	}
	if d.result != nil {
		if err := e.EncodeElement(d.result, xml.StartElement{Name: xml.Name{Local: d.action + "Result"}}); err != nil {
			return err
		}
	}
	if err := e.EncodeElement(stsResponseMetadata{RequestID: d.id}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	return e.EncodeToken(root.End())
}

func rdsRespond(c *call, result any) {
	c.writeXML(http.StatusOK, rdsDocument{action: c.action, result: result, id: c.requestID})
}

func (s *rdsService) writeError(c *call, err *APIError) { writeQueryError(c, rdsNamespace, err) }

func (s *rdsService) authError(key string) *APIError { return queryAuthError(s.cloud, key) }

// deniedError names the instance or tagged resource the request targets.
func (s *rdsService) deniedError(c *call) *APIError {
	resource := "*"
	if p, err := rdsParams(c.r, c.body); err == nil {
		if id := p.get("DBInstanceIdentifier"); id != "" {
			resource = dbInstanceARN(c.region, c.account(), strings.ToLower(id))
		} else if id := p.get("DBClusterIdentifier"); id != "" {
			resource = dbClusterARN(c.region, c.account(), strings.ToLower(id))
		} else if id := p.get("DBSnapshotIdentifier"); id != "" {
			resource = dbSnapshotARN(c.region, c.account(), strings.ToLower(id))
		} else if name := p.get("ResourceName"); name != "" {
			resource = name
		}
	}
	return &APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: rds:%s on resource: %s because no identity-based policy allows the rds:%s action",
		c.principal.ARN, c.action, resource, c.action)}
}

func dbInstanceNotFound(id string) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: "DBInstanceNotFound", Message: fmt.Sprintf("DBInstance %s not found.", id)}
}

// rdsBool reads an optional boolean parameter: nil when absent.
func rdsBool(p ec2Params, key string) (*bool, *APIError) {
	if !p.has(key) {
		return nil, nil
	}
	b, err := strconv.ParseBool(p.get(key))
	if err != nil {
		return nil, errorf("InvalidParameterValue", "Value '%s' for parameter %s is invalid. Expected a boolean.", p.get(key), key)
	}
	return &b, nil
}

// rdsTags reads Tags.Tag.N.Key and .Value.
func rdsTags(p ec2Params) ([]rdsTag, *APIError) {
	var out []rdsTag
	for _, n := range p.indices("Tags.Tag") {
		prefix := "Tags.Tag." + strconv.Itoa(n)
		t := rdsTag{key: p.get(prefix + ".Key"), value: p.get(prefix + ".Value")}
		switch {
		case t.key == "":
			return nil, errorf("InvalidParameterValue", "Tag key must not be empty")
		case len(t.key) > 128 || len(t.value) > 256:
			return nil, errorf("InvalidParameterValue", "Tag key %q or its value is too long (128 and 256 characters at most)", t.key)
		case strings.HasPrefix(strings.ToLower(t.key), "aws:"):
			return nil, errorf("InvalidParameterValue", "Tag keys cannot start with the reserved prefix aws:")
		}
		out = append(out, t)
	}
	return out, nil
}

func rdsTagsTrail(tags []rdsTag) []any {
	out := make([]any, 0, len(tags))
	for _, t := range tags {
		out = append(out, map[string]any{"key": t.key, "value": t.value})
	}
	return out
}

// setRDSTags adds or overwrites tags by key.
func setRDSTags(list, tags []rdsTag) []rdsTag {
	for _, t := range tags {
		i := slices.IndexFunc(list, func(x rdsTag) bool { return x.key == t.key })
		if i >= 0 {
			list[i].value = t.value
		} else {
			list = append(list, t)
		}
	}
	return list
}

// rdsEnginePorts are the default ports of the engines the fake accepts.
var rdsEnginePorts = map[string]int{
	"postgres": 5432, "aurora-postgresql": 5432,
	"mysql": 3306, "mariadb": 3306, "aurora-mysql": 3306,
	"oracle-ee": 1521, "oracle-se2": 1521,
	"sqlserver-ee": 1433, "sqlserver-se": 1433, "sqlserver-ex": 1433, "sqlserver-web": 1433,
}

func (s *rdsService) createDBInstance(c *call, p ec2Params) *APIError {
	id := strings.ToLower(p.get("DBInstanceIdentifier"))
	class, engine, user := p.get("DBInstanceClass"), p.get("Engine"), p.get("MasterUsername")
	public, err := rdsBool(p, "PubliclyAccessible")
	protected, perr := rdsBool(p, "DeletionProtection")
	minor, merr := rdsBool(p, "AutoMinorVersionUpgrade")
	copyTags, cerr := rdsBool(p, "CopyTagsToSnapshot")
	// CloudTrail logs the request without the master password.
	params := map[string]any{"dBInstanceIdentifier": id, "dBInstanceClass": class, "engine": engine}
	if user != "" {
		params["masterUsername"] = user
	}
	if public != nil {
		params["publiclyAccessible"] = *public
	}
	if protected != nil {
		params["deletionProtection"] = *protected
	}
	if minor != nil {
		params["autoMinorVersionUpgrade"] = *minor
	}
	if copyTags != nil {
		params["copyTagsToSnapshot"] = *copyTags
	}
	if g := p.get("DBSubnetGroupName"); g != "" {
		params["dBSubnetGroupName"] = g
	}
	tags, terr := rdsTags(p)
	if len(tags) > 0 {
		params["tags"] = rdsTagsTrail(tags)
	}
	c.Record(params)
	switch {
	case err != nil:
		return err
	case perr != nil:
		return perr
	case merr != nil:
		return merr
	case cerr != nil:
		return cerr
	case terr != nil:
		return terr
	case id == "":
		return errorf("MissingParameter", "The request must contain the parameter DBInstanceIdentifier")
	case class == "":
		return errorf("MissingParameter", "The request must contain the parameter DBInstanceClass")
	case engine == "":
		return errorf("MissingParameter", "The request must contain the parameter Engine")
	case !rdsIdentifierPattern.MatchString(id):
		return errorf("InvalidParameterValue", "The parameter DBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.")
	case rdsEnginePorts[engine] == 0:
		return errorf("InvalidParameterValue", "Invalid DB engine: %s", engine)
	}
	// Without a subnet group the instance lands in the default VPC, whose
	// internet gateway makes RDS default to public; with one, to private.
	// That is AWS's documented default, and why this control exists.
	pub := p.get("DBSubnetGroupName") == ""
	if public != nil {
		pub = *public
	}

	s.mu.Lock()
	m := s.region(c.account(), c.region)
	if _, dup := m[id]; dup {
		s.mu.Unlock()
		return errorf("DBInstanceAlreadyExists", "DB instance already exists")
	}
	d := &dbInstance{
		identifier: id, class: class, engine: engine, masterUsername: user,
		account: c.account(), region: c.region, publiclyAccessible: pub,
		// RDS API defaults: no deletion protection, minor upgrades on, tags
		// not copied to snapshots.
		deletionProtection: protected != nil && *protected, autoMinorVersionUpgrade: minor == nil || *minor,
		copyTagsToSnapshot: copyTags != nil && *copyTags,
		resourceID:         "db-" + strings.ToUpper(newID("", 26)),
		endpoint:           fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", id, newID("c", 11), c.region),
	}
	d.tags = setRDSTags(d.tags, tags)
	m[id] = d
	x := d.xml("available")
	s.mu.Unlock()

	c.RecordResponse(d.trail("creating"))
	c.RecordResources(d.arn())
	// The fake skips "creating": the instance is available at once.
	rdsRespond(c, struct {
		DBInstance xmlDBInstance
	}{x})
	return nil
}

// lookup finds an instance by identifier or ARN. The caller holds s.mu.
func (s *rdsService) lookup(c *call, ref string) (*dbInstance, *APIError) {
	id := strings.ToLower(ref)
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.Split(ref, ":")
		if len(parts) != 7 || parts[2] != "rds" || parts[5] != "db" {
			return nil, errorf("InvalidParameterValue", "The parameter DBInstanceIdentifier is not a valid identifier: %s", ref)
		}
		if parts[3] != c.region || parts[4] != c.account() {
			return nil, dbInstanceNotFound(ref)
		}
		id = parts[6]
	}
	d, ok := s.region(c.account(), c.region)[id]
	if !ok {
		return nil, dbInstanceNotFound(id)
	}
	return d, nil
}

func (s *rdsService) describeDBInstances(c *call, p ec2Params) *APIError {
	if len(p.indices("Filters.Filter")) > 0 {
		return errorf("InvalidParameterValue", "fakecloud does not emulate DescribeDBInstances Filters; name the instance with DBInstanceIdentifier")
	}
	max, after, aerr := rdsPage(p)
	if aerr != nil {
		return aerr
	}

	s.mu.Lock()
	var list []*dbInstance
	if ref := p.get("DBInstanceIdentifier"); ref != "" {
		d, err := s.lookup(c, ref)
		if err != nil {
			s.mu.Unlock()
			return err
		}
		list = []*dbInstance{d}
	} else {
		for _, d := range s.region(c.account(), c.region) {
			list = append(list, d)
		}
	}
	slices.SortFunc(list, func(a, b *dbInstance) int { return strings.Compare(a.identifier, b.identifier) })
	var page []xmlDBInstance
	marker := ""
	for _, d := range list {
		if d.identifier <= after {
			continue
		}
		if len(page) == max {
			marker = rdsMarkerPrefix + page[len(page)-1].DBInstanceIdentifier
			break
		}
		page = append(page, d.xml("available"))
	}
	s.mu.Unlock()

	rdsRespond(c, struct {
		DBInstances []xmlDBInstance `xml:"DBInstances>DBInstance"`
		Marker      string          `xml:"Marker,omitempty"`
	}{page, marker})
	return nil
}

// rdsMarkerPrefix starts every Marker the fake hands out: the identifier
// after it is the last of the page.
const rdsMarkerPrefix = "fakecloud-rds:"

// rdsPage reads MaxRecords and Marker: the page size and the identifier
// the page starts after.
func rdsPage(p ec2Params) (max int, after string, err *APIError) {
	max = rdsDefaultRecords
	if p.has("MaxRecords") {
		n, cerr := strconv.Atoi(p.get("MaxRecords"))
		if cerr != nil || n < rdsMinRecords || n > rdsMaxRecords {
			return 0, "", errorf("InvalidParameterValue", "Invalid value %s for MaxRecords. Must be between %d and %d", p.get("MaxRecords"), rdsMinRecords, rdsMaxRecords)
		}
		max = n
	}
	if m := p.get("Marker"); m != "" {
		var ok bool
		if after, ok = strings.CutPrefix(m, rdsMarkerPrefix); !ok {
			return 0, "", errorf("InvalidParameterValue", "The marker %q is not valid: pass back the Marker of the previous page.", m)
		}
	}
	return max, after, nil
}

func (s *rdsService) modifyDBInstance(c *call, p ec2Params) *APIError {
	id := p.get("DBInstanceIdentifier")
	flags := map[string]*bool{}
	params := map[string]any{"dBInstanceIdentifier": id}
	for _, name := range []string{"PubliclyAccessible", "DeletionProtection", "AutoMinorVersionUpgrade", "CopyTagsToSnapshot", "ApplyImmediately"} {
		v, err := rdsBool(p, name)
		if err != nil {
			c.Record(params)
			return err
		}
		if v != nil {
			flags[name] = v
			params[strings.ToLower(name[:1])+name[1:]] = *v
		}
	}
	c.Record(params)
	if id == "" {
		return errorf("MissingParameter", "The request must contain the parameter DBInstanceIdentifier")
	}
	for k := range p {
		switch k {
		case "Action", "Version", "DBInstanceIdentifier", "PubliclyAccessible", "DeletionProtection", "AutoMinorVersionUpgrade", "CopyTagsToSnapshot", "ApplyImmediately":
		default:
			return errorf("InvalidParameterValue", "fakecloud emulates only PubliclyAccessible, DeletionProtection, AutoMinorVersionUpgrade and CopyTagsToSnapshot in ModifyDBInstance, not %s", k)
		}
	}

	s.mu.Lock()
	d, aerr := s.lookup(c, id)
	if aerr != nil {
		s.mu.Unlock()
		return aerr
	}
	// AWS applies these four at once whatever ApplyImmediately says
	// (AutoMinorVersionUpgrade "as soon as possible", asynchronously; the
	// fake at once).
	for name, dst := range map[string]*bool{"PubliclyAccessible": &d.publiclyAccessible, "DeletionProtection": &d.deletionProtection,
		"AutoMinorVersionUpgrade": &d.autoMinorVersionUpgrade, "CopyTagsToSnapshot": &d.copyTagsToSnapshot} {
		if v := flags[name]; v != nil {
			*dst = *v
		}
	}
	x := d.xml("available")
	trail := d.trail("available")
	s.mu.Unlock()

	c.RecordResponse(trail)
	c.RecordResources(d.arn())
	rdsRespond(c, struct {
		DBInstance xmlDBInstance
	}{x})
	return nil
}

func (s *rdsService) deleteDBInstance(c *call, p ec2Params) *APIError {
	id := p.get("DBInstanceIdentifier")
	skip, err := rdsBool(p, "SkipFinalSnapshot")
	final := p.get("FinalDBSnapshotIdentifier")
	params := map[string]any{"dBInstanceIdentifier": id}
	if skip != nil {
		params["skipFinalSnapshot"] = *skip
	}
	if final != "" {
		params["finalDBSnapshotIdentifier"] = final
	}
	c.Record(params)
	switch {
	case err != nil:
		return err
	case id == "":
		return errorf("MissingParameter", "The request must contain the parameter DBInstanceIdentifier")
	case (skip == nil || !*skip) && final == "":
		return errorf("InvalidParameterCombination", "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
	case skip != nil && *skip && final != "":
		return errorf("InvalidParameterCombination", "Cannot specify both FinalDBSnapshotIdentifier and SkipFinalSnapshot.")
	}

	s.mu.Lock()
	d, aerr := s.lookup(c, id)
	if aerr == nil && d.deletionProtection {
		aerr = errorf("InvalidParameterCombination", "Cannot delete protected DB Instance, please disable deletion protection and try again.")
	}
	if aerr == nil {
		delete(s.region(c.account(), c.region), d.identifier)
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	c.RecordResponse(d.trail("deleting"))
	c.RecordResources(d.arn())
	rdsRespond(c, struct {
		DBInstance xmlDBInstance
	}{d.xml("deleting")})
	return nil
}

// tagged resolves a ResourceName (an ARN) to the tag list of the DB
// instance, cluster or snapshot it names, and that resource's ARN. RDS
// answers an ARN of a kind the fake does not emulate with that kind's
// NotFound, approximated here by the instance's. The caller holds s.mu.
func (s *rdsService) tagged(c *call, name string) (*[]rdsTag, string, *APIError) {
	if name == "" {
		return nil, "", errorf("MissingParameter", "The request must contain the parameter ResourceName")
	}
	parts := strings.SplitN(name, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "rds" {
		return nil, "", errorf("InvalidParameterValue", "Invalid resource name: %s", name)
	}
	if parts[3] != c.region || parts[4] != c.account() {
		return nil, "", dbInstanceNotFound(name)
	}
	id := strings.ToLower(parts[6])
	switch parts[5] {
	case "cluster":
		k, ok := s.clusterRegion(c.account(), c.region)[id]
		if !ok {
			return nil, "", dbClusterNotFound(id)
		}
		return &k.tags, k.arn(), nil
	case "snapshot":
		k, ok := s.snapshotRegion(c.account(), c.region)[id]
		if !ok {
			return nil, "", dbSnapshotNotFound(id)
		}
		return &k.tags, k.arn(), nil
	}
	d, err := s.lookup(c, name)
	if err != nil {
		return nil, "", err
	}
	return &d.tags, d.arn(), nil
}

func (s *rdsService) listTagsForResource(c *call, p ec2Params) *APIError {
	s.mu.Lock()
	list, _, err := s.tagged(c, p.get("ResourceName"))
	var tags []xmlRDSTag
	if err == nil {
		tags = tagsXML(*list)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	rdsRespond(c, struct {
		TagList []xmlRDSTag `xml:"TagList>Tag"`
	}{tags})
	return nil
}

func (s *rdsService) addTagsToResource(c *call, p ec2Params) *APIError {
	name := p.get("ResourceName")
	tags, err := rdsTags(p)
	c.Record(map[string]any{"resourceName": name, "tags": rdsTagsTrail(tags)})
	if err != nil {
		return err
	}
	if len(tags) == 0 {
		return errorf("MissingParameter", "The request must contain the parameter Tags")
	}
	s.mu.Lock()
	list, arn, aerr := s.tagged(c, name)
	if aerr == nil {
		*list = setRDSTags(*list, tags)
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	c.RecordResources(arn)
	rdsRespond(c, nil)
	return nil
}

func (s *rdsService) removeTagsFromResource(c *call, p ec2Params) *APIError {
	name, keys := p.get("ResourceName"), p.strings("TagKeys.member")
	trailKeys := make([]any, 0, len(keys))
	for _, k := range keys {
		trailKeys = append(trailKeys, k)
	}
	c.Record(map[string]any{"resourceName": name, "tagKeys": trailKeys})
	if len(keys) == 0 {
		return errorf("MissingParameter", "The request must contain the parameter TagKeys")
	}
	s.mu.Lock()
	list, arn, aerr := s.tagged(c, name)
	if aerr == nil {
		*list = slices.DeleteFunc(*list, func(t rdsTag) bool { return slices.Contains(keys, t.key) })
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	c.RecordResources(arn)
	rdsRespond(c, nil)
	return nil
}

type xmlRDSTag struct {
	Key   string
	Value string
}

type xmlRDSEndpoint struct {
	Address string
	Port    int
}

// xmlDBInstance is the DBInstance shape, with the fields the fake models.
type xmlDBInstance struct {
	DBInstanceIdentifier    string
	DBInstanceClass         string
	Engine                  string
	DBInstanceStatus        string
	MasterUsername          string `xml:",omitempty"`
	Endpoint                *xmlRDSEndpoint
	PubliclyAccessible      bool
	DeletionProtection      bool
	AutoMinorVersionUpgrade bool
	CopyTagsToSnapshot      bool
	DbiResourceId           string
	DBInstanceArn           string
	TagList                 []xmlRDSTag `xml:"TagList>Tag"`
}

func tagsXML(tags []rdsTag) []xmlRDSTag {
	out := make([]xmlRDSTag, 0, len(tags))
	for _, t := range tags {
		out = append(out, xmlRDSTag{Key: t.key, Value: t.value})
	}
	return out
}

func (d *dbInstance) xml(status string) xmlDBInstance {
	x := xmlDBInstance{
		DBInstanceIdentifier: d.identifier, DBInstanceClass: d.class, Engine: d.engine,
		DBInstanceStatus: status, MasterUsername: d.masterUsername,
		PubliclyAccessible: d.publiclyAccessible, DbiResourceId: d.resourceID,
		DeletionProtection: d.deletionProtection, AutoMinorVersionUpgrade: d.autoMinorVersionUpgrade,
		CopyTagsToSnapshot: d.copyTagsToSnapshot,
		DBInstanceArn:      d.arn(), TagList: tagsXML(d.tags),
	}
	if status == "available" {
		x.Endpoint = &xmlRDSEndpoint{Address: d.endpoint, Port: rdsEnginePorts[d.engine]}
	}
	return x
}

// trail is the DB instance as CloudTrail's responseElements writes it:
// the API shape in camelCase, with RDS's "dBInstance…" spelling.
func (d *dbInstance) trail(status string) map[string]any {
	return map[string]any{
		"dBInstanceIdentifier":    d.identifier,
		"dBInstanceClass":         d.class,
		"engine":                  d.engine,
		"dBInstanceStatus":        status,
		"publiclyAccessible":      d.publiclyAccessible,
		"deletionProtection":      d.deletionProtection,
		"autoMinorVersionUpgrade": d.autoMinorVersionUpgrade,
		"copyTagsToSnapshot":      d.copyTagsToSnapshot,
		"dbiResourceId":           d.resourceID,
		"dBInstanceArn":           d.arn(),
		"tagList":                 rdsTagsTrail(d.tags),
	}
}

// DBInstanceSeed is an RDS DB instance.
type DBInstanceSeed struct {
	Region             string `yaml:"region"`
	Identifier         string `yaml:"identifier"`
	Engine             string `yaml:"engine"`
	Class              string `yaml:"class"`
	PubliclyAccessible bool   `yaml:"publicly_accessible"`
	DeletionProtection bool   `yaml:"deletion_protection"`
	// AutoMinorVersionUpgrade is RDS's default, on, when nil.
	AutoMinorVersionUpgrade *bool `yaml:"auto_minor_version_upgrade"`
	// CopyTagsToSnapshot is on when nil: the RDS console ticks it by
	// default, and a seed stands for a database made the usual way (the
	// API's default, off, is CreateDBInstance's).
	CopyTagsToSnapshot *bool             `yaml:"copy_tags_to_snapshot"`
	Tags               map[string]string `yaml:"tags"`
}

// SeedDBInstance creates an instance without a CloudTrail event.
func (c *Cloud) SeedDBInstance(account string, in DBInstanceSeed) error {
	region, class := in.Region, in.Class
	if region == "" {
		region = DefaultRegion
	}
	if class == "" {
		class = "db.t3.micro"
	}
	id := strings.ToLower(in.Identifier)
	switch {
	case !rdsIdentifierPattern.MatchString(id):
		return fmt.Errorf("seed db instance %q: not a valid identifier", in.Identifier)
	case rdsEnginePorts[in.Engine] == 0:
		return fmt.Errorf("seed db instance %s: unknown engine %q", id, in.Engine)
	}
	s := c.rds
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.region(account, region)
	if _, dup := m[id]; dup {
		return fmt.Errorf("seed db instance %s: already exists", id)
	}
	d := &dbInstance{
		identifier: id, class: class, engine: in.Engine, account: account, region: region,
		publiclyAccessible: in.PubliclyAccessible, deletionProtection: in.DeletionProtection,
		autoMinorVersionUpgrade: in.AutoMinorVersionUpgrade == nil || *in.AutoMinorVersionUpgrade,
		copyTagsToSnapshot:      in.CopyTagsToSnapshot == nil || *in.CopyTagsToSnapshot,
		resourceID:              "db-" + strings.ToUpper(newID("", 26)),
		endpoint:                fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", id, newID("c", 11), region),
	}
	keys := make([]string, 0, len(in.Tags))
	for k := range in.Tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		d.tags = append(d.tags, rdsTag{k, in.Tags[k]})
	}
	m[id] = d
	return nil
}

// DBInstancePublic reads an instance's PubliclyAccessible, for tests; ok is
// false when the instance does not exist.
func (c *Cloud) DBInstancePublic(account, region, identifier string) (public, ok bool) {
	c.rds.mu.Lock()
	defer c.rds.mu.Unlock()
	d, ok := c.rds.region(account, region)[strings.ToLower(identifier)]
	if !ok {
		return false, false
	}
	return d.publiclyAccessible, true
}

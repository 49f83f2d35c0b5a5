package fakecloud

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// dbCluster is a DB cluster: Aurora, Multi-AZ, or the Neptune and
// DocumentDB clusters that share the RDS API. The fake models its engine,
// deletion protection and tags; no members, storage or endpoints beyond a
// name.
type dbCluster struct {
	identifier, engine, masterUsername     string
	account, region, resourceID            string
	deletionProtection, copyTagsToSnapshot bool
	tags                                   []rdsTag
}

// rdsClusterEngines are the engines CreateDBCluster accepts in the fake.
var rdsClusterEngines = map[string]int{
	"aurora-mysql": 3306, "aurora-postgresql": 5432, "mysql": 3306, "postgres": 5432, "neptune": 8182, "docdb": 27017,
}

func dbClusterARN(region, account, identifier string) string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:cluster:%s", region, account, identifier)
}

func (k *dbCluster) arn() string { return dbClusterARN(k.region, k.account, k.identifier) }

func dbClusterNotFound(id string) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: "DBClusterNotFoundFault", Message: fmt.Sprintf("DBCluster %s not found.", id)}
}

// clusterRegion returns the clusters of account and region. The caller
// holds s.mu.
func (s *rdsService) clusterRegion(account, region string) map[string]*dbCluster {
	k := ec2Key{account, region}
	if s.clusters[k] == nil {
		s.clusters[k] = map[string]*dbCluster{}
	}
	return s.clusters[k]
}

// cluster finds a cluster by identifier or ARN. The caller holds s.mu.
func (s *rdsService) cluster(c *call, ref string) (*dbCluster, *APIError) {
	id := strings.ToLower(ref)
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.Split(ref, ":")
		if len(parts) != 7 || parts[2] != "rds" || parts[5] != "cluster" {
			return nil, errorf("InvalidParameterValue", "The parameter DBClusterIdentifier is not a valid identifier: %s", ref)
		}
		if parts[3] != c.region || parts[4] != c.account() {
			return nil, dbClusterNotFound(ref)
		}
		id = parts[6]
	}
	k, ok := s.clusterRegion(c.account(), c.region)[id]
	if !ok {
		return nil, dbClusterNotFound(id)
	}
	return k, nil
}

func (s *rdsService) createDBCluster(c *call, p ec2Params) *APIError {
	id := strings.ToLower(p.get("DBClusterIdentifier"))
	engine, user := p.get("Engine"), p.get("MasterUsername")
	protected, err := rdsBool(p, "DeletionProtection")
	copyTags, cerr := rdsBool(p, "CopyTagsToSnapshot")
	params := map[string]any{"dBClusterIdentifier": id, "engine": engine}
	if user != "" {
		params["masterUsername"] = user
	}
	if protected != nil {
		params["deletionProtection"] = *protected
	}
	if copyTags != nil {
		params["copyTagsToSnapshot"] = *copyTags
	}
	tags, terr := rdsTags(p)
	if len(tags) > 0 {
		params["tags"] = rdsTagsTrail(tags)
	}
	c.Record(params)
	switch {
	case err != nil:
		return err
	case cerr != nil:
		return cerr
	case terr != nil:
		return terr
	case id == "":
		return errorf("MissingParameter", "The request must contain the parameter DBClusterIdentifier")
	case engine == "":
		return errorf("MissingParameter", "The request must contain the parameter Engine")
	case !rdsIdentifierPattern.MatchString(id):
		return errorf("InvalidParameterValue", "The parameter DBClusterIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.")
	case rdsClusterEngines[engine] == 0:
		return errorf("InvalidParameterValue", "Invalid DB engine: %s", engine)
	}
	s.mu.Lock()
	m := s.clusterRegion(c.account(), c.region)
	if _, dup := m[id]; dup {
		s.mu.Unlock()
		return errorf("DBClusterAlreadyExistsFault", "DB Cluster already exists")
	}
	k := &dbCluster{
		identifier: id, engine: engine, masterUsername: user, account: c.account(), region: c.region,
		// RDS's defaults: both off.
		deletionProtection: protected != nil && *protected, copyTagsToSnapshot: copyTags != nil && *copyTags,
		resourceID: "cluster-" + strings.ToUpper(newID("", 26)),
	}
	k.tags = setRDSTags(k.tags, tags)
	m[id] = k
	x, trail := k.xml("available"), k.trail("creating")
	s.mu.Unlock()

	c.RecordResponse(trail)
	c.RecordResources(k.arn())
	rdsRespond(c, struct{ DBCluster xmlDBCluster }{x})
	return nil
}

func (s *rdsService) describeDBClusters(c *call, p ec2Params) *APIError {
	if len(p.indices("Filters.Filter")) > 0 {
		return errorf("InvalidParameterValue", "fakecloud does not emulate DescribeDBClusters Filters; name the cluster with DBClusterIdentifier")
	}
	max, after, aerr := rdsPage(p)
	if aerr != nil {
		return aerr
	}
	s.mu.Lock()
	var list []*dbCluster
	if ref := p.get("DBClusterIdentifier"); ref != "" {
		k, err := s.cluster(c, ref)
		if err != nil {
			s.mu.Unlock()
			return err
		}
		list = []*dbCluster{k}
	} else {
		for _, k := range s.clusterRegion(c.account(), c.region) {
			list = append(list, k)
		}
	}
	slices.SortFunc(list, func(a, b *dbCluster) int { return strings.Compare(a.identifier, b.identifier) })
	var page []xmlDBCluster
	marker := ""
	for _, k := range list {
		if k.identifier <= after {
			continue
		}
		if len(page) == max {
			marker = rdsMarkerPrefix + page[len(page)-1].DBClusterIdentifier
			break
		}
		page = append(page, k.xml("available"))
	}
	s.mu.Unlock()
	rdsRespond(c, struct {
		DBClusters []xmlDBCluster `xml:"DBClusters>DBCluster"`
		Marker     string         `xml:"Marker,omitempty"`
	}{page, marker})
	return nil
}

func (s *rdsService) modifyDBCluster(c *call, p ec2Params) *APIError {
	id := p.get("DBClusterIdentifier")
	params := map[string]any{"dBClusterIdentifier": id}
	flags := map[string]*bool{}
	for _, name := range []string{"DeletionProtection", "CopyTagsToSnapshot", "ApplyImmediately"} {
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
		return errorf("MissingParameter", "The request must contain the parameter DBClusterIdentifier")
	}
	for k := range p {
		switch k {
		case "Action", "Version", "DBClusterIdentifier", "DeletionProtection", "CopyTagsToSnapshot", "ApplyImmediately":
		default:
			return errorf("InvalidParameterValue", "fakecloud emulates only DeletionProtection and CopyTagsToSnapshot in ModifyDBCluster, not %s", k)
		}
	}
	s.mu.Lock()
	k, aerr := s.cluster(c, id)
	if aerr != nil {
		s.mu.Unlock()
		return aerr
	}
	// Both apply at once whatever ApplyImmediately says.
	if v := flags["DeletionProtection"]; v != nil {
		k.deletionProtection = *v
	}
	if v := flags["CopyTagsToSnapshot"]; v != nil {
		k.copyTagsToSnapshot = *v
	}
	x, trail := k.xml("available"), k.trail("available")
	s.mu.Unlock()
	c.RecordResponse(trail)
	c.RecordResources(k.arn())
	rdsRespond(c, struct{ DBCluster xmlDBCluster }{x})
	return nil
}

func (s *rdsService) deleteDBCluster(c *call, p ec2Params) *APIError {
	id := p.get("DBClusterIdentifier")
	skip, err := rdsBool(p, "SkipFinalSnapshot")
	final := p.get("FinalDBSnapshotIdentifier")
	params := map[string]any{"dBClusterIdentifier": id}
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
		return errorf("MissingParameter", "The request must contain the parameter DBClusterIdentifier")
	case (skip == nil || !*skip) && final == "":
		return errorf("InvalidParameterCombination", "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
	}
	s.mu.Lock()
	k, aerr := s.cluster(c, id)
	if aerr == nil && k.deletionProtection {
		aerr = errorf("InvalidParameterCombination", "Cannot delete protected Cluster, please disable deletion protection and try again.")
	}
	if aerr == nil {
		delete(s.clusterRegion(c.account(), c.region), k.identifier)
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	c.RecordResponse(k.trail("deleting"))
	c.RecordResources(k.arn())
	rdsRespond(c, struct{ DBCluster xmlDBCluster }{k.xml("deleting")})
	return nil
}

// xmlDBCluster is the DBCluster shape, with the fields the fake models.
type xmlDBCluster struct {
	DBClusterIdentifier string
	Engine              string
	Status              string
	MasterUsername      string `xml:",omitempty"`
	Endpoint            string `xml:",omitempty"`
	Port                int
	DeletionProtection  bool
	CopyTagsToSnapshot  bool
	DbClusterResourceId string
	DBClusterArn        string
	TagList             []xmlRDSTag `xml:"TagList>Tag"`
}

func (k *dbCluster) xml(status string) xmlDBCluster {
	x := xmlDBCluster{
		DBClusterIdentifier: k.identifier, Engine: k.engine, Status: status, MasterUsername: k.masterUsername,
		Port: rdsClusterEngines[k.engine], DeletionProtection: k.deletionProtection, DbClusterResourceId: k.resourceID,
		CopyTagsToSnapshot: k.copyTagsToSnapshot, DBClusterArn: k.arn(), TagList: tagsXML(k.tags),
	}
	if status == "available" {
		x.Endpoint = fmt.Sprintf("%s.cluster-%s.%s.rds.amazonaws.com", k.identifier, k.resourceID[len("cluster-"):len("cluster-")+12], k.region)
	}
	return x
}

// trail is the cluster as CloudTrail's responseElements writes it.
func (k *dbCluster) trail(status string) map[string]any {
	return map[string]any{
		"dBClusterIdentifier": k.identifier, "engine": k.engine, "status": status,
		"deletionProtection": k.deletionProtection, "copyTagsToSnapshot": k.copyTagsToSnapshot, "dbClusterResourceId": k.resourceID,
		"dBClusterArn": k.arn(), "tagList": rdsTagsTrail(k.tags),
	}
}

// DBClusterSeed is an RDS DB cluster.
type DBClusterSeed struct {
	Region             string            `yaml:"region"`
	Identifier         string            `yaml:"identifier"`
	Engine             string            `yaml:"engine"`
	DeletionProtection bool              `yaml:"deletion_protection"`
	Tags               map[string]string `yaml:"tags"`
	// CopyTagsToSnapshot is on when nil: the RDS console ticks it by
	// default (CreateDBCluster's default, off, is the API's).
	CopyTagsToSnapshot *bool `yaml:"copy_tags_to_snapshot"`
}

// SeedDBCluster creates a cluster without a CloudTrail event.
func (c *Cloud) SeedDBCluster(account string, in DBClusterSeed) error {
	region := in.Region
	if region == "" {
		region = DefaultRegion
	}
	id := strings.ToLower(in.Identifier)
	switch {
	case !rdsIdentifierPattern.MatchString(id):
		return fmt.Errorf("seed db cluster %q: not a valid identifier", in.Identifier)
	case rdsClusterEngines[in.Engine] == 0:
		return fmt.Errorf("seed db cluster %s: unknown engine %q", id, in.Engine)
	}
	s := c.rds
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.clusterRegion(account, region)
	if _, dup := m[id]; dup {
		return fmt.Errorf("seed db cluster %s: already exists", id)
	}
	k := &dbCluster{identifier: id, engine: in.Engine, account: account, region: region, deletionProtection: in.DeletionProtection,
		copyTagsToSnapshot: in.CopyTagsToSnapshot == nil || *in.CopyTagsToSnapshot,
		resourceID:         "cluster-" + strings.ToUpper(newID("", 26))}
	k.tags = seedRDSTags(in.Tags)
	m[id] = k
	return nil
}

// seedRDSTags is a seed's tag map in key order.
func seedRDSTags(m map[string]string) []rdsTag {
	var out []rdsTag
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, rdsTag{k, m[k]})
	}
	return out
}

package fakecloud

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// ECR speaks the JSON 1.1 protocol: POST / with X-Amz-Target
// AmazonEC2ContainerRegistry_V20150921.<Operation>, JSON in and out, errors
// as {"__type", "message"}; timestamps are epoch seconds.
const (
	ecrContentType  = "application/x-amz-json-1.1"
	ecrTargetPrefix = "AmazonEC2ContainerRegistry_V20150921."
	// ecrMaxResults is DescribeRepositories' page limit, and its page size
	// when the caller gives none.
	ecrMaxResults = 1000
)

// ecrNamePattern is ECR's rule for a repository name.
var ecrNamePattern = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

// ecrService emulates the slice of ECR rectify reads and remediates:
// private repositories with their scan-on-push setting, tag mutability and
// tags, per account (registry) and region. It stores no images and runs no
// scans; registry-level scanning configuration is not modeled.
type ecrService struct {
	cloud *Cloud

	mu    sync.Mutex
	repos map[ec2Key]map[string]*ecrRepository // by account and region, then name
}

type ecrRepository struct {
	account, region, name string
	created               time.Time
	scanOnPush            bool
	tagMutability         string
	tags                  map[string]string
}

func (r *ecrRepository) arn() string {
	return fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", r.region, r.account, r.name)
}

// json is the Repository shape.
func (r *ecrRepository) json() map[string]any {
	return map[string]any{
		"repositoryArn":              r.arn(),
		"registryId":                 r.account,
		"repositoryName":             r.name,
		"repositoryUri":              fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", r.account, r.region, r.name),
		"createdAt":                  float64(r.created.UnixMilli()) / 1000,
		"imageTagMutability":         r.tagMutability,
		"imageScanningConfiguration": map[string]bool{"scanOnPush": r.scanOnPush},
		"encryptionConfiguration":    map[string]string{"encryptionType": "AES256"},
	}
}

// trail is the Repository shape as CloudTrail writes it: dates as text.
func (r *ecrRepository) trail() map[string]any {
	j := r.json()
	j["createdAt"] = r.created.UTC().Format(kmsTrailTime)
	return j
}

func newECRService(c *Cloud) *ecrService {
	return &ecrService{cloud: c, repos: map[ec2Key]map[string]*ecrRepository{}}
}

func (s *ecrService) eventSource() string { return "ecr.amazonaws.com" }

func (s *ecrService) actions() []string { return slices.Sorted(maps.Keys(ecrHandlers)) }

var ecrHandlers = map[string]func(*ecrService, *call) *APIError{
	"CreateRepository":              (*ecrService).createRepository,
	"DescribeRepositories":          (*ecrService).describeRepositories,
	"DeleteRepository":              (*ecrService).deleteRepository,
	"PutImageScanningConfiguration": (*ecrService).putImageScanningConfiguration,
	"TagResource":                   (*ecrService).tagResource,
	"UntagResource":                 (*ecrService).untagResource,
	"ListTagsForResource":           (*ecrService).listTagsForResource,
}

func (s *ecrService) route(r *http.Request, _ []byte) (string, *APIError) {
	op, err := jsonTarget(r, ecrTargetPrefix, "ECR")
	if err != nil {
		return "", err
	}
	if _, ok := ecrHandlers[op]; !ok {
		return op, errorf("UnknownOperationException", "fakecloud does not emulate ECR %s", op)
	}
	return op, nil
}

func (s *ecrService) handle(c *call) *APIError { return ecrHandlers[c.action](s, c) }

func (s *ecrService) writeError(c *call, err *APIError) {
	writeJSONError(c, ecrContentType, err)
}

func (s *ecrService) authError(key string) *APIError { return jsonAuthError(s.cloud, key) }

func (s *ecrService) deniedError(c *call) *APIError {
	return errorf("AccessDeniedException", "User: %s is not authorized to perform: ecr:%s on resource: * because no identity-based policy allows the ecr:%s action",
		c.principal.ARN, c.action, c.action)
}

func (s *ecrService) reply(c *call, v any) { c.writeJSON(http.StatusOK, ecrContentType, v) }

type ecrTag struct {
	Key   string
	Value string
}

func ecrNotFound(name, account string) *APIError {
	return errorf("RepositoryNotFoundException", "The repository with name '%s' does not exist in the registry with id '%s'", name, account)
}

// registry checks the registry a call names: only the caller's own.
func ecrRegistry(c *call, registryID string) *APIError {
	if registryID != "" && registryID != c.account() {
		return errorf("AccessDeniedException", "User: %s is not authorized to access registry %s; fakecloud has no registry policies", c.principal.ARN, registryID)
	}
	return nil
}

func ecrCheckTags(tags []ecrTag) (map[string]string, *APIError) {
	out := map[string]string{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 || strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, errorf("InvalidTagParameterException", "The tag key %q or its value is invalid", t.Key)
		}
		out[t.Key] = t.Value
	}
	return out, nil
}

func (s *ecrService) region(account, region string) map[string]*ecrRepository {
	k := ec2Key{account, region}
	if s.repos[k] == nil {
		s.repos[k] = map[string]*ecrRepository{}
	}
	return s.repos[k]
}

func (s *ecrService) create(account, region, name string, scanOnPush bool, mutability string, tags map[string]string) (*ecrRepository, *APIError) {
	if len(name) < 2 || len(name) > 256 || !ecrNamePattern.MatchString(name) {
		return nil, errorf("InvalidParameterException", "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''")
	}
	switch mutability {
	case "":
		mutability = "MUTABLE"
	case "MUTABLE", "IMMUTABLE":
	default:
		return nil, errorf("InvalidParameterException", "Invalid parameter at 'imageTagMutability': fakecloud models MUTABLE and IMMUTABLE")
	}
	if len(tags) > 50 {
		return nil, errorf("TooManyTagsException", "A repository can have at most 50 tags")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repos := s.region(account, region)
	if _, ok := repos[name]; ok {
		return nil, errorf("RepositoryAlreadyExistsException", "The repository with name '%s' already exists in the registry with id '%s'", name, account)
	}
	r := &ecrRepository{account: account, region: region, name: name, created: s.cloud.now(), scanOnPush: scanOnPush, tagMutability: mutability, tags: maps.Clone(tags)}
	if r.tags == nil {
		r.tags = map[string]string{}
	}
	repos[name] = r
	return r, nil
}

func (s *ecrService) createRepository(c *call) *APIError {
	var in struct {
		RegistryID                 string `json:"registryId"`
		RepositoryName             string `json:"repositoryName"`
		ImageTagMutability         string `json:"imageTagMutability"`
		ImageScanningConfiguration *struct {
			ScanOnPush bool `json:"scanOnPush"`
		} `json:"imageScanningConfiguration"`
		Tags []ecrTag `json:"tags"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	params := map[string]any{"repositoryName": in.RepositoryName}
	if in.ImageScanningConfiguration != nil {
		params["imageScanningConfiguration"] = map[string]bool{"scanOnPush": in.ImageScanningConfiguration.ScanOnPush}
	}
	if in.ImageTagMutability != "" {
		params["imageTagMutability"] = in.ImageTagMutability
	}
	if len(in.Tags) > 0 {
		params["tags"] = in.Tags
	}
	c.Record(params)
	if err := ecrRegistry(c, in.RegistryID); err != nil {
		return err
	}
	tags, err := ecrCheckTags(in.Tags)
	if err != nil {
		return err
	}
	scan := in.ImageScanningConfiguration != nil && in.ImageScanningConfiguration.ScanOnPush
	r, err := s.create(c.account(), c.region, in.RepositoryName, scan, in.ImageTagMutability, tags)
	if err != nil {
		return err
	}
	c.RecordResponse(map[string]any{"repository": r.trail()})
	c.RecordResources(r.arn())
	s.reply(c, map[string]any{"repository": r.json()})
	return nil
}

// describeRepositories lists the named repositories (all must exist), or
// pages through every one in name order; the token is the last name of the
// page before.
func (s *ecrService) describeRepositories(c *call) *APIError {
	var in struct {
		RegistryID      string   `json:"registryId"`
		RepositoryNames []string `json:"repositoryNames"`
		NextToken       string   `json:"nextToken"`
		MaxResults      *int     `json:"maxResults"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	if err := ecrRegistry(c, in.RegistryID); err != nil {
		return err
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > ecrMaxResults) {
		return errorf("InvalidParameterException", "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and 1000'")
	}
	if len(in.RepositoryNames) > 0 && (in.MaxResults != nil || in.NextToken != "") {
		return errorf("InvalidParameterException", "Cannot specify maxResults or nextToken when repositoryNames is given")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repos := s.repos[ec2Key{c.account(), c.region}]
	out := map[string]any{}
	list := []map[string]any{}
	if len(in.RepositoryNames) > 0 {
		for _, n := range in.RepositoryNames {
			r, ok := repos[n]
			if !ok {
				return ecrNotFound(n, c.account())
			}
			list = append(list, r.json())
		}
		out["repositories"] = list
		s.reply(c, out)
		return nil
	}
	names := slices.Sorted(maps.Keys(repos))
	start := 0
	if in.NextToken != "" {
		i, found := slices.BinarySearch(names, in.NextToken)
		if found {
			i++
		}
		start = i
	}
	size := ecrMaxResults
	if in.MaxResults != nil {
		size = *in.MaxResults
	}
	end := min(start+size, len(names))
	for _, n := range names[start:end] {
		list = append(list, repos[n].json())
	}
	out["repositories"] = list
	if end < len(names) {
		out["nextToken"] = names[end-1]
	}
	s.reply(c, out)
	return nil
}

func (s *ecrService) deleteRepository(c *call) *APIError {
	var in struct {
		RegistryID     string `json:"registryId"`
		RepositoryName string `json:"repositoryName"`
		Force          bool   `json:"force"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"repositoryName": in.RepositoryName, "force": in.Force})
	if err := ecrRegistry(c, in.RegistryID); err != nil {
		return err
	}
	s.mu.Lock()
	repos := s.repos[ec2Key{c.account(), c.region}]
	r, ok := repos[in.RepositoryName]
	if ok {
		delete(repos, in.RepositoryName)
	}
	s.mu.Unlock()
	if !ok {
		return ecrNotFound(in.RepositoryName, c.account())
	}
	c.RecordResponse(map[string]any{"repository": r.trail()})
	c.RecordResources(r.arn())
	s.reply(c, map[string]any{"repository": r.json()})
	return nil
}

func (s *ecrService) putImageScanningConfiguration(c *call) *APIError {
	var in struct {
		RegistryID                 string `json:"registryId"`
		RepositoryName             string `json:"repositoryName"`
		ImageScanningConfiguration *struct {
			ScanOnPush bool `json:"scanOnPush"`
		} `json:"imageScanningConfiguration"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	params := map[string]any{"repositoryName": in.RepositoryName}
	if in.RegistryID != "" {
		params["registryId"] = in.RegistryID
	}
	if in.ImageScanningConfiguration != nil {
		params["imageScanningConfiguration"] = map[string]bool{"scanOnPush": in.ImageScanningConfiguration.ScanOnPush}
	}
	c.Record(params)
	if in.ImageScanningConfiguration == nil {
		return errorf("InvalidParameterException", "imageScanningConfiguration is required")
	}
	if err := ecrRegistry(c, in.RegistryID); err != nil {
		return err
	}
	s.mu.Lock()
	r, ok := s.repos[ec2Key{c.account(), c.region}][in.RepositoryName]
	if ok {
		r.scanOnPush = in.ImageScanningConfiguration.ScanOnPush
	}
	s.mu.Unlock()
	if !ok {
		return ecrNotFound(in.RepositoryName, c.account())
	}
	resp := map[string]any{"registryId": r.account, "repositoryName": r.name, "imageScanningConfiguration": map[string]bool{"scanOnPush": in.ImageScanningConfiguration.ScanOnPush}}
	c.RecordResponse(resp)
	c.RecordResources(r.arn())
	s.reply(c, resp)
	return nil
}

// byARN finds the repository an ARN names in the caller's account and the
// call's region. Callers hold s.mu.
func (s *ecrService) byARN(c *call, arn string) (*ecrRepository, *APIError) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:ecr:"+c.region+":"+c.account()+":repository/")
	if !ok {
		return nil, errorf("InvalidParameterException", "Invalid parameter at 'resourceArn': %q is not a repository of this registry and region", arn)
	}
	r, ok := s.repos[ec2Key{c.account(), c.region}][rest]
	if !ok {
		return nil, ecrNotFound(rest, c.account())
	}
	return r, nil
}

func (s *ecrService) tagResource(c *call) *APIError {
	var in struct {
		ResourceArn string   `json:"resourceArn"`
		Tags        []ecrTag `json:"tags"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"resourceArn": in.ResourceArn, "tags": in.Tags})
	tags, err := ecrCheckTags(in.Tags)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.byARN(c, in.ResourceArn)
	if err != nil {
		return err
	}
	merged := maps.Clone(r.tags)
	maps.Copy(merged, tags)
	if len(merged) > 50 {
		return errorf("TooManyTagsException", "A repository can have at most 50 tags")
	}
	r.tags = merged
	c.RecordResources(r.arn())
	s.reply(c, map[string]any{})
	return nil
}

func (s *ecrService) untagResource(c *call) *APIError {
	var in struct {
		ResourceArn string   `json:"resourceArn"`
		TagKeys     []string `json:"tagKeys"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"resourceArn": in.ResourceArn, "tagKeys": in.TagKeys})
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.byARN(c, in.ResourceArn)
	if err != nil {
		return err
	}
	for _, k := range in.TagKeys {
		delete(r.tags, k)
	}
	c.RecordResources(r.arn())
	s.reply(c, map[string]any{})
	return nil
}

func (s *ecrService) listTagsForResource(c *call) *APIError {
	var in struct {
		ResourceArn string `json:"resourceArn"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.byARN(c, in.ResourceArn)
	if err != nil {
		return err
	}
	tags := []ecrTag{}
	for _, k := range slices.Sorted(maps.Keys(r.tags)) {
		tags = append(tags, ecrTag{k, r.tags[k]})
	}
	s.reply(c, map[string]any{"tags": tags})
	return nil
}

// RepositorySeed is a private ECR repository.
type RepositorySeed struct {
	Region     string            `yaml:"region"`
	Name       string            `yaml:"name"`
	ScanOnPush bool              `yaml:"scan_on_push"`
	Tags       map[string]string `yaml:"tags"`
}

// SeedRepository creates a repository without a CloudTrail event.
func (c *Cloud) SeedRepository(account string, seed RepositorySeed) error {
	if seed.Region == "" {
		seed.Region = DefaultRegion
	}
	if _, err := c.ecr.create(account, seed.Region, seed.Name, seed.ScanOnPush, "", seed.Tags); err != nil {
		return fmt.Errorf("repository %s: %w", seed.Name, err)
	}
	return nil
}

// RepositoryScanOnPush reports a repository's scanOnPush, for tests; the
// second result is false when the repository does not exist.
func (c *Cloud) RepositoryScanOnPush(account, region, name string) (on, ok bool) {
	s := c.ecr
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[ec2Key{account, region}][name]
	if !ok {
		return false, false
	}
	return r.scanOnPush, true
}

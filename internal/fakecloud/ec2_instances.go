package fakecloud

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Instances: enough for FSBP EC2.8 (an instance whose metadata service
// answers IMDSv1). An instance is made by a seed (fakecloud has no
// RunInstances: nothing boots), always running, in one reservation of its
// own; ModifyInstanceMetadataOptions changes its metadata options, which
// DescribeInstances then reports as applied at once (AWS reports
// "pending" for a moment).

const instanceIDPrefix = "i-"

// instance is one EC2 instance and its metadata options.
type instance struct {
	id, reservationID, imageID, instanceType, subnetID, vpcID, owner string
	launched                                                         time.Time
	httpTokens, httpEndpoint, httpProtocolIPv6, metadataTags         string
	hopLimit                                                         int32
	tags                                                             ec2Tags
}

// InstanceSeed is an instance as a seed makes it. HTTPTokens defaults to
// "required" (IMDSv2 only, as new instances of current AMIs launch), the
// rest to AWS's defaults.
type InstanceSeed struct {
	Region       string            `yaml:"region"`
	ID           string            `yaml:"id"`
	ImageID      string            `yaml:"image_id"`
	InstanceType string            `yaml:"instance_type"`
	SubnetID     string            `yaml:"subnet_id"`
	HTTPTokens   string            `yaml:"http_tokens"` // "required" or "optional"
	Tags         map[string]string `yaml:"tags"`
}

// SeedInstance adds a running instance without a CloudTrail event.
func (c *Cloud) SeedInstance(account string, in InstanceSeed) error {
	region, tokens, image, typ := in.Region, in.HTTPTokens, in.ImageID, in.InstanceType
	if region == "" {
		region = DefaultRegion
	}
	if tokens == "" {
		tokens = "required"
	}
	if image == "" {
		image = "ami-0fakecloud0000000"
	}
	if typ == "" {
		typ = "t3.micro"
	}
	switch {
	case !strings.HasPrefix(in.ID, instanceIDPrefix) || len(in.ID) == len(instanceIDPrefix):
		return fmt.Errorf("seed instance %q: want an i- id", in.ID)
	case tokens != "required" && tokens != "optional":
		return fmt.Errorf("seed instance %s: HTTPTokens %q, want required or optional", in.ID, tokens)
	}
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(account, region)
	if st.instances == nil {
		st.instances = map[string]*instance{}
	}
	if st.instances[in.ID] != nil {
		return fmt.Errorf("seed instance %s: already exists", in.ID)
	}
	vpc := DefaultVPCID
	if sn, ok := st.subnets[in.SubnetID]; ok {
		vpc = sn.vpcID
	} else if in.SubnetID != "" {
		return fmt.Errorf("seed instance %s: subnet %s does not exist (seed it first)", in.ID, in.SubnetID)
	}
	st.instances[in.ID] = &instance{
		id: in.ID, reservationID: newID("r-", 17), imageID: image, instanceType: typ, subnetID: in.SubnetID, vpcID: vpc,
		owner: account, launched: c.now().UTC(), httpTokens: tokens, httpEndpoint: "enabled", httpProtocolIPv6: "disabled",
		metadataTags: "disabled", hopLimit: 2, tags: ec2Tags(in.Tags).clone(),
	}
	return nil
}

// InstanceHTTPTokens reads an instance's HttpTokens, for tests; ok is
// false when the instance does not exist.
func (c *Cloud) InstanceHTTPTokens(account, region, id string) (tokens string, ok bool) {
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.state(account, region).instances[id]
	if !ok {
		return "", false
	}
	return in.httpTokens, true
}

// instance finds an instance by id. The caller holds s.mu.
func (st *ec2State) instance(id string) (*instance, *APIError) {
	if !strings.HasPrefix(id, instanceIDPrefix) || len(id) == len(instanceIDPrefix) {
		return nil, errorf("InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
	}
	in, ok := st.instances[id]
	if !ok {
		return nil, errorf("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
	}
	return in, nil
}

type xmlInstanceState struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type xmlMetadataOptions struct {
	State                   string `xml:"state"`
	HTTPTokens              string `xml:"httpTokens"`
	HTTPPutResponseHopLimit int32  `xml:"httpPutResponseHopLimit"`
	HTTPEndpoint            string `xml:"httpEndpoint"`
	HTTPProtocolIPv6        string `xml:"httpProtocolIpv6"`
	InstanceMetadataTags    string `xml:"instanceMetadataTags"`
}

type xmlInstance struct {
	InstanceID      string                `xml:"instanceId"`
	ImageID         string                `xml:"imageId"`
	InstanceState   xmlInstanceState      `xml:"instanceState"`
	InstanceType    string                `xml:"instanceType"`
	LaunchTime      string                `xml:"launchTime"`
	SubnetID        string                `xml:"subnetId,omitempty"`
	VpcID           string                `xml:"vpcId"`
	MetadataOptions xmlMetadataOptions    `xml:"metadataOptions"`
	Tags            ec2XMLList[ec2XMLTag] `xml:"tagSet"`
}

type xmlReservation struct {
	ReservationID string                  `xml:"reservationId"`
	OwnerID       string                  `xml:"ownerId"`
	Groups        ec2XMLList[struct{}]    `xml:"groupSet"`
	Instances     ec2XMLList[xmlInstance] `xml:"instancesSet"`
}

type xmlDescribeInstancesResponse struct {
	RequestID    string                     `xml:"requestId"`
	Reservations ec2XMLList[xmlReservation] `xml:"reservationSet"`
	NextToken    string                     `xml:"nextToken,omitempty"`
}

func (in *instance) options(state string) xmlMetadataOptions {
	return xmlMetadataOptions{
		State: state, HTTPTokens: in.httpTokens, HTTPPutResponseHopLimit: in.hopLimit, HTTPEndpoint: in.httpEndpoint,
		HTTPProtocolIPv6: in.httpProtocolIPv6, InstanceMetadataTags: in.metadataTags,
	}
}

func (in *instance) xml() xmlReservation {
	return xmlReservation{
		ReservationID: in.reservationID, OwnerID: in.owner,
		Instances: ec2XMLList[xmlInstance]{Items: []xmlInstance{{
			InstanceID: in.id, ImageID: in.imageID, InstanceState: xmlInstanceState{Code: 16, Name: "running"},
			InstanceType: in.instanceType, LaunchTime: in.launched.Format(time.RFC3339), SubnetID: in.subnetID,
			VpcID: in.vpcID, MetadataOptions: in.options("applied"), Tags: *in.tags.xml(),
		}}},
	}
}

func (s *ec2Service) describeInstances(c *call, p ec2Params) *APIError {
	filters, err := p.filters("instance-id", "instance-state-name", "subnet-id", "vpc-id", "metadata-options.http-tokens", "tag:*", "tag-key")
	if err != nil {
		return err
	}
	max, after, err := p.pagination()
	if err != nil {
		return err
	}
	ids := p.strings("InstanceId")
	if len(ids) > 0 && max > 0 {
		return errorf("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	if err := ec2DryRun(p); err != nil {
		return err
	}
	s.mu.Lock()
	st := s.state(c.account(), c.region)
	var list []*instance
	if len(ids) > 0 {
		for _, id := range ids {
			in, err := st.instance(id)
			if err != nil {
				s.mu.Unlock()
				return err
			}
			list = append(list, in)
		}
	} else {
		for _, in := range st.instances {
			list = append(list, in)
		}
	}
	list = slices.DeleteFunc(list, func(in *instance) bool { return !in.matches(filters) })
	slices.SortFunc(list, func(a, b *instance) int { return strings.Compare(a.id, b.id) })
	page, next := ec2Paginate(list, func(in *instance) string { return in.id }, max, after)
	items := make([]xmlReservation, 0, len(page))
	for _, in := range page {
		items = append(items, in.xml())
	}
	s.mu.Unlock()
	ec2Respond(c, xmlDescribeInstancesResponse{RequestID: c.requestID, Reservations: ec2XMLList[xmlReservation]{Items: items}, NextToken: next})
	return nil
}

func (in *instance) matches(filters []ec2Filter) bool {
	for _, f := range filters {
		if m, ok := f.matchesTags(in.tags); ok {
			if !m {
				return false
			}
			continue
		}
		v := map[string]string{
			"instance-id": in.id, "instance-state-name": "running", "subnet-id": in.subnetID, "vpc-id": in.vpcID,
			"metadata-options.http-tokens": in.httpTokens,
		}[f.name]
		if !f.matches(v) {
			return false
		}
	}
	return true
}

// metadataOptionValues are the values each string option takes.
var metadataOptionValues = map[string][]string{
	"HttpTokens":           {"optional", "required"},
	"HttpEndpoint":         {"disabled", "enabled"},
	"HttpProtocolIpv6":     {"disabled", "enabled"},
	"InstanceMetadataTags": {"disabled", "enabled"},
}

// modifyInstanceMetadataOptions changes what the request names and keeps
// the rest. CloudTrail writes this newer call in the wrapped form: the
// request's own field names under ModifyInstanceMetadataOptionsRequest,
// and the XML response under ModifyInstanceMetadataOptionsResponse.
func (s *ec2Service) modifyInstanceMetadataOptions(c *call, p ec2Params) *APIError {
	id := p.get("InstanceId")
	req := map[string]any{"InstanceId": id}
	for k := range metadataOptionValues {
		if p.has(k) {
			req[k] = p.get(k)
		}
	}
	if p.has("HttpPutResponseHopLimit") {
		req["HttpPutResponseHopLimit"] = p.get("HttpPutResponseHopLimit")
	}
	c.Record(map[string]any{"ModifyInstanceMetadataOptionsRequest": req})
	if id == "" {
		return errorf("MissingParameter", "The request must contain the parameter InstanceId")
	}
	for k, allowed := range metadataOptionValues {
		if v := p.get(k); p.has(k) && !slices.Contains(allowed, v) {
			return errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Valid values: %s", v, k, strings.Join(allowed, ", "))
		}
	}
	hop, err := p.int32("HttpPutResponseHopLimit")
	if err != nil {
		return err
	}
	if hop != nil && (*hop < 1 || *hop > 64) {
		return errorf("InvalidParameterValue", "Value (%d) for parameter HttpPutResponseHopLimit is invalid. Valid values are 1 to 64.", *hop)
	}
	if err := ec2DryRun(p); err != nil {
		return err
	}
	s.mu.Lock()
	in, aerr := s.state(c.account(), c.region).instance(id)
	var opts xmlMetadataOptions
	if aerr == nil {
		for k, dst := range map[string]*string{"HttpTokens": &in.httpTokens, "HttpEndpoint": &in.httpEndpoint,
			"HttpProtocolIpv6": &in.httpProtocolIPv6, "InstanceMetadataTags": &in.metadataTags} {
			if p.has(k) {
				*dst = p.get(k)
			}
		}
		if hop != nil {
			in.hopLimit = *hop
		}
		opts = in.options("pending")
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	c.RecordResponse(map[string]any{"ModifyInstanceMetadataOptionsResponse": map[string]any{
		"xmlns": ec2Namespace, "requestId": c.requestID, "instanceId": id,
		"instanceMetadataOptions": map[string]any{
			"state": opts.State, "httpTokens": opts.HTTPTokens, "httpPutResponseHopLimit": opts.HTTPPutResponseHopLimit,
			"httpEndpoint": opts.HTTPEndpoint, "httpProtocolIpv6": opts.HTTPProtocolIPv6, "instanceMetadataTags": opts.InstanceMetadataTags,
		},
	}})
	ec2Respond(c, struct {
		RequestID  string             `xml:"requestId"`
		InstanceID string             `xml:"instanceId"`
		Options    xmlMetadataOptions `xml:"instanceMetadataOptions"`
	}{c.requestID, id, opts})
	return nil
}

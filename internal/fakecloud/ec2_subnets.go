package fakecloud

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Subnets: enough for FSBP EC2.15 (a subnet that gives every instance a
// public IPv4 address). A subnet is made by a seed (fakecloud has no
// CreateSubnet), in the default VPC or a seeded one; ModifySubnetAttribute
// changes MapPublicIpOnLaunch only. The default VPC of the fake has no
// default subnets (a real one has one per zone, each mapping public IPs):
// they would be violations in every account before any story starts.

const subnetIDPrefix = "subnet-"

// subnet is one VPC subnet.
type subnet struct {
	id, vpcID, cidr, zone, owner string
	mapPublicIP, defaultForAz    bool
	tags                         ec2Tags
}

// SubnetSeed is a subnet as a seed makes it. VPCID defaults to the default
// VPC (DefaultVPCID), Zone to the region's "a" zone.
type SubnetSeed struct {
	Region              string            `yaml:"region"`
	ID                  string            `yaml:"id"`
	VPCID               string            `yaml:"vpc_id"`
	CIDR                string            `yaml:"cidr"`
	Zone                string            `yaml:"zone"`
	MapPublicIPOnLaunch bool              `yaml:"map_public_ip_on_launch"`
	Tags                map[string]string `yaml:"tags"`
}

// SeedSubnet adds a subnet without a CloudTrail event. A VPC it names
// other than the default one is created with it.
func (c *Cloud) SeedSubnet(account string, in SubnetSeed) error {
	region, vpc, zone := in.Region, in.VPCID, in.Zone
	if region == "" {
		region = DefaultRegion
	}
	if vpc == "" {
		vpc = DefaultVPCID
	}
	if zone == "" {
		zone = region + "a"
	}
	if !strings.HasPrefix(in.ID, subnetIDPrefix) || len(in.ID) == len(subnetIDPrefix) {
		return fmt.Errorf("seed subnet %q: want a subnet- id", in.ID)
	}
	if _, err := netip.ParsePrefix(in.CIDR); err != nil {
		return fmt.Errorf("seed subnet %s: cidr %q: %w", in.ID, in.CIDR, err)
	}
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(account, region)
	if st.subnets == nil {
		st.subnets = map[string]*subnet{}
	}
	if st.subnets[in.ID] != nil {
		return fmt.Errorf("seed subnet %s: already exists", in.ID)
	}
	st.ensureVPC(vpc)
	st.subnets[in.ID] = &subnet{
		id: in.ID, vpcID: vpc, cidr: in.CIDR, zone: zone, owner: account,
		mapPublicIP: in.MapPublicIPOnLaunch, tags: ec2Tags(in.Tags).clone(),
	}
	return nil
}

// SubnetMapsPublicIP reads a subnet's MapPublicIpOnLaunch, for tests; ok
// is false when the subnet does not exist.
func (c *Cloud) SubnetMapsPublicIP(account, region, id string) (on, ok bool) {
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	sn, ok := s.state(account, region).subnets[id]
	if !ok {
		return false, false
	}
	return sn.mapPublicIP, true
}

func subnetNotFound(id string) *APIError {
	return errorf("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
}

// subnet finds a subnet by id. The caller holds s.mu.
func (st *ec2State) subnet(id string) (*subnet, *APIError) {
	if !strings.HasPrefix(id, subnetIDPrefix) || len(id) == len(subnetIDPrefix) {
		return nil, errorf("InvalidSubnetID.Malformed", "Invalid id: \"%s\" (expecting \"subnet-...\")", id)
	}
	sn, ok := st.subnets[id]
	if !ok {
		return nil, subnetNotFound(id)
	}
	return sn, nil
}

func subnetARN(region, account, id string) string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", region, account, id)
}

type xmlSubnet struct {
	SubnetID                    string                `xml:"subnetId"`
	SubnetARN                   string                `xml:"subnetArn"`
	State                       string                `xml:"state"`
	VpcID                       string                `xml:"vpcId"`
	OwnerID                     string                `xml:"ownerId"`
	CidrBlock                   string                `xml:"cidrBlock"`
	AvailableIPAddressCount     int                   `xml:"availableIpAddressCount"`
	AvailabilityZone            string                `xml:"availabilityZone"`
	DefaultForAz                bool                  `xml:"defaultForAz"`
	MapPublicIPOnLaunch         bool                  `xml:"mapPublicIpOnLaunch"`
	AssignIpv6AddressOnCreation bool                  `xml:"assignIpv6AddressOnCreation"`
	Tags                        ec2XMLList[ec2XMLTag] `xml:"tagSet"`
}

func (sn *subnet) xml(region string) xmlSubnet {
	// AWS reserves five addresses in every subnet.
	free := 0
	if p, err := netip.ParsePrefix(sn.cidr); err == nil && p.Addr().Is4() {
		free = 1<<(32-p.Bits()) - 5
	}
	return xmlSubnet{
		SubnetID: sn.id, SubnetARN: subnetARN(region, sn.owner, sn.id), State: "available", VpcID: sn.vpcID,
		OwnerID: sn.owner, CidrBlock: sn.cidr, AvailableIPAddressCount: max(free, 0), AvailabilityZone: sn.zone,
		DefaultForAz: sn.defaultForAz, MapPublicIPOnLaunch: sn.mapPublicIP, Tags: *sn.tags.xml(),
	}
}

type xmlDescribeSubnetsResponse struct {
	RequestID string                `xml:"requestId"`
	Subnets   ec2XMLList[xmlSubnet] `xml:"subnetSet"`
	NextToken string                `xml:"nextToken,omitempty"`
}

func (s *ec2Service) describeSubnets(c *call, p ec2Params) *APIError {
	filters, err := p.filters("subnet-id", "vpc-id", "default-for-az", "map-public-ip-on-launch", "tag:*", "tag-key")
	if err != nil {
		return err
	}
	max, after, err := p.pagination()
	if err != nil {
		return err
	}
	ids := p.strings("SubnetId")
	if err := ec2DryRun(p); err != nil {
		return err
	}
	s.mu.Lock()
	st := s.state(c.account(), c.region)
	var subnets []*subnet
	if len(ids) > 0 {
		for _, id := range ids {
			sn, err := st.subnet(id)
			if err != nil {
				s.mu.Unlock()
				return err
			}
			subnets = append(subnets, sn)
		}
	} else {
		for _, sn := range st.subnets {
			subnets = append(subnets, sn)
		}
	}
	subnets = slices.DeleteFunc(subnets, func(sn *subnet) bool { return !sn.matches(filters) })
	slices.SortFunc(subnets, func(a, b *subnet) int { return strings.Compare(a.id, b.id) })
	page, next := ec2Paginate(subnets, func(sn *subnet) string { return sn.id }, max, after)
	items := make([]xmlSubnet, 0, len(page))
	for _, sn := range page {
		items = append(items, sn.xml(c.region))
	}
	s.mu.Unlock()
	ec2Respond(c, xmlDescribeSubnetsResponse{RequestID: c.requestID, Subnets: ec2XMLList[xmlSubnet]{Items: items}, NextToken: next})
	return nil
}

func (sn *subnet) matches(filters []ec2Filter) bool {
	for _, f := range filters {
		if m, ok := f.matchesTags(sn.tags); ok {
			if !m {
				return false
			}
			continue
		}
		v := map[string]string{
			"subnet-id": sn.id, "vpc-id": sn.vpcID,
			"default-for-az": fmt.Sprint(sn.defaultForAz), "map-public-ip-on-launch": fmt.Sprint(sn.mapPublicIP),
		}[f.name]
		if !f.matches(v) {
			return false
		}
	}
	return true
}

// subnetAttributes are ModifySubnetAttribute's attributes, each a
// "<Name>.Value" boolean; the fake changes MapPublicIpOnLaunch only.
var subnetAttributes = []string{
	"MapPublicIpOnLaunch", "AssignIpv6AddressOnCreation", "MapCustomerOwnedIpOnLaunch", "EnableDns64",
	"EnableResourceNameDnsARecordOnLaunch", "EnableResourceNameDnsAAAARecordOnLaunch", "EnableLniAtDeviceIndex",
	"DisableLniAtDeviceIndex",
}

func (s *ec2Service) modifySubnetAttribute(c *call, p ec2Params) *APIError {
	id := p.get("SubnetId")
	params := map[string]any{"subnetId": id}
	var given []string
	for _, a := range subnetAttributes {
		if p.has(a + ".Value") {
			given = append(given, a)
			v := p.get(a + ".Value")
			// CloudTrail writes the attribute as requestParameters does
			// its XML: {"value": true}.
			params[strings.ToLower(a[:1])+a[1:]] = map[string]any{"value": v == "true"}
		}
	}
	c.Record(params)
	switch {
	case id == "":
		return errorf("MissingParameter", "The request must contain the parameter subnetId")
	case len(given) == 0:
		return errorf("MissingParameter", "The request must contain exactly one attribute to modify")
	case len(given) > 1:
		return errorf("InvalidParameterCombination", "Fields for multiple attribute types specified: %s", strings.Join(given, ", "))
	case given[0] != "MapPublicIpOnLaunch":
		return errorf("InvalidParameterValue", "fakecloud modifies MapPublicIpOnLaunch only, not %s", given[0])
	}
	v := p.get("MapPublicIpOnLaunch.Value")
	if v != "true" && v != "false" {
		return errorf("InvalidParameterValue", "Value (%s) for parameter MapPublicIpOnLaunch is invalid. Expected a boolean.", v)
	}
	if err := ec2DryRun(p); err != nil {
		return err
	}
	s.mu.Lock()
	sn, err := s.state(c.account(), c.region).subnet(id)
	if err == nil {
		sn.mapPublicIP = v == "true"
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	c.RecordResponse(map[string]any{"requestId": c.requestID, "_return": true})
	ec2Respond(c, ec2ReturnResponse{RequestID: c.requestID, Return: true})
	return nil
}

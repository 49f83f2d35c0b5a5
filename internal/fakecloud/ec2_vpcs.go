package fakecloud

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// VPCs and their flow logs: enough for FSBP EC2.6 (a VPC without flow
// logs). Every account and region has the default VPC (DefaultVPCID);
// CreateVpc makes more, and CreateFlowLogs, DescribeFlowLogs and
// DeleteFlowLogs manage flow logs on VPCs. Not modelled: flow logs on
// subnets, network interfaces or transit gateways; log delivery itself
// (a flow log is ACTIVE with delivery SUCCESS at once, and neither the S3
// bucket nor the log group is checked); DeleteVpc.

const (
	vpcIDPrefix     = "vpc-"
	flowLogIDPrefix = "fl-"
	// defaultVPCCIDR is the CIDR block AWS gives every default VPC.
	defaultVPCCIDR = "172.31.0.0/16"
)

// vpc is one VPC.
type vpc struct {
	id, cidr, owner string
	isDefault       bool
	tags            ec2Tags
}

// flowLog is one flow log on a VPC.
type flowLog struct {
	id, resourceID, trafficType, destinationType, destination, logGroup, roleARN, format string
	created                                                                              time.Time
	tags                                                                                 ec2Tags
}

func newDefaultVPC(account string) *vpc {
	return &vpc{id: DefaultVPCID, cidr: defaultVPCCIDR, owner: account, isDefault: true, tags: ec2Tags{}}
}

// ensureVPC makes a VPC a seed names, if it does not exist. The caller
// holds s.mu.
func (st *ec2State) ensureVPC(id string) {
	if st.vpcs[id] == nil {
		st.vpcs[id] = &vpc{id: id, cidr: "10.0.0.0/16", owner: st.account, tags: ec2Tags{}}
	}
}

func vpcNotFound(id string) *APIError {
	return errorf("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
}

// vpc finds a VPC by id. The caller holds s.mu.
func (st *ec2State) vpc(id string) (*vpc, *APIError) {
	if !strings.HasPrefix(id, vpcIDPrefix) || len(id) == len(vpcIDPrefix) {
		return nil, errorf("InvalidVpcID.Malformed", "Invalid id: \"%s\" (expecting \"vpc-...\")", id)
	}
	v, ok := st.vpcs[id]
	if !ok {
		return nil, vpcNotFound(id)
	}
	return v, nil
}

// FlowLogSeed is a flow log as a seed makes it, on a VPC (the default VPC
// unless VPCID names another, which is created with it). TrafficType
// defaults to ALL, Destination is an S3 ARN.
type FlowLogSeed struct {
	Region      string            `yaml:"region"`
	VPCID       string            `yaml:"vpc_id"`
	TrafficType string            `yaml:"traffic_type"`
	Destination string            `yaml:"destination"`
	Tags        map[string]string `yaml:"tags"`
}

// SeedFlowLog adds a flow log without a CloudTrail event and returns its id.
func (c *Cloud) SeedFlowLog(account string, in FlowLogSeed) (string, error) {
	region, vpcID, traffic := in.Region, in.VPCID, in.TrafficType
	if region == "" {
		region = DefaultRegion
	}
	if vpcID == "" {
		vpcID = DefaultVPCID
	}
	if traffic == "" {
		traffic = "ALL"
	}
	if !slices.Contains([]string{"ACCEPT", "REJECT", "ALL"}, traffic) {
		return "", fmt.Errorf("seed flow log on %s: traffic_type %q: want ACCEPT, REJECT or ALL", vpcID, traffic)
	}
	if !strings.HasPrefix(in.Destination, "arn:aws:s3:::") {
		return "", fmt.Errorf("seed flow log on %s: destination %q: want an S3 bucket ARN", vpcID, in.Destination)
	}
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(account, region)
	st.ensureVPC(vpcID)
	fl := &flowLog{
		id: newID(flowLogIDPrefix, 17), resourceID: vpcID, trafficType: traffic, destinationType: "s3",
		destination: in.Destination, format: defaultFlowLogFormat, created: time.Now().UTC(), tags: ec2Tags(in.Tags).clone(),
	}
	if st.flowLogs == nil {
		st.flowLogs = map[string]*flowLog{}
	}
	st.flowLogs[fl.id] = fl
	return fl.id, nil
}

// VPCFlowLogs lists the ids of a VPC's flow logs, sorted, for tests.
func (c *Cloud) VPCFlowLogs(account, region, vpcID string) []string {
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, fl := range s.state(account, region).flowLogs {
		if fl.resourceID == vpcID {
			ids = append(ids, fl.id)
		}
	}
	slices.Sort(ids)
	return ids
}

// FlowLogInfo is a flow log as tests read it.
type FlowLogInfo struct {
	ID, VPCID, TrafficType, DestinationType, Destination, Format string
	Tags                                                         map[string]string
}

// FlowLog reads one flow log, for tests; ok is false when it does not exist.
func (c *Cloud) FlowLog(account, region, id string) (FlowLogInfo, bool) {
	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	fl, ok := s.state(account, region).flowLogs[id]
	if !ok {
		return FlowLogInfo{}, false
	}
	return FlowLogInfo{ID: fl.id, VPCID: fl.resourceID, TrafficType: fl.trafficType, DestinationType: fl.destinationType,
		Destination: fl.destination, Format: fl.format, Tags: fl.tags.clone()}, true
}

// defaultFlowLogFormat is the record format AWS uses when none is given.
const defaultFlowLogFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} " +
	"${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

type xmlCIDRAssociation struct {
	AssociationID string `xml:"associationId"`
	CidrBlock     string `xml:"cidrBlock"`
	State         struct {
		State string `xml:"state"`
	} `xml:"cidrBlockState"`
}

type xmlVPC struct {
	VpcID           string                         `xml:"vpcId"`
	OwnerID         string                         `xml:"ownerId"`
	State           string                         `xml:"state"`
	CidrBlock       string                         `xml:"cidrBlock"`
	Associations    ec2XMLList[xmlCIDRAssociation] `xml:"cidrBlockAssociationSet"`
	DhcpOptionsID   string                         `xml:"dhcpOptionsId"`
	InstanceTenancy string                         `xml:"instanceTenancy"`
	IsDefault       bool                           `xml:"isDefault"`
	Tags            ec2XMLList[ec2XMLTag]          `xml:"tagSet"`
}

func (v *vpc) xml() xmlVPC {
	a := xmlCIDRAssociation{AssociationID: "vpc-cidr-assoc-" + strings.TrimPrefix(v.id, vpcIDPrefix), CidrBlock: v.cidr}
	a.State.State = "associated"
	return xmlVPC{
		VpcID: v.id, OwnerID: v.owner, State: "available", CidrBlock: v.cidr,
		Associations: ec2XMLList[xmlCIDRAssociation]{Items: []xmlCIDRAssociation{a}}, DhcpOptionsID: "dopt-0default0000000",
		InstanceTenancy: "default", IsDefault: v.isDefault, Tags: *v.tags.xml(),
	}
}

// trail is the VPC as CloudTrail's CreateVpc responseElements.vpc has it.
func (x xmlVPC) trail() map[string]any {
	tags := make([]any, 0, len(x.Tags.Items))
	for _, t := range x.Tags.Items {
		tags = append(tags, map[string]any{"key": t.Key, "value": t.Value})
	}
	a := x.Associations.Items[0]
	return map[string]any{
		"vpcId": x.VpcID, "state": "pending", "ownerId": x.OwnerID, "cidrBlock": x.CidrBlock,
		"cidrBlockAssociationSet": map[string]any{"items": []any{map[string]any{
			"associationId": a.AssociationID, "cidrBlock": a.CidrBlock, "cidrBlockState": map[string]any{"state": "associated"},
		}}},
		"ipv6CidrBlockAssociationSet": map[string]any{}, "dhcpOptionsId": x.DhcpOptionsID,
		"instanceTenancy": x.InstanceTenancy, "tagSet": map[string]any{"items": tags}, "isDefault": x.IsDefault,
	}
}

type xmlDescribeVpcsResponse struct {
	RequestID string             `xml:"requestId"`
	Vpcs      ec2XMLList[xmlVPC] `xml:"vpcSet"`
	NextToken string             `xml:"nextToken,omitempty"`
}

func (s *ec2Service) describeVpcs(c *call, p ec2Params) *APIError {
	filters, err := p.filters("vpc-id", "is-default", "cidr", "owner-id", "tag:*", "tag-key")
	if err != nil {
		return err
	}
	max, after, err := p.pagination()
	if err != nil {
		return err
	}
	ids := p.strings("VpcId")
	if err := ec2DryRun(p); err != nil {
		return err
	}
	s.mu.Lock()
	st := s.state(c.account(), c.region)
	var vpcs []*vpc
	if len(ids) > 0 {
		for _, id := range ids {
			v, err := st.vpc(id)
			if err != nil {
				s.mu.Unlock()
				return err
			}
			vpcs = append(vpcs, v)
		}
	} else {
		for _, v := range st.vpcs {
			vpcs = append(vpcs, v)
		}
	}
	vpcs = slices.DeleteFunc(vpcs, func(v *vpc) bool { return !v.matches(filters) })
	slices.SortFunc(vpcs, func(a, b *vpc) int { return strings.Compare(a.id, b.id) })
	page, next := ec2Paginate(vpcs, func(v *vpc) string { return v.id }, max, after)
	items := make([]xmlVPC, 0, len(page))
	for _, v := range page {
		items = append(items, v.xml())
	}
	s.mu.Unlock()
	ec2Respond(c, xmlDescribeVpcsResponse{RequestID: c.requestID, Vpcs: ec2XMLList[xmlVPC]{Items: items}, NextToken: next})
	return nil
}

func (v *vpc) matches(filters []ec2Filter) bool {
	for _, f := range filters {
		if m, ok := f.matchesTags(v.tags); ok {
			if !m {
				return false
			}
			continue
		}
		val := map[string]string{"vpc-id": v.id, "is-default": fmt.Sprint(v.isDefault), "cidr": v.cidr, "owner-id": v.owner}[f.name]
		if !f.matches(val) {
			return false
		}
	}
	return true
}

type xmlCreateVpcResponse struct {
	RequestID string `xml:"requestId"`
	VPC       xmlVPC `xml:"vpc"`
}

func (s *ec2Service) createVpc(c *call, p ec2Params) *APIError {
	cidr, tenancy := p.get("CidrBlock"), p.get("InstanceTenancy")
	specs := p.tagSpecifications()
	params := map[string]any{"cidrBlock": cidr, "amazonProvidedIpv6CidrBlock": p.get("AmazonProvidedIpv6CidrBlock") == "true"}
	if tenancy == "" {
		tenancy = "default"
	}
	params["instanceTenancy"] = tenancy
	if len(specs) > 0 {
		params["tagSpecificationSet"] = ec2TagSpecsTrail(specs)
	}
	c.Record(params)
	if err := ec2DryRun(p); err != nil {
		return err
	}
	if cidr == "" {
		// IPAM pools are the other way to give a VPC its block.
		return errorf("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided (fakecloud takes cidrBlock only)")
	}
	prefix, perr := netip.ParsePrefix(cidr)
	switch {
	case perr != nil || !prefix.Addr().Is4() || prefix.Masked() != prefix:
		return errorf("InvalidParameterValue", "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", cidr)
	case prefix.Bits() < 16 || prefix.Bits() > 28:
		return errorf("InvalidVpc.Range", "The CIDR '%s' is invalid.", cidr)
	}
	tags, err := ec2TagsForResource(specs, "vpc")
	if err != nil {
		return err
	}
	s.mu.Lock()
	st := s.state(c.account(), c.region)
	v := &vpc{id: newID(vpcIDPrefix, 17), cidr: cidr, owner: c.account(), tags: tags}
	st.vpcs[v.id] = v
	x := v.xml()
	s.mu.Unlock()
	c.RecordResponse(map[string]any{"requestId": c.requestID, "vpc": x.trail()})
	// A new VPC is "pending" in CreateVpc's answer and available at once
	// after; DescribeVpcs says "available".
	x.State = "pending"
	ec2Respond(c, xmlCreateVpcResponse{RequestID: c.requestID, VPC: x})
	return nil
}

type xmlFlowLogError struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type xmlUnsuccessfulItem struct {
	Error      xmlFlowLogError `xml:"error"`
	ResourceID string          `xml:"resourceId"`
}

type xmlCreateFlowLogsResponse struct {
	RequestID    string                          `xml:"requestId"`
	ClientToken  string                          `xml:"clientToken,omitempty"`
	FlowLogIDs   ec2XMLList[string]              `xml:"flowLogIdSet"`
	Unsuccessful ec2XMLList[xmlUnsuccessfulItem] `xml:"unsuccessful"`
}

// flowLogTrailList writes a list parameter the way CloudTrail does for
// the flow log calls: one {"tag", "content"} per item, a bare object for
// one item.
func flowLogTrailList(values []string) any {
	items := make([]any, 0, len(values))
	for i, v := range values {
		items = append(items, map[string]any{"tag": i + 1, "content": v})
	}
	if len(items) == 1 {
		return items[0]
	}
	return items
}

// createFlowLogs makes one flow log per resource. As in AWS, a resource
// that cannot get one is listed in unsuccessful and the call still
// answers 200. CloudTrail records the flow log calls in their own shape:
// requestParameters.CreateFlowLogsRequest with the SDK's parameter names.
func (s *ec2Service) createFlowLogs(c *call, p ec2Params) *APIError {
	ids := p.strings("ResourceId")
	rtype, traffic := p.get("ResourceType"), p.get("TrafficType")
	destType, dest, group, role, format := p.get("LogDestinationType"), p.get("LogDestination"), p.get("LogGroupName"), p.get("DeliverLogsPermissionArn"), p.get("LogFormat")
	specs := p.tagSpecifications()
	req := map[string]any{"ResourceId": flowLogTrailList(ids), "ResourceType": rtype, "TrafficType": traffic}
	for k, v := range map[string]string{"LogDestinationType": destType, "LogDestination": dest, "LogGroupName": group,
		"DeliverLogsPermissionArn": role, "LogFormat": format, "ClientToken": p.get("ClientToken")} {
		if v != "" {
			req[k] = v
		}
	}
	if len(specs) > 0 {
		req["TagSpecification"] = ec2TagSpecsTrail(specs)
	}
	c.Record(map[string]any{"CreateFlowLogsRequest": req})
	if err := ec2DryRun(p); err != nil {
		return err
	}
	if destType == "" {
		destType = "cloud-watch-logs"
	}
	if format == "" {
		format = defaultFlowLogFormat
	}
	switch {
	case len(ids) == 0:
		return errorf("MissingParameter", "The request must contain the parameter ResourceId")
	case rtype == "":
		return errorf("MissingParameter", "The request must contain the parameter ResourceType")
	case rtype != "VPC":
		return errorf("InvalidParameterValue", "fakecloud makes flow logs on VPCs only, not %s", rtype)
	case !slices.Contains([]string{"ACCEPT", "REJECT", "ALL"}, traffic):
		return errorf("InvalidParameterValue", "Value (%s) for parameter TrafficType is invalid. Valid values: ACCEPT, REJECT, ALL", traffic)
	case destType == "s3" && !strings.HasPrefix(dest, "arn:aws:s3:::"):
		return errorf("InvalidParameter", "LogDestination: '%s' is not a valid S3 bucket ARN", dest)
	case destType == "cloud-watch-logs" && role == "":
		return errorf("InvalidParameter", "DeliverLogsPermissionArn is required when publishing to CloudWatch Logs")
	case destType != "s3" && destType != "cloud-watch-logs":
		return errorf("InvalidParameterValue", "fakecloud delivers flow logs to s3 or cloud-watch-logs only, not %s", destType)
	}
	tags, err := ec2TagsForResource(specs, "vpc-flow-log")
	if err != nil {
		return err
	}
	s.mu.Lock()
	st := s.state(c.account(), c.region)
	if st.flowLogs == nil {
		st.flowLogs = map[string]*flowLog{}
	}
	var made []string
	var failed []xmlUnsuccessfulItem
	for _, id := range ids {
		if _, err := st.vpc(id); err != nil {
			failed = append(failed, xmlUnsuccessfulItem{Error: xmlFlowLogError{Code: err.Code, Message: err.Message}, ResourceID: id})
			continue
		}
		dup := false
		for _, fl := range st.flowLogs {
			if fl.resourceID == id && fl.trafficType == traffic && fl.destinationType == destType && fl.destination == dest && fl.logGroup == group {
				dup = true
			}
		}
		if dup {
			failed = append(failed, xmlUnsuccessfulItem{Error: xmlFlowLogError{Code: "FlowLogAlreadyExists",
				Message: "There is an existing Flow Log with the same configuration and log destination."}, ResourceID: id})
			continue
		}
		fl := &flowLog{id: newID(flowLogIDPrefix, 17), resourceID: id, trafficType: traffic, destinationType: destType,
			destination: dest, logGroup: group, roleARN: role, format: format, created: c.time, tags: tags.clone()}
		st.flowLogs[fl.id] = fl
		made = append(made, fl.id)
	}
	s.mu.Unlock()
	resp := map[string]any{"xmlns": ec2Namespace, "requestId": c.requestID, "flowLogIdSet": map[string]any{}, "unsuccessful": ""}
	if len(made) > 0 {
		resp["flowLogIdSet"] = map[string]any{"item": made}
	}
	c.RecordResponse(map[string]any{"CreateFlowLogsResponse": resp})
	ec2Respond(c, xmlCreateFlowLogsResponse{RequestID: c.requestID, ClientToken: p.get("ClientToken"),
		FlowLogIDs: ec2XMLList[string]{Items: made}, Unsuccessful: ec2XMLList[xmlUnsuccessfulItem]{Items: failed}})
	return nil
}

type xmlFlowLog struct {
	CreationTime           string                `xml:"creationTime"`
	DeliverLogsStatus      string                `xml:"deliverLogsStatus"`
	DeliverLogsPermission  string                `xml:"deliverLogsPermissionArn,omitempty"`
	FlowLogID              string                `xml:"flowLogId"`
	FlowLogStatus          string                `xml:"flowLogStatus"`
	LogGroupName           string                `xml:"logGroupName,omitempty"`
	ResourceID             string                `xml:"resourceId"`
	TrafficType            string                `xml:"trafficType"`
	LogDestinationType     string                `xml:"logDestinationType"`
	LogDestination         string                `xml:"logDestination,omitempty"`
	LogFormat              string                `xml:"logFormat"`
	Tags                   ec2XMLList[ec2XMLTag] `xml:"tagSet"`
	MaxAggregationInterval int                   `xml:"maxAggregationInterval"`
}

func (fl *flowLog) xml() xmlFlowLog {
	return xmlFlowLog{
		CreationTime: fl.created.Format(time.RFC3339Nano), DeliverLogsStatus: "SUCCESS", DeliverLogsPermission: fl.roleARN,
		FlowLogID: fl.id, FlowLogStatus: "ACTIVE", LogGroupName: fl.logGroup, ResourceID: fl.resourceID, TrafficType: fl.trafficType,
		LogDestinationType: fl.destinationType, LogDestination: fl.destination, LogFormat: fl.format, Tags: *fl.tags.xml(),
		MaxAggregationInterval: 600,
	}
}

type xmlDescribeFlowLogsResponse struct {
	RequestID string                 `xml:"requestId"`
	FlowLogs  ec2XMLList[xmlFlowLog] `xml:"flowLogSet"`
	NextToken string                 `xml:"nextToken,omitempty"`
}

// describeFlowLogs lists flow logs by id or filter. Unlike most Describe
// calls, an unknown FlowLogId is no error: it is simply not listed.
func (s *ec2Service) describeFlowLogs(c *call, p ec2Params) *APIError {
	filters, err := p.filters("resource-id", "flow-log-id", "traffic-type", "log-destination-type", "deliver-log-status", "tag:*", "tag-key")
	if err != nil {
		return err
	}
	max, after, err := p.pagination()
	if err != nil {
		return err
	}
	ids := p.strings("FlowLogId")
	if err := ec2DryRun(p); err != nil {
		return err
	}
	s.mu.Lock()
	var logs []*flowLog
	for _, fl := range s.state(c.account(), c.region).flowLogs {
		if (len(ids) == 0 || slices.Contains(ids, fl.id)) && fl.matches(filters) {
			logs = append(logs, fl)
		}
	}
	slices.SortFunc(logs, func(a, b *flowLog) int { return strings.Compare(a.id, b.id) })
	page, next := ec2Paginate(logs, func(fl *flowLog) string { return fl.id }, max, after)
	items := make([]xmlFlowLog, 0, len(page))
	for _, fl := range page {
		items = append(items, fl.xml())
	}
	s.mu.Unlock()
	ec2Respond(c, xmlDescribeFlowLogsResponse{RequestID: c.requestID, FlowLogs: ec2XMLList[xmlFlowLog]{Items: items}, NextToken: next})
	return nil
}

func (fl *flowLog) matches(filters []ec2Filter) bool {
	for _, f := range filters {
		if m, ok := f.matchesTags(fl.tags); ok {
			if !m {
				return false
			}
			continue
		}
		v := map[string]string{
			"resource-id": fl.resourceID, "flow-log-id": fl.id, "traffic-type": fl.trafficType,
			"log-destination-type": fl.destinationType, "deliver-log-status": "SUCCESS",
		}[f.name]
		if !f.matches(v) {
			return false
		}
	}
	return true
}

type xmlDeleteFlowLogsResponse struct {
	RequestID    string                          `xml:"requestId"`
	Unsuccessful ec2XMLList[xmlUnsuccessfulItem] `xml:"unsuccessful"`
}

// deleteFlowLogs deletes flow logs by id; an unknown id is listed in
// unsuccessful, the call still answers 200.
func (s *ec2Service) deleteFlowLogs(c *call, p ec2Params) *APIError {
	ids := p.strings("FlowLogId")
	c.Record(map[string]any{"DeleteFlowLogsRequest": map[string]any{"FlowLogId": flowLogTrailList(ids)}})
	if err := ec2DryRun(p); err != nil {
		return err
	}
	if len(ids) == 0 {
		return errorf("MissingParameter", "The request must contain the parameter FlowLogId")
	}
	s.mu.Lock()
	st := s.state(c.account(), c.region)
	var failed []xmlUnsuccessfulItem
	for _, id := range ids {
		if _, ok := st.flowLogs[id]; !ok {
			failed = append(failed, xmlUnsuccessfulItem{Error: xmlFlowLogError{Code: "InvalidFlowLogId.NotFound",
				Message: fmt.Sprintf("These flow log ids in the input list are not found: [TotalCount: 1] %s", id)}, ResourceID: id})
			continue
		}
		delete(st.flowLogs, id)
	}
	s.mu.Unlock()
	c.RecordResponse(map[string]any{"DeleteFlowLogsResponse": map[string]any{"xmlns": ec2Namespace, "requestId": c.requestID, "unsuccessful": ""}})
	ec2Respond(c, xmlDeleteFlowLogsResponse{RequestID: c.requestID, Unsuccessful: ec2XMLList[xmlUnsuccessfulItem]{Items: failed}})
	return nil
}

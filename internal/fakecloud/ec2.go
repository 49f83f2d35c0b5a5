package fakecloud

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
)

// EC2 speaks the EC2 Query protocol: a form-encoded POST with Action and
// Version in, an XML <ActionResponse> in the EC2 namespace with a
// <requestId> out, and errors as <Response><Errors><Error>. The SDK only
// ever sends Version 2016-11-15, the one API version EC2 still evolves.
const (
	ec2Version   = "2016-11-15"
	ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"
)

// DefaultVPCID is the VPC every account and region has without creating
// it, like the default VPC of a real account. Security groups created
// without a VpcId, or addressed by GroupName, live in it.
const DefaultVPCID = "vpc-0default00000000"

// ec2Service emulates the security-group and tagging slice of EC2 that
// rectify reads and remediates. State is per account and region; groups
// live in ec2_groups.go, rules in ec2_rules.go, tags in ec2_tags.go, the
// wire shapes in ec2_xml.go and the CloudTrail shapes in ec2_trail.go.
type ec2Service struct {
	cloud *Cloud

	// mu guards states and everything reachable from it. Handlers hold it
	// only to read or change state and build the response value; the
	// response is written after it is released.
	mu     sync.Mutex
	states map[ec2Key]*ec2State
	ebs    ebsEncryptionDefaults // ec2_ebs.go
}

// ec2Key scopes EC2 state the way AWS does: per account and region.
type ec2Key struct{ account, region string }

// ec2State is one account's EC2 in one region.
type ec2State struct {
	account, region string
	// vpcs holds the VPCs groups may be created in: the default VPC and
	// the VPCs that seeds named.
	vpcs   map[string]*vpc           // ec2_vpcs.go
	groups map[string]*securityGroup // by group id
	rules  map[string]*sgRule        // by rule id, across all groups
	// volumes are the seeded EBS volumes' sizes in GiB, snapshots the EBS
	// snapshots (ec2_snapshots.go); both by id.
	volumes   map[string]int32
	snapshots map[string]*ebsSnapshot
	// subnets and instances are the seeded ones by id (ec2_subnets.go,
	// ec2_instances.go).
	subnets   map[string]*subnet
	instances map[string]*instance
	// flowLogs are the VPC flow logs by id (ec2_vpcs.go).
	flowLogs map[string]*flowLog
}

func newEC2Service(c *Cloud) *ec2Service {
	return &ec2Service{cloud: c, states: map[ec2Key]*ec2State{}}
}

// state returns the state for account and region, creating it on first
// use. The caller holds s.mu.
func (s *ec2Service) state(account, region string) *ec2State {
	k := ec2Key{account, region}
	st, ok := s.states[k]
	if !ok {
		st = &ec2State{
			account: account, region: region,
			vpcs:   map[string]*vpc{DefaultVPCID: newDefaultVPC(account)},
			groups: map[string]*securityGroup{},
			rules:  map[string]*sgRule{},
		}
		s.states[k] = st
	}
	return st
}

func (s *ec2Service) eventSource() string { return "ec2.amazonaws.com" }

func (s *ec2Service) actions() []string { return slices.Sorted(maps.Keys(ec2Handlers)) }

// ec2Handlers are the emulated operations, by Action.
var ec2Handlers = map[string]func(*ec2Service, *call, ec2Params) *APIError{
	"CreateSecurityGroup":           (*ec2Service).createSecurityGroup,
	"DeleteSecurityGroup":           (*ec2Service).deleteSecurityGroup,
	"DescribeSecurityGroups":        (*ec2Service).describeSecurityGroups,
	"DescribeSecurityGroupRules":    (*ec2Service).describeSecurityGroupRules,
	"AuthorizeSecurityGroupIngress": (*ec2Service).authorizeIngress,
	"AuthorizeSecurityGroupEgress":  (*ec2Service).authorizeEgress,
	"RevokeSecurityGroupIngress":    (*ec2Service).revokeIngress,
	"RevokeSecurityGroupEgress":     (*ec2Service).revokeEgress,
	"CreateTags":                    (*ec2Service).createTags,
	"DeleteTags":                    (*ec2Service).deleteTags,
	"DescribeTags":                  (*ec2Service).describeTags,
	"GetEbsEncryptionByDefault":     (*ec2Service).getEbsEncryptionByDefault,
	"EnableEbsEncryptionByDefault":  (*ec2Service).enableEbsEncryptionByDefault,
	"DisableEbsEncryptionByDefault": (*ec2Service).disableEbsEncryptionByDefault,
	"CreateSnapshot":                (*ec2Service).createSnapshot,
	"DescribeSnapshots":             (*ec2Service).describeSnapshots,
	"DescribeSnapshotAttribute":     (*ec2Service).describeSnapshotAttribute,
	"ModifySnapshotAttribute":       (*ec2Service).modifySnapshotAttribute,
	"DescribeSubnets":               (*ec2Service).describeSubnets,
	"ModifySubnetAttribute":         (*ec2Service).modifySubnetAttribute,
	"DescribeInstances":             (*ec2Service).describeInstances,
	"ModifyInstanceMetadataOptions": (*ec2Service).modifyInstanceMetadataOptions,
	"DescribeVpcs":                  (*ec2Service).describeVpcs,
	"CreateVpc":                     (*ec2Service).createVpc,
	"CreateFlowLogs":                (*ec2Service).createFlowLogs,
	"DescribeFlowLogs":              (*ec2Service).describeFlowLogs,
	"DeleteFlowLogs":                (*ec2Service).deleteFlowLogs,
}

func (s *ec2Service) route(r *http.Request, body []byte) (string, *APIError) {
	p, err := parseEC2Params(r, body)
	if err != nil {
		return "", err
	}
	action := p.get("Action")
	switch {
	case action == "":
		return "", errorf("InvalidAction", "The request must contain the parameter Action; fakecloud speaks the EC2 Query protocol (POST Action=...&Version=%s)", ec2Version)
	case ec2Handlers[action] == nil:
		return action, errorf("InvalidAction", "The action %s is not valid for this web service (fakecloud emulates only the EC2 security group, tag, EBS encryption-by-default, EBS snapshot, subnet attribute, instance metadata, VPC and flow log operations)", action)
	case p.get("Version") == "":
		return action, errorf("MissingParameter", "The request must contain the parameter Version")
	}
	return action, nil
}

func (s *ec2Service) handle(c *call) *APIError {
	p, err := parseEC2Params(c.r, c.body)
	if err != nil {
		return err
	}
	return ec2Handlers[c.action](s, c, p)
}

// ec2Document is an EC2 response: the body in an <ActionResponse> root in
// the EC2 namespace. Bodies start with their <requestId>.
type ec2Document struct {
	action string
	body   any
}

// MarshalXML names the root after the action, which a struct tag cannot.
func (d ec2Document) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(d.body, xml.StartElement{
		Name: xml.Name{Local: d.action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ec2Namespace}},
	})
}

// ec2Respond writes a successful response body.
func ec2Respond(c *call, body any) {
	c.writeXML(http.StatusOK, ec2Document{action: c.action, body: body})
}

func (s *ec2Service) writeError(c *call, err *APIError) {
	type errorBody struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	c.writeXML(err.Status, struct {
		XMLName   xml.Name    `xml:"Response"`
		Errors    []errorBody `xml:"Errors>Error"`
		RequestID string      `xml:"RequestID"`
	}{Errors: []errorBody{{Code: err.Code, Message: err.Message}}, RequestID: c.requestID})
}

// authError answers an unknown access key with AuthFailure, and an expired
// role session with RequestExpired, which is what EC2 returns for expired
// temporary credentials (and what tells the SDK to refresh them).
func (s *ec2Service) authError(key string) *APIError {
	if sessionExpired(s.cloud, key) {
		return &APIError{Status: http.StatusBadRequest, Code: "RequestExpired", Message: "Request has expired."}
	}
	return &APIError{Status: http.StatusUnauthorized, Code: "AuthFailure", Message: "AWS was not able to validate the provided access credentials"}
}

// deniedError words UnauthorizedOperation the way EC2 does, naming the
// security group when the request names one, so a remediation log shows
// exactly which resource the role could not touch.
func (s *ec2Service) deniedError(c *call) *APIError {
	resource := "*"
	if p, err := parseEC2Params(c.r, c.body); err == nil {
		switch {
		case p.get("GroupId") != "":
			resource = securityGroupARN(c.region, c.account(), p.get("GroupId"))
		case p.get("InstanceId") != "":
			resource = fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", c.region, c.account(), p.get("InstanceId"))
		case p.get("VpcId") != "":
			resource = fmt.Sprintf("arn:aws:ec2:%s:%s:vpc/%s", c.region, c.account(), p.get("VpcId"))
		case p.get("SubnetId") != "":
			resource = subnetARN(c.region, c.account(), p.get("SubnetId"))
		case p.get("SnapshotId") != "":
			// Snapshot ARNs name no account.
			resource = fmt.Sprintf("arn:aws:ec2:%s::snapshot/%s", c.region, p.get("SnapshotId"))
		}
	}
	return &APIError{Status: http.StatusForbidden, Code: "UnauthorizedOperation", Message: fmt.Sprintf(
		"You are not authorized to perform this operation. User: %s is not authorized to perform: ec2:%s on resource: %s",
		c.principal.ARN, c.action, resource)}
}

// ec2DryRun answers DryRun=true the way EC2 does once the caller is known to
// be allowed: with the DryRunOperation error and no change.
func ec2DryRun(p ec2Params) *APIError {
	if p.get("DryRun") != "true" {
		return nil
	}
	return &APIError{Status: http.StatusPreconditionFailed, Code: "DryRunOperation", Message: "Request would have succeeded, but DryRun flag is set."}
}

func securityGroupARN(region, account, groupID string) string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", region, account, groupID)
}

func securityGroupRuleARN(region, account, ruleID string) string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:security-group-rule/%s", region, account, ruleID)
}

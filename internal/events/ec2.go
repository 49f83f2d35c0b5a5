package events

import (
	"strings"

	"github.com/rectifyhq/rectify/internal/resource"
)

var ec2Extractors = map[string]extractor{
	"CreateSecurityGroup":                        createdSecurityGroup,
	"DeleteSecurityGroup":                        deletedSecurityGroup,
	"AuthorizeSecurityGroupIngress":              changedSecurityGroup,
	"AuthorizeSecurityGroupEgress":               changedSecurityGroup,
	"RevokeSecurityGroupIngress":                 changedSecurityGroup,
	"RevokeSecurityGroupEgress":                  changedSecurityGroup,
	"ModifySecurityGroupRules":                   changedSecurityGroup,
	"UpdateSecurityGroupRuleDescriptionsIngress": changedSecurityGroup,
	"UpdateSecurityGroupRuleDescriptionsEgress":  changedSecurityGroup,
	"CreateTags":                                 taggedSecurityGroups,
	"DeleteTags":                                 taggedSecurityGroups,
	"EnableEbsEncryptionByDefault":               changedEBSEncryptionByDefault, // rds.go
	"DisableEbsEncryptionByDefault":              changedEBSEncryptionByDefault,
}

func (e *event) securityGroup(id string) Trigger {
	return e.resource(resource.TypeSecurityGroup, id,
		resource.SecurityGroupARN(e.base.Account, e.base.Region, id))
}

// The new group's id exists only in the response.
func createdSecurityGroup(e *event) ([]Trigger, error) {
	resp, err := e.response()
	if err != nil {
		return nil, err
	}
	id, err := resp.str("groupId")
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, e.rec.errorf("%s has no responseElements.groupId", e.name)
	}
	return []Trigger{e.securityGroup(id)}, nil
}

func deletedSecurityGroup(e *event) ([]Trigger, error) {
	ts, err := changedSecurityGroup(e)
	for i := range ts {
		ts[i].Deleted = !ts[i].Ignored
	}
	return ts, err
}

func changedSecurityGroup(e *event) ([]Trigger, error) {
	id, groupName, err := e.securityGroupID()
	if err != nil {
		return nil, err
	}
	switch {
	case id != "":
		return []Trigger{e.securityGroup(id)}, nil
	case groupName != "":
		// EC2-Classic and default-VPC calls may name the group instead;
		// resolving a name needs an API call, which is not the parser's job.
		t := e.ignored(reasonUnsupported + e.source + "/" + e.name + " (security group given by name " + groupName + ", no id)")
		return []Trigger{t}, nil
	}
	return nil, e.rec.errorf("%s names no security group (requestParameters.groupId)", e.name)
}

// securityGroupID looks where each call puts the group: requestParameters,
// ModifySecurityGroupRules' nested request, or the rules in the response
// (the only place a call made by group name carries the id).
func (e *event) securityGroupID() (id, groupName string, err error) {
	req, err := e.request()
	if err != nil {
		return "", "", err
	}
	if id, err = req.str("groupId"); id != "" || err != nil {
		return id, "", err
	}
	nested, err := req.obj("ModifySecurityGroupRulesRequest")
	if err != nil {
		return "", "", err
	}
	if id, err = nested.str("GroupId"); id != "" || err != nil {
		return id, "", err
	}
	resp, err := e.response()
	if err != nil {
		return "", "", err
	}
	for _, set := range []string{"securityGroupRuleSet", "revokedSecurityGroupRuleSet"} {
		rules, err := resp.items(set)
		if err != nil {
			return "", "", err
		}
		for _, rule := range rules {
			if id, err = rule.str("groupId"); id != "" || err != nil {
				return id, "", err
			}
		}
	}
	groupName, err = req.str("groupName")
	return "", groupName, err
}

// taggedSecurityGroups: one tagging call can cover many resources of many
// kinds; tags feed exemptions, so each security group must be re-evaluated.
func taggedSecurityGroups(e *event) ([]Trigger, error) {
	req, err := e.request()
	if err != nil {
		return nil, err
	}
	items, err := req.items("resourcesSet")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, e.rec.errorf("%s has no requestParameters.resourcesSet.items", e.name)
	}
	ts := make([]Trigger, 0, len(items))
	for _, item := range items {
		id, err := item.str("resourceId")
		if err != nil {
			return nil, err
		}
		switch {
		case id == "":
			return nil, item.errorf("resource has no resourceId")
		case strings.HasPrefix(id, "sg-"):
			ts = append(ts, e.securityGroup(id))
		default:
			t := e.ignored(reasonUnsupported + e.source + "/" + e.name)
			t.ResourceID = id
			ts = append(ts, t)
		}
	}
	return ts, nil
}

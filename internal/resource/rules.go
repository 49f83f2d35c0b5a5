package resource

import (
	"cmp"
	"slices"
	"strings"
)

// Security group rule protocols as policies see them. EC2 and Terraform
// accept names and IANA numbers; both planes map them to these.
const (
	ProtocolAll    = "-1"
	ProtocolTCP    = "tcp"
	ProtocolUDP    = "udp"
	ProtocolICMP   = "icmp"
	ProtocolICMPv6 = "icmpv6"
)

// Port bounds given to an all-traffic rule. EC2 reports -1/-1 and Terraform
// 0/0 for protocol -1; policies get the full range instead, so that "does the
// range cover port p" needs no special case and both planes agree.
const (
	AllPortsFrom = 0
	AllPortsTo   = 65535
)

// NormalizeProtocol maps an EC2 or Terraform protocol to the policy
// vocabulary: lower-case names for TCP, UDP, ICMP and ICMPv6, "-1" for all
// traffic, and the IANA number as a string for anything else.
func NormalizeProtocol(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	switch p {
	case "-1", "all":
		return ProtocolAll
	case "6":
		return ProtocolTCP
	case "17":
		return ProtocolUDP
	case "1":
		return ProtocolICMP
	case "58":
		return ProtocolICMPv6
	}
	return p
}

// SortRules orders rules by content, not by rule ID, because the plan
// plane has no IDs and both planes must produce the same document.
func SortRules(rules []map[string]any) []any {
	slices.SortStableFunc(rules, func(a, b map[string]any) int {
		return cmp.Or(
			cmp.Compare(ruleString(a, "protocol"), ruleString(b, "protocol")),
			cmp.Compare(rulePort(a, "from_port"), rulePort(b, "from_port")),
			cmp.Compare(rulePort(a, "to_port"), rulePort(b, "to_port")),
			comparePeers(a, b),
			cmp.Compare(ruleString(a, "description"), ruleString(b, "description")),
			cmp.Compare(ruleString(a, "rule_id"), ruleString(b, "rule_id")),
		)
	})
	// []any rather than []map[string]any: ast.InterfaceToValue converts it
	// directly instead of falling back to a JSON round trip.
	out := make([]any, len(rules))
	for i, r := range rules {
		out[i] = r
	}
	return out
}

// peerKeys lists the peer kinds in the order rules sort by.
var peerKeys = []string{"cidr_ipv4", "cidr_ipv6", "referenced_group_id", "prefix_list_id"}

func comparePeers(a, b map[string]any) int {
	kind := func(rule map[string]any) (int, string) {
		for i, k := range peerKeys {
			if v, ok := rule[k].(string); ok {
				return i, v
			}
		}
		return -1, "" // peer unknown (plan plane)
	}
	ka, va := kind(a)
	kb, vb := kind(b)
	return cmp.Or(cmp.Compare(ka, kb), cmp.Compare(va, vb))
}

func ruleString(rule map[string]any, key string) string {
	s, _ := rule[key].(string)
	return s
}

// rulePort sorts unknown ports before every real one (-1 included).
func rulePort(rule map[string]any, key string) int {
	if p, ok := rule[key].(int); ok {
		return p
	}
	return -2
}

# METADATA
# description: >-
#   Helpers the built-in controls share. Not a control: no deny, no custom.id.
#   Every helper is false or undefined for an absent (unknown) value, so a
#   control built on them never denies on an unknown.
package rectify.aws.lib

# label names a resource in a message: its id, else its Terraform address
# (a plan-plane create has no id yet).
label(r) := r.id if {
	is_string(r.id)
	r.id != ""
} else := r.address if {
	is_string(r.address)
} else := "(unknown id)"

# Security group rules (see internal/resource types.go).

# zero_prefix compares the prefix length, not the text: "10.1.2.3/0" and
# "::0/0" match every address just like "0.0.0.0/0" and "::/0".
zero_prefix(cidr) if {
	is_string(cidr)
	regex.match(world_cidr, cidr)
}

world_cidr := `^[0-9A-Fa-f:.]+/0+$`

open_to_world(rule) if zero_prefix(rule.cidr_ipv4)

open_to_world(rule) if zero_prefix(rule.cidr_ipv6)

# public_ingress is input.resource's ingress rules open to every address.
# Controls iterate it rather than call open_to_world per rule: one
# comprehension per peer kind costs a third of the function calls, and
# evaluation time goes to calls. A rule names one peer, so none repeats.
public_ingress := array.concat(
	[rule | some rule in input.resource.properties.ingress; regex.match(world_cidr, rule.cidr_ipv4)],
	[rule | some rule in input.resource.properties.ingress; regex.match(world_cidr, rule.cidr_ipv6)],
)

# reaches_port: all traffic, or a TCP/UDP range covering the port. ICMP
# "ports" are type and code, other protocols have none.
reaches_port(rule, _) if rule.protocol == "-1"

reaches_port(rule, port) if {
	rule.protocol in {"tcp", "udp"}
	rule.from_port <= port
	port <= rule.to_port
}

# IAM policy documents (resource.NormalizePolicyDocument: lists everywhere).

# everyone: the principal "*" or {"AWS": ["*", ...]}, anonymous callers
# included.
everyone(principal) if principal == "*"

everyone(principal) if "*" in principal.AWS

# grants_everyone: an Allow to everyone, or to everyone but a few
# (NotPrincipal).
grants_everyone(st) if {
	st.Effect == "Allow"
	everyone(st.Principal)
}

grants_everyone(st) if {
	st.Effect == "Allow"
	st.NotPrincipal
}

# Unknowns (plan plane). A key absent from a document is unknown until
# apply. Controls use these helpers in their undetermined rules, which say
# that the verdict depends on such a value; deny never does.

# absent: obj is an object that lacks key.
absent(obj, key) if {
	is_object(obj)
	not key in object.keys(obj)
}

# unknown_properties: which of keys input.resource.properties lacks.
unknown_properties(keys) := [k | some k in keys; absent(input.resource.properties, k)]

peer_keys := {"cidr_ipv4", "cidr_ipv6", "referenced_group_id", "prefix_list_id"}

# peer_unknown: a rule names exactly one peer; one that names none has a
# peer unknown at plan time (a CIDR or group created in the same plan).
peer_unknown(rule) if count(peer_keys & object.keys(rule)) == 0

# ports_unknown: the protocol, or a TCP/UDP rule's ports, are unknown.
ports_unknown(rule) if absent(rule, "protocol")

ports_unknown(rule) if {
	rule.protocol in {"tcp", "udp"}
	some k in ["from_port", "to_port"]
	absent(rule, k)
}

# unknown_peer_ingress is input.resource's ingress rules whose peer is
# unknown: each may be open to the world.
unknown_peer_ingress := [rule | some rule in input.resource.properties.ingress; peer_unknown(rule)]

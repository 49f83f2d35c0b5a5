package rectify.aws.rds.cluster_deletion_protection_test

import data.rectify.aws.rds.cluster_deletion_protection as policy

cluster(props) := {"resource": {
	"type": "aws_rds_cluster",
	"address": null,
	"id": "orders",
	"plane": "live",
	"properties": object.union({"identifier": "orders", "engine": "aurora-postgresql"}, props),
}}

test_unprotected_denied if {
	some v in policy.deny with input as cluster({"deletion_protection": false})
	v.params == {"identifier": "orders"}
	contains(v.msg, "orders")
}

test_multi_az_cluster_denied if {
	count(policy.deny) == 1 with input as cluster({"engine": "postgres", "deletion_protection": false})
}

test_protected_allowed if {
	count(policy.deny) == 0 with input as cluster({"deletion_protection": true})
}

test_neptune_and_docdb_left_to_their_controls if {
	every engine in ["neptune", "docdb"] {
		count(policy.deny) == 0 with input as cluster({"engine": engine, "deletion_protection": false})
		count(policy.undetermined) == 0 with input as cluster({"engine": engine})
	}
}

test_unknowns_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as cluster({})
	some u in policy.undetermined with input as cluster({})
	u.unknown == ["deletion_protection"]
	doc := json.remove(cluster({"deletion_protection": false}), ["resource/properties/engine"])
	count(policy.deny) == 0 with input as doc
	some w in policy.undetermined with input as doc
	w.unknown == ["engine"]
	count(policy.undetermined) == 0 with input as cluster({"deletion_protection": true})
}

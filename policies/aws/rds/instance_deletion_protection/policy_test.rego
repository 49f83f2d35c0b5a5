package rectify.aws.rds.instance_deletion_protection_test

import data.rectify.aws.rds.instance_deletion_protection as policy

db(props) := {"resource": {
	"type": "aws_db_instance",
	"address": null,
	"id": "orders",
	"plane": "live",
	"properties": object.union({"identifier": "orders", "engine": "postgres", "publicly_accessible": false}, props),
}}

test_unprotected_denied if {
	some v in policy.deny with input as db({"deletion_protection": false})
	v.params == {"identifier": "orders"}
	contains(v.msg, "orders")
}

test_protected_allowed if {
	count(policy.deny) == 0 with input as db({"deletion_protection": true})
}

test_cluster_members_left_to_the_cluster if {
	count(policy.deny) == 0 with input as db({"deletion_protection": false, "cluster_identifier": "orders-multiaz"})
	every engine in ["aurora-postgresql", "aurora-mysql", "aurora", "neptune", "docdb"] {
		count(policy.deny) == 0 with input as db({"engine": engine, "deletion_protection": false})
		count(policy.undetermined) == 0 with input as db({"engine": engine})
	}
}

test_unknowns_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as db({})
	some u in policy.undetermined with input as db({})
	u.unknown == ["deletion_protection"]
	doc := json.remove(db({"deletion_protection": false}), ["resource/properties/engine"])
	count(policy.deny) == 0 with input as doc
	some w in policy.undetermined with input as doc
	w.unknown == ["engine"]
}

package rectify.aws.rds.instance_copy_tags_to_snapshot_test

import data.rectify.aws.rds.instance_copy_tags_to_snapshot as policy

db(props) := {"resource": {
	"type": "aws_db_instance",
	"address": null,
	"id": "orders",
	"plane": "live",
	"properties": object.union({"identifier": "orders", "engine": "postgres"}, props),
}}

test_off_denied if {
	some v in policy.deny with input as db({"copy_tags_to_snapshot": false})
	v.params == {"identifier": "orders"}
	contains(v.msg, "orders")
}

test_on_allowed if {
	count(policy.deny) == 0 with input as db({"copy_tags_to_snapshot": true})
}

test_cluster_members_left_to_the_cluster if {
	count(policy.deny) == 0 with input as db({"cluster_identifier": "c1", "engine": "postgres", "copy_tags_to_snapshot": false})
	count(policy.deny) == 0 with input as db({"engine": "aurora-mysql", "copy_tags_to_snapshot": false})
	count(policy.undetermined) == 0 with input as db({"engine": "aurora-postgresql"})
}

test_other_services_allowed if {
	every engine in ["neptune", "docdb"] {
		count(policy.deny) == 0 with input as db({"engine": engine, "copy_tags_to_snapshot": false})
	}
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as db({})
	some u in policy.undetermined with input as db({})
	u.unknown == ["copy_tags_to_snapshot"]
	count(policy.undetermined) == 0 with input as db({"copy_tags_to_snapshot": false})
}

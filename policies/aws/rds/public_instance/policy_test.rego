package rectify.aws.rds.public_instance_test

import data.rectify.aws.rds.public_instance as policy

db(props) := {"resource": {
	"type": "aws_db_instance",
	"address": null,
	"id": "orders",
	"plane": "live",
	"properties": props,
}}

test_public_denied if {
	some v in policy.deny with input as db({"identifier": "orders", "engine": "postgres", "publicly_accessible": true})
	v.params == {"identifier": "orders"}
	contains(v.msg, "orders")
}

test_private_allowed if {
	count(policy.deny) == 0 with input as db({"identifier": "orders", "engine": "postgres", "publicly_accessible": false})
}

test_unknown_allowed if {
	count(policy.deny) == 0 with input as db({"identifier": "orders"})
}

test_unknown_identifier_still_denied if {
	doc := {"resource": {"type": "aws_db_instance", "address": "aws_db_instance.orders", "id": "", "plane": "plan", "properties": {"publicly_accessible": true}}}
	some v in policy.deny with input as doc
	v.params == {"identifier": null}
	contains(v.msg, "aws_db_instance.orders")
}

test_undetermined_unknown_flag if {
	some u in policy.undetermined with input as db({"identifier": "orders"})
	u.unknown == ["publicly_accessible"]
	count(policy.undetermined) == 0 with input as db({"identifier": "orders", "publicly_accessible": false})
}

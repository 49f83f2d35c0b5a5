package rectify.aws.rds.auto_minor_version_upgrade_test

import data.rectify.aws.rds.auto_minor_version_upgrade as policy

db(props) := {"resource": {
	"type": "aws_db_instance",
	"address": null,
	"id": "orders",
	"plane": "live",
	"properties": object.union({"identifier": "orders", "engine": "mysql"}, props),
}}

test_off_denied if {
	some v in policy.deny with input as db({"auto_minor_version_upgrade": false})
	v.params == {"identifier": "orders"}
	contains(v.msg, "orders")
}

test_aurora_member_denied_too if {
	count(policy.deny) == 1 with input as db({"engine": "aurora-mysql", "cluster_identifier": "c1", "auto_minor_version_upgrade": false})
}

test_on_allowed if {
	count(policy.deny) == 0 with input as db({"auto_minor_version_upgrade": true})
}

test_other_services_allowed if {
	count(policy.deny) == 0 with input as db({"engine": "docdb", "auto_minor_version_upgrade": false})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as db({})
	some u in policy.undetermined with input as db({})
	u.unknown == ["auto_minor_version_upgrade"]
	count(policy.undetermined) == 0 with input as db({"auto_minor_version_upgrade": false})
}

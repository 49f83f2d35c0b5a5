package rectify.aws.rds.snapshot_public_test

import data.rectify.aws.rds.snapshot_public as policy

snapshot(props) := {"resource": {
	"type": "aws_db_snapshot",
	"address": null,
	"id": "orders-nightly",
	"plane": "live",
	"properties": object.union({"identifier": "orders-nightly", "instance_identifier": "orders"}, props),
}}

test_public_denied if {
	some v in policy.deny with input as snapshot({"shared_accounts": ["all"]})
	v.params == {"identifier": "orders-nightly"}
	contains(v.msg, "orders-nightly")
}

test_public_and_named_accounts_denied if {
	count(policy.deny) == 1 with input as snapshot({"shared_accounts": ["111122223333", "all"]})
}

test_private_or_shared_by_id_allowed if {
	every accounts in [[], ["111122223333"], ["111122223333", "444455556666"]] {
		count(policy.deny) == 0 with input as snapshot({"shared_accounts": accounts})
	}
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as snapshot({})
	some u in policy.undetermined with input as snapshot({})
	u.unknown == ["shared_accounts"]
	count(policy.undetermined) == 0 with input as snapshot({"shared_accounts": []})
}

test_new_snapshot_in_plan_denied if {
	doc := {"resource": {
		"type": "aws_db_snapshot", "address": "aws_db_snapshot.nightly", "id": "", "plane": "plan",
		"properties": {"shared_accounts": ["all"]},
	}}
	some v in policy.deny with input as doc
	v.params == {"identifier": null}
	contains(v.msg, "aws_db_snapshot.nightly")
}

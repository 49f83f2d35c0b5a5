package rectify.aws.ec2.snapshot_public_test

import data.rectify.aws.ec2.snapshot_public as policy

snapshot(props) := {"resource": {
	"type": "aws_ebs_snapshot",
	"address": null,
	"id": "snap-0a1b2c3d4e5f60718",
	"plane": "live",
	"properties": object.union({"snapshot_id": "snap-0a1b2c3d4e5f60718", "volume_id": "vol-0orders"}, props),
}}

test_public_denied if {
	some v in policy.deny with input as snapshot({"public": true, "shared_accounts": []})
	v.params == {"snapshot_id": "snap-0a1b2c3d4e5f60718"}
	contains(v.msg, "snap-0a1b2c3d4e5f60718")
}

test_public_and_named_accounts_denied_once if {
	count(policy.deny) == 1 with input as snapshot({"public": true, "shared_accounts": ["111122223333"]})
}

test_private_or_shared_by_id_allowed if {
	every accounts in [[], ["111122223333"], ["111122223333", "444455556666"]] {
		count(policy.deny) == 0 with input as snapshot({"public": false, "shared_accounts": accounts})
	}
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as snapshot({})
	some u in policy.undetermined with input as snapshot({})
	u.unknown == ["public"]
	count(policy.undetermined) == 0 with input as snapshot({"public": false})
}

test_without_id_labelled_by_address if {
	doc := {"resource": {
		"type": "aws_ebs_snapshot", "address": "aws_ebs_snapshot.nightly", "id": "", "plane": "live",
		"properties": {"public": true},
	}}
	some v in policy.deny with input as doc
	v.params == {"snapshot_id": null}
	contains(v.msg, "aws_ebs_snapshot.nightly")
}

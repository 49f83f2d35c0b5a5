package rectify.aws.rds.cluster_copy_tags_to_snapshot_test

import data.rectify.aws.rds.cluster_copy_tags_to_snapshot as policy

cluster(props) := {"resource": {
	"type": "aws_rds_cluster",
	"address": null,
	"id": "orders",
	"plane": "live",
	"properties": object.union({"identifier": "orders", "engine": "aurora-postgresql"}, props),
}}

test_off_denied if {
	some v in policy.deny with input as cluster({"copy_tags_to_snapshot": false})
	v.params == {"identifier": "orders"}
	contains(v.msg, "orders")
}

test_multi_az_cluster_denied if {
	count(policy.deny) == 1 with input as cluster({"engine": "mysql", "copy_tags_to_snapshot": false})
}

test_on_allowed if {
	count(policy.deny) == 0 with input as cluster({"copy_tags_to_snapshot": true})
}

test_neptune_and_docdb_left_to_their_controls if {
	every engine in ["neptune", "docdb"] {
		count(policy.deny) == 0 with input as cluster({"engine": engine, "copy_tags_to_snapshot": false})
		count(policy.undetermined) == 0 with input as cluster({"engine": engine})
	}
}

test_unknowns_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as cluster({})
	some u in policy.undetermined with input as cluster({})
	u.unknown == ["copy_tags_to_snapshot"]
	doc := json.remove(cluster({"copy_tags_to_snapshot": false}), ["resource/properties/engine"])
	count(policy.deny) == 0 with input as doc
	some w in policy.undetermined with input as doc
	w.unknown == ["engine"]
	count(policy.undetermined) == 0 with input as cluster({"copy_tags_to_snapshot": true})
}

package rectify.aws.lib_test

import data.rectify.aws.lib

test_label if {
	lib.label({"id": "sg-1", "address": "aws_security_group.a"}) == "sg-1"
	lib.label({"id": "", "address": "aws_security_group.a"}) == "aws_security_group.a"
	lib.label({"address": null}) == "(unknown id)"
}

test_zero_prefix if {
	every c in ["0.0.0.0/0", "::/0", "10.1.2.3/0", "0.0.0.0/00"] {
		lib.zero_prefix(c)
	}
	every c in ["0.0.0.0/1", "10.0.0.0/8", "::/1"] {
		not lib.zero_prefix(c)
	}
	not lib.zero_prefix(null)
}

test_reaches_port if {
	lib.reaches_port({"protocol": "-1"}, 5432)
	lib.reaches_port({"protocol": "tcp", "from_port": 5000, "to_port": 6000}, 5432)
	not lib.reaches_port({"protocol": "tcp", "from_port": 5433, "to_port": 6000}, 5432)
	not lib.reaches_port({"protocol": "icmp", "from_port": 0, "to_port": 65535}, 5432)
	not lib.reaches_port({"protocol": "tcp", "from_port": 0}, 5432) # to_port unknown
}

test_everyone if {
	lib.everyone("*")
	lib.everyone({"AWS": ["*"]})
	lib.everyone({"AWS": ["arn:aws:iam::123456789012:root", "*"]})
	not lib.everyone({"AWS": ["arn:aws:iam::123456789012:root"]})
	not lib.everyone({"Service": ["*"]})
}

test_grants_everyone if {
	lib.grants_everyone({"Effect": "Allow", "Principal": "*"})
	lib.grants_everyone({"Effect": "Allow", "NotPrincipal": {"AWS": ["arn:aws:iam::123456789012:root"]}})
	not lib.grants_everyone({"Effect": "Deny", "Principal": "*"})
	not lib.grants_everyone({"Effect": "Allow", "Principal": {"Service": ["s3.amazonaws.com"]}})
}

test_public_ingress if {
	rules := [
		{"protocol": "tcp", "cidr_ipv4": "10.0.0.0/8"},
		{"protocol": "tcp", "cidr_ipv6": "::/0"},
		{"protocol": "tcp", "cidr_ipv4": "0.0.0.0/0"},
		{"protocol": "tcp", "referenced_group_id": "sg-1"},
		{"protocol": "tcp"},
	]
	lib.public_ingress == [rules[2], rules[1]] with input as {"resource": {"properties": {"ingress": rules}}}
	lib.public_ingress == [] with input as {"resource": {"properties": {}}}
}

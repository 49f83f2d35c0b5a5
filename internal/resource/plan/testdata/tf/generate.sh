#!/bin/sh
# Regenerates the plan fixtures from the configurations under tf/:
#   tf/<pair-or-plan>/main.tf [terraform.tfstate] [modules]
# Each directory named pairs.<policy>.<case> writes
# ../pairs/<policy>/<case>/plan.json; plans.<name> writes ../plans/<name>.json.
# Needs terraform and the hashicorp/aws provider (TF_CLI_CONFIG_FILE may point
# at a filesystem mirror); no AWS account, since -refresh=false reads nothing.
# Arguments name the directories to regenerate; none means all.
set -eu
cd "$(dirname "$0")"
here=$(pwd)
[ $# -gt 0 ] || set -- */
for dir in "$@"; do
	dir=${dir%/}
	work=$(mktemp -d)
	cp -R "$dir"/. "$work"/
	cp provider.tf.txt "$work"/provider.tf
	(
		cd "$work"
		terraform init -input=false -no-color >/dev/null
		terraform plan -input=false -refresh=false -no-color -out=plan.bin >/dev/null
		terraform show -json plan.bin | python3 -m json.tool --indent 1 >plan.json
	)
	case $dir in
	pairs.*)
		rest=${dir#pairs.}
		out="$here/../pairs/${rest%.*}/${rest##*.}"
		;;
	plans.*) out="$here/../plans" ;;
	*) echo "skip $dir" >&2; rm -rf "$work"; continue ;;
	esac
	mkdir -p "$out"
	case $dir in
	pairs.*) cp "$work"/plan.json "$out"/plan.json ;;
	plans.*) cp "$work"/plan.json "$out/${dir#plans.}.json" ;;
	esac
	rm -rf "$work"
	echo "generated $dir"
done

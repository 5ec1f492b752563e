#!/usr/bin/env bash
# The bash completion against the built binary: command names and keys
# from --help, fixed values from the synopsis, object names from a database.
#   test-completion.sh COMPLETION_FILE   (BOOTDECK_BIN names the binary)
set -euo pipefail

completion=$1
bin=${BOOTDECK_BIN:?BOOTDECK_BIN names the bootdeck binary}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export BOOTDECK_LOG=$scratch/bootdeck.log XDG_DATA_HOME=$scratch/data XDG_STATE_HOME=$scratch/state

# shellcheck source=/dev/null
. "$completion"
failures=0

# complete WORD... : runs the completion with the cursor on the last word.
complete_words()
{
	COMP_WORDS=("$bin" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	_bootdeck || true
}

# expect DESCRIPTION WANTED... : every wanted word is among COMPREPLY.
expect()
{
	local what=$1 want got
	shift
	for want in "$@"; do
		for got in "${COMPREPLY[@]}"; do
			[[ $got == "$want" ]] && continue 2
		done
		echo "FAIL $what: '$want' not offered (got: ${COMPREPLY[*]})"
		failures=$((failures + 1))
		return
	done
	echo "ok   $what"
}

# refuse DESCRIPTION UNWANTED... : none of them is offered.
refuse()
{
	local what=$1 bad got
	shift
	for bad in "$@"; do
		for got in "${COMPREPLY[@]}"; do
			if [[ $got == "$bad" ]]; then
				echo "FAIL $what: '$bad' offered"
				failures=$((failures + 1))
				return
			fi
		done
	done
	echo "ok   $what"
}

mapfile -t commands < <("$bin" --help | sed -n '/^Commands/,$ s/^  \([A-Za-z][A-Za-z]*\) .*/\1/p')
[ "${#commands[@]}" -gt 20 ] || { echo "FAIL --help lists only ${#commands[@]} commands"; exit 1; }
complete_words ""
expect "every command of --help" "${commands[@]}"
[ "${#COMPREPLY[@]}" -eq "${#commands[@]}" ] ||
	{ echo "FAIL ${#COMPREPLY[@]} words offered for ${#commands[@]} commands"; failures=$((failures + 1)); }

complete_words dep
expect "a prefix picks its command" deployVirtualMachine
refuse "and only that" listHosts

complete_words deployVirtualMachine ""
expect "deploy keys" name= templateid= serviceofferingid= boottype= bootmode= clusterid= hostid= startvm= displayname=
refuse "no keys of other commands" url= allocationstate=

complete_words deployVirtualMachine boottype=
expect "boot types" boottype=BIOS boottype=UEFI
complete_words deployVirtualMachine bootmode=S
expect "boot mode by prefix" bootmode=SECURE
refuse "only matching modes" bootmode=LEGACY

complete_words create cluster ""
expect "verb noun form" name= cpuovercommitratio=

complete_words -o ""
expect "output formats" json table csv

complete_words --db "$scratch/db" -o json listHosts ""
expect "keys after options" id= clusterid= ueficapability=

# Object names come from the database named with --db.
"$bin" --db "$scratch/db" createCluster name=zone-a >/dev/null
"$bin" --db "$scratch/db" createCluster name=zone-b >/dev/null
complete_words --db "$scratch/db" addHost clusterid=
expect "cluster names" clusterid=zone-a clusterid=zone-b
complete_words --db "$scratch/db" deleteCluster id=zone-b
expect "id= of the command's noun" id=zone-b
refuse "filtered by prefix" id=zone-a

[ "$failures" -eq 0 ] || { echo "$failures completion checks failed"; exit 1; }
echo "all completion checks passed"

# shellcheck shell=bash
# Shell helpers for the fleet tests: serial-log polling, domain
# capability queries and assertions that say what was expected and what
# was seen.  Sourced by fleet.sh and the test scripts (bash only).
#
# Output is TAP-like: "ok N - what" / "not ok N - what" with "# " lines
# for detail; fleet_finish prints the plan and returns non-zero when any
# check failed.

fleet_tests_run=0
fleet_tests_failed=0

fleet_note()
{
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

fleet_ok()
{
	fleet_tests_run=$((fleet_tests_run + 1))
	printf 'ok %d - %s\n' "$fleet_tests_run" "$1"
}

# fleet_not_ok WHAT EXPECTED SEEN
fleet_not_ok()
{
	fleet_tests_run=$((fleet_tests_run + 1))
	fleet_tests_failed=$((fleet_tests_failed + 1))
	printf 'not ok %d - %s\n' "$fleet_tests_run" "$1"
	fleet_note "expected: $2"
	fleet_note "seen:     $3"
}

# fleet_assert_eq WHAT EXPECTED SEEN
fleet_assert_eq()
{
	if [ "$2" = "$3" ]; then
		fleet_ok "$1"
		return 0
	fi
	fleet_not_ok "$1" "'$2'" "'$3'"
	return 1
}

# fleet_assert_match WHAT EXTENDED-REGEX TEXT
fleet_assert_match()
{
	if grep -Eq -- "$2" <<<"$3"; then
		fleet_ok "$1"
		return 0
	fi
	fleet_not_ok "$1" "text matching /$2/" "$3"
	return 1
}

# fleet_assert_no_match WHAT EXTENDED-REGEX TEXT
fleet_assert_no_match()
{
	if ! grep -Eq -- "$2" <<<"$3"; then
		fleet_ok "$1"
		return 0
	fi
	fleet_not_ok "$1" "no text matching /$2/" "$3"
	return 1
}

# fleet_assert_file_absent WHAT PATH
fleet_assert_file_absent()
{
	if [ ! -e "$2" ]; then
		fleet_ok "$1"
		return 0
	fi
	fleet_not_ok "$1" "no file '$2'" "$(ls -l "$2" 2>&1)"
	return 1
}

# fleet_assert_file_present WHAT PATH
fleet_assert_file_present()
{
	if [ -e "$2" ]; then
		fleet_ok "$1"
		return 0
	fi
	fleet_not_ok "$1" "file '$2'" "no such file"
	return 1
}

fleet_skip()
{
	fleet_tests_run=$((fleet_tests_run + 1))
	printf 'ok %d - %s # SKIP %s\n' "$fleet_tests_run" "$1" "$2"
}

# Print the plan; the return value is the script's exit status.
fleet_finish()
{
	printf '1..%d\n' "$fleet_tests_run"
	if [ "$fleet_tests_failed" -ne 0 ]; then
		fleet_note "$fleet_tests_failed of $fleet_tests_run checks failed"
		return 1
	fi
	return 0
}

# Milliseconds since the epoch, for boot timings.
fleet_now_ms()
{
	date +%s%3N
}

# fleet_wait_serial FILE PATTERN TIMEOUT-SECONDS
# Poll a serial log until an extended regex PATTERN shows up.  Prints the
# matching line and returns 0, or returns 1 after TIMEOUT seconds.
# Console output carries CRs and escape sequences, so both are stripped
# before matching.
fleet_wait_serial()
{
	local file=$1 pattern=$2 timeout=$3
	local deadline=$((SECONDS + timeout))
	local line

	while :; do
		if [ -r "$file" ]; then
			line=$(tr -d '\r' <"$file" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' |
				grep -Ea -m1 -- "$pattern" || true)
			if [ -n "$line" ]; then
				printf '%s\n' "$line"
				return 0
			fi
		fi
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# fleet_serial_text FILE: the serial log as plain text.
fleet_serial_text()
{
	[ -r "$1" ] || return 0
	tr -d '\r' <"$1" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | tr -cd '\11\12\40-\176'
}

# fleet_domcaps URI: the domain capabilities XML of a host for q35 under
# TCG (the i440fx default gives wrong firmware answers).
fleet_domcaps()
{
	# On a terminal virsh offers a polkit agent and, with none installed,
	# says "Authorization not available": session daemons need none.
	virsh -q -c "$1" domcapabilities --machine q35 --virttype qemu --arch x86_64 \
		2> >(grep -v '^Authorization not available' >&2)
}

# fleet_domcaps_summary URI: "firmware=<values> secure=<values>
# loaders=<count>" on one line, for comparing hosts.
fleet_domcaps_summary()
{
	local caps firmware secure loaders

	caps=$(fleet_domcaps "$1") || return 1
	firmware=$(xmllint --xpath "//os/enum[@name='firmware']/value/text()" - <<<"$caps" 2>/dev/null |
		tr '\n' ',' | sed 's/,$//') || true
	secure=$(xmllint --xpath "//os/loader/enum[@name='secure']/value/text()" - <<<"$caps" 2>/dev/null |
		tr '\n' ',' | sed 's/,$//') || true
	loaders=$(xmllint --xpath "count(//os/loader/value)" - <<<"$caps" 2>/dev/null) || true
	printf 'firmware=%s secure=%s loaders=%s\n' "${firmware:-}" "${secure:-}" "${loaders:-0}"
}

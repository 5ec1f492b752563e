#!/bin/bash
# The fleet harness itself: fleet.sh brings up three hosts that report
# the firmware they were built to offer, "up" twice keeps the same
# daemons, "down" stops them and may be repeated, bad input is named.
# Always uses its own fleet in a temporary directory.  Output is TAP.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/fleet/lib.sh
. "$here/lib.sh"
fleet=$here/fleet.sh

dir=$(mktemp -d /tmp/bdfleet.XXXXXX)
chmod 0755 "$dir"
trap '"$fleet" down "$dir" --purge >/dev/null 2>&1 || true' EXIT

daemon_pids()
{
	local host
	for host in full nosecure nouefi; do
		cat "$dir/$host/libvirtd.pid" 2>/dev/null || echo none
	done | tr '\n' ' '
}

out=$("$fleet" env "$dir" 2>&1) && status=0 || status=$?
fleet_assert_match "env before up fails naming the directory" \
	"no fleet at '$dir'" "status=$status $out" || true

out=$("$fleet" frobnicate "$dir" 2>&1) && status=0 || status=$?
fleet_assert_match "unknown command is refused by name" \
	"unknown command 'frobnicate'; accepted: up, down, env" "status=$status $out" || true

if ! out=$("$fleet" up "$dir" 2>&1); then
	fleet_not_ok "fleet comes up" "exit status 0" "$out"
	fleet_finish
	exit 1
fi
fleet_ok "fleet comes up"
fleet_note "$out"

env_text=$("$fleet" env "$dir")
for var in FLEET_FULL_URI FLEET_NOSECURE_URI FLEET_NOUEFI_URI FLEET_USER FLEET_DIR; do
	fleet_assert_match "fleet.env sets $var" "^$var=." "$env_text" || true
done
set -a
# shellcheck disable=SC1091 # written at run time
. "$dir/fleet.env"
set +a
fleet_assert_eq "FLEET_DIR names the directory" "$dir" "$FLEET_DIR" || true
if [ "$(id -u)" -eq 0 ]; then
	fleet_assert_eq "as root the daemons belong to bdfleet" bdfleet "$FLEET_USER" || true
fi

for host in full nosecure nouefi; do
	pid=$(cat "$dir/$host/libvirtd.pid")
	fleet_assert_eq "$host: libvirtd runs as '$FLEET_USER'" "$FLEET_USER" \
		"$(stat -c %U "/proc/$pid" 2>&1)" || true
	fleet_assert_eq "$host: runtime directory is private" 700 \
		"$(stat -c %a "$dir/$host/run" 2>&1)" || true
done

summary=$(fleet_domcaps_summary "$FLEET_FULL_URI")
fleet_assert_match "full: offers UEFI with and without Secure Boot" \
	'^firmware=efi secure=(yes,no|no,yes) loaders=[1-9]' "$summary" || true
summary=$(fleet_domcaps_summary "$FLEET_NOSECURE_URI")
fleet_assert_match "nosecure: offers UEFI, Secure Boot only 'no'" \
	'^firmware=efi secure=no loaders=1$' "$summary" || true
fleet_assert_match "nosecure: its one loader is the 4M non-secure image" \
	"<value>/usr/share/OVMF/OVMF_CODE_4M.fd</value>" \
	"$(fleet_domcaps "$FLEET_NOSECURE_URI" | grep -F '<value>/')" || true
summary=$(fleet_domcaps_summary "$FLEET_NOUEFI_URI")
fleet_assert_match "nouefi: no firmware value, no loader" \
	'^firmware= secure=[a-z,]* loaders=0$' "$summary" || true

for desc in 40-edk2-x86_64-secure-enrolled.json 50-edk2-x86_64-secure.json; do
	fleet_assert_eq "nosecure: '$desc' masked by an empty file" yes \
		"$([ -f "$dir/nosecure/config/qemu/firmware/$desc" ] &&
			[ ! -s "$dir/nosecure/config/qemu/firmware/$desc" ] && echo yes || echo no)" || true
done
fleet_assert_eq "nosecure: the non-secure descriptor stays visible" no \
	"$([ -e "$dir/nosecure/config/qemu/firmware/60-edk2-x86_64.json" ] && echo yes || echo no)" || true

pids_before=$(daemon_pids)
out=$("$fleet" up "$dir" 2>&1) && status=0 || status=$?
fleet_assert_eq "up again succeeds" 0 "$status" || true
fleet_assert_eq "up again keeps the same daemons" "$pids_before" "$(daemon_pids)" || true

out=$("$fleet" down "$dir" 2>&1) && status=0 || status=$?
fleet_assert_eq "down succeeds" 0 "$status" || true
alive=
for pid in $pids_before; do
	[ -d "/proc/$pid" ] && alive="$alive $pid"
done
fleet_assert_eq "down stops every daemon" "" "$alive" || true
fleet_assert_file_present "down keeps the directory unless asked" "$dir/fleet.env" || true

out=$("$fleet" down "$dir" 2>&1) && status=0 || status=$?
fleet_assert_eq "down twice is harmless" 0 "$status" || true

out=$("$fleet" down "$dir" --wipe 2>&1) && status=0 || status=$?
fleet_assert_match "unknown down option is refused by name" \
	"unknown option '--wipe' for down; accepted: --purge" "status=$status $out" || true

"$fleet" down "$dir" --purge >/dev/null
fleet_assert_file_absent "down --purge removes the directory" "$dir" || true

fleet_finish

#!/bin/bash
# Prove the firmware recipes on real QEMU guests (TCG) of the private
# fleet, by what each guest prints on its serial console:
#
#   full      BIOS, UEFI LEGACY and UEFI SECURE boot; Secure Boot refuses
#             an unsigned loader that boots fine without it;
#             NVRAM goes away only with undefine --nvram
#   nosecure  a SECURE guest is refused, a LEGACY one boots non-secure
#   nouefi    a UEFI guest is refused, a BIOS one boots
#
# Uses the fleet named by FLEET_FULL_URI & co. (see fleet.sh env) or brings
# up its own in a temporary directory.  Images are built (cached) into
# FLEET_IMAGES_DIR, default DIR/images.  Output is TAP; boot times to the
# marker are printed as "# boot-time ..." lines.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/fleet/lib.sh
. "$here/lib.sh"

# Seconds to wait for a console line; TCG boots take 1-25 s here.
BOOT_TIMEOUT=${FLEET_BOOT_TIMEOUT:-90}

own_fleet=
run_dir=
declare -A defined=()	# "uri|name" of domains this run defined

as_fleet_user()
{
	if [ "$(id -u)" -eq 0 ] && [ "$FLEET_USER" != root ]; then
		runuser -u "$FLEET_USER" -- "$@"
	else
		"$@"
	fi
}

cleanup()
{
	local key uri name
	for key in "${!defined[@]}"; do
		uri=${key%%|*}
		name=${key#*|}
		virsh -q -c "$uri" destroy "$name" >/dev/null 2>&1 || true
		virsh -q -c "$uri" undefine --nvram "$name" >/dev/null 2>&1 || true
	done
	if [ -n "$run_dir" ]; then
		rm -rf "$run_dir"
	fi
	if [ -n "$own_fleet" ]; then
		"$here/fleet.sh" down "$own_fleet" --purge >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

if [ -z "${FLEET_FULL_URI:-}" ]; then
	# Short path: the socket path must fit in 108 bytes.
	own_fleet=$(mktemp -d /tmp/bdfleet.XXXXXX)
	chmod 0755 "$own_fleet"
	"$here/fleet.sh" up "$own_fleet" | sed 's/^/# /'
	set -a
	# shellcheck disable=SC1091
	. "$own_fleet/fleet.env"
	set +a
fi
for var in FLEET_FULL_URI FLEET_NOSECURE_URI FLEET_NOUEFI_URI FLEET_USER FLEET_DIR; do
	[ -n "${!var:-}" ] || { echo "Bail out! $var is not set"; exit 1; }
done

images=${FLEET_IMAGES_DIR:-$FLEET_DIR/images}
"$source_root/tests/fixtures/make-images.sh" "$images" | sed 's/^/# /'
images=$(cd "$images" && pwd)
if ! as_fleet_user test -r "$images/hybrid.iso"; then
	echo "Bail out! images in '$images' are not readable by user '$FLEET_USER'"
	exit 1
fi

run_dir=$FLEET_DIR/guests-$$
mkdir -p "$run_dir"
if [ "$(id -u)" -eq 0 ]; then
	chown "$FLEET_USER:" "$run_dir"
fi

# guest_prepare NAME TEMPLATE BASE-IMAGE: write NAME's overlay disk (owned
# by the fleet user) and domain XML; prints the XML path.
guest_prepare()
{
	local name=$1 template=$2 base=$3
	local disk="$run_dir/$name.qcow2" xml="$run_dir/$name.xml"
	local format=qcow2

	case "$base" in
	*.iso | *.img) format=raw ;;
	esac
	as_fleet_user qemu-img create -q -f qcow2 -b "$base" -F "$format" "$disk"
	sed -e "s|@NAME@|$name|g" -e "s|@DISK@|$disk|g" \
		-e "s|@SERIAL@|$run_dir/$name.log|g" \
		"$here/domains/$template.xml.in" >"$xml"
	printf '%s\n' "$xml"
}

guest_define()
{
	local uri=$1 name=$2 xml=$3
	virsh -q -c "$uri" define "$xml" >/dev/null || return 1
	defined["$uri|$name"]=1
}

guest_serial()
{
	printf '%s\n' "$run_dir/$1.log"
}

guest_state()
{
	virsh -q -c "$1" domstate "$2" 2>/dev/null | head -n1
}

# guest_stop URI NAME: give a halting guest a moment, then force it off.
guest_stop()
{
	local uri=$1 name=$2 i
	for ((i = 0; i < 25; i++)); do
		[ "$(guest_state "$uri" "$name")" = "shut off" ] && return 0
		sleep 0.2
	done
	virsh -q -c "$uri" destroy "$name" >/dev/null 2>&1 || true
}

guest_undefine()
{
	local uri=$1 name=$2
	virsh -q -c "$uri" undefine --nvram "$name" >/dev/null
	unset "defined[$uri|$name]"
}

# boot_to_marker HOST-LABEL MODE URI NAME TEMPLATE IMAGE MARKER [FIRST-LINE]
# Boot a guest and check that FIRST-LINE (a firmware banner) and then
# MARKER show up on its console; prints the time from start to marker.
# Leaves the guest defined (and shut off) for further checks.
boot_to_marker()
{
	local host=$1 mode=$2 uri=$3 name=$4 template=$5 image=$6 marker=$7
	local banner=${8-}
	local xml serial start seen elapsed

	xml=$(guest_prepare "$name" "$template" "$image")
	serial=$(guest_serial "$name")
	if ! guest_define "$uri" "$name" "$xml"; then
		fleet_not_ok "$host: $mode guest '$name' defined" "define succeeds" "define failed"
		return 1
	fi
	start=$(fleet_now_ms)
	if ! virsh -q -c "$uri" start "$name" >/dev/null; then
		fleet_not_ok "$host: $mode guest '$name' started" "start succeeds" "start failed"
		return 1
	fi
	# Read while running: firmware choices are resolved at start.
	live_xml=$(virsh -q -c "$uri" dumpxml "$name" 2>/dev/null || true)
	if seen=$(fleet_wait_serial "$serial" "$marker" "$BOOT_TIMEOUT"); then
		elapsed=$(($(fleet_now_ms) - start))
		fleet_ok "$host: $mode guest '$name' printed /$marker/"
		printf '# boot-time host=%s mode=%s image=%s to-marker=%d.%03ds\n' \
			"$host" "$mode" "$(basename "$image")" \
			$((elapsed / 1000)) $((elapsed % 1000))
	else
		fleet_not_ok "$host: $mode guest '$name' printed /$marker/" \
			"/$marker/ within ${BOOT_TIMEOUT}s" \
			"$(fleet_serial_text "$serial" | tail -n 15)"
	fi
	if [ -n "$banner" ]; then
		fleet_assert_match "$host: $mode guest '$name' firmware banner" \
			"$banner" "$(fleet_serial_text "$serial")" || true
	fi
	guest_stop "$uri" "$name"
}

# loader_of XML: "secure=<yes|no|> path=<loader path>" of a live domain.
loader_of()
{
	local secure path
	secure=$(xmllint --xpath 'string(//os/loader/@secure)' - <<<"$1" 2>/dev/null || true)
	path=$(xmllint --xpath 'string(//os/loader)' - <<<"$1" 2>/dev/null || true)
	printf 'secure=%s path=%s\n' "$secure" "$path"
}

nvram_of()
{
	xmllint --xpath 'string(//os/nvram)' - <<<"$1" 2>/dev/null || true
}

# expect_refused HOST MODE URI NAME TEMPLATE IMAGE: the host has no
# firmware for this guest, so libvirt must refuse it at define or at
# start, and no guest may run.  The exact error is printed.
expect_refused()
{
	local host=$1 mode=$2 uri=$3 name=$4 template=$5 image=$6
	local xml error step

	xml=$(guest_prepare "$name" "$template" "$image")
	if ! error=$(virsh -q -c "$uri" define "$xml" 2>&1 >/dev/null); then
		step=define
	else
		defined["$uri|$name"]=1
		if ! error=$(virsh -q -c "$uri" start "$name" 2>&1 >/dev/null); then
			step=start
		else
			step=none
		fi
	fi
	fleet_note "$host refuses $mode at $step: $(tr '\n' ' ' <<<"$error")"
	if [ "$step" = none ]; then
		fleet_not_ok "$host: $mode guest '$name' refused" \
			"define or start fails for lack of firmware" \
			"guest started: $(guest_state "$uri" "$name")"
		virsh -q -c "$uri" destroy "$name" >/dev/null 2>&1 || true
		return 1
	fi
	fleet_assert_match "$host: $mode guest '$name' refused for lack of firmware" \
		"firmware" "$error" || true
	fleet_assert_no_match "$host: $mode guest '$name' never ran" \
		"BOOTDECK-MARKER" "$(fleet_serial_text "$(guest_serial "$name")")" || true
}

tag=bd$$
live_xml=

# --- full: BIOS -----------------------------------------------------------
boot_to_marker full BIOS "$FLEET_FULL_URI" "$tag-bios" bios-cdrom \
	"$images/hybrid.iso" 'BOOTDECK-MARKER platform=pc' 'SeaBIOS \(version' || true
fleet_assert_eq "full: BIOS guest has no UEFI loader" "secure= path=" \
	"$(loader_of "$live_xml")" || true
guest_undefine "$FLEET_FULL_URI" "$tag-bios"

# --- full: UEFI LEGACY ----------------------------------------------------
boot_to_marker full UEFI-LEGACY "$FLEET_FULL_URI" "$tag-legacy" uefi-legacy-cdrom \
	"$images/hybrid.iso" 'BOOTDECK-MARKER platform=efi' 'BdsDxe: (loading|starting) Boot' || true
fleet_assert_match "full: UEFI-LEGACY guest got a non-secure OVMF" \
	'^secure=(no)? path=/.*OVMF_CODE[^ ]*\.fd$' "$(loader_of "$live_xml")" || true
fleet_assert_no_match "full: UEFI-LEGACY guest did not get the Secure Boot image" \
	'secboot|\.ms\.fd|snakeoil' "$(loader_of "$live_xml")" || true
legacy_nvram=$(nvram_of "$live_xml")

# NVRAM lifecycle: plain undefine must refuse, --nvram must remove the file.
fleet_assert_file_present "full: UEFI-LEGACY guest has its NVRAM file" \
	"${legacy_nvram:-<no nvram in live XML>}" || true
if error=$(virsh -q -c "$FLEET_FULL_URI" undefine "$tag-legacy" 2>&1 >/dev/null); then
	fleet_not_ok "full: plain undefine of a UEFI guest is refused" \
		"an error about nvram" "undefine succeeded"
	unset "defined[$FLEET_FULL_URI|$tag-legacy]"
else
	fleet_note "full refuses plain undefine: $error"
	fleet_assert_match "full: plain undefine of a UEFI guest is refused" \
		'nvram' "$error" || true
	guest_undefine "$FLEET_FULL_URI" "$tag-legacy"
fi
fleet_assert_file_absent "full: undefine --nvram removed '$legacy_nvram'" \
	"${legacy_nvram:-<no nvram in live XML>}" || true

# --- full: UEFI SECURE, signed chain --------------------------------------
boot_to_marker full UEFI-SECURE "$FLEET_FULL_URI" "$tag-secure" uefi-secure-disk \
	"$images/secure.qcow2" 'BOOTDECK-MARKER secure' 'BdsDxe: (loading|starting) Boot' || true
fleet_assert_match "full: UEFI-SECURE guest got an enforcing Secure Boot OVMF" \
	'^secure=yes path=/.*\.ms\.fd$' "$(loader_of "$live_xml")" || true
secure_nvram=$(nvram_of "$live_xml")
guest_undefine "$FLEET_FULL_URI" "$tag-secure"
fleet_assert_file_absent "full: undefine --nvram removed '$secure_nvram'" \
	"${secure_nvram:-<no nvram in live XML>}" || true

# --- full: unsigned loader, first without then with Secure Boot -----------
# The control case shows the image itself boots, so a refusal below is
# the firmware's doing.
boot_to_marker full UEFI-LEGACY "$FLEET_FULL_URI" "$tag-unsigned-ok" uefi-legacy-disk \
	"$images/unsigned.qcow2" 'BOOTDECK-MARKER unsigned platform=efi' || true
guest_undefine "$FLEET_FULL_URI" "$tag-unsigned-ok"

name=$tag-unsigned-sb
xml=$(guest_prepare "$name" uefi-secure-disk "$images/unsigned.qcow2")
guest_define "$FLEET_FULL_URI" "$name" "$xml"
start=$(fleet_now_ms)
virsh -q -c "$FLEET_FULL_URI" start "$name" >/dev/null
if seen=$(fleet_wait_serial "$(guest_serial "$name")" 'Security Violation|Access Denied' "$BOOT_TIMEOUT"); then
	elapsed=$(($(fleet_now_ms) - start))
	fleet_ok "full: UEFI-SECURE refuses the unsigned loader"
	fleet_note "console: $seen"
	printf '# boot-time host=full mode=UEFI-SECURE image=unsigned.qcow2 to-refusal=%d.%03ds\n' \
		$((elapsed / 1000)) $((elapsed % 1000))
else
	fleet_not_ok "full: UEFI-SECURE refuses the unsigned loader" \
		"'Security Violation' or 'Access Denied' within ${BOOT_TIMEOUT}s" \
		"$(fleet_serial_text "$(guest_serial "$name")" | tail -n 15)"
fi
virsh -q -c "$FLEET_FULL_URI" destroy "$name" >/dev/null 2>&1 || true
fleet_assert_no_match "full: unsigned loader never ran under Secure Boot" \
	'BOOTDECK-MARKER' "$(fleet_serial_text "$(guest_serial "$name")")" || true
guest_undefine "$FLEET_FULL_URI" "$name"

# --- nosecure ---------------------------------------------------------------
expect_refused nosecure UEFI-SECURE "$FLEET_NOSECURE_URI" "$tag-ns-secure" \
	uefi-secure-disk "$images/secure.qcow2" || true
boot_to_marker nosecure UEFI-LEGACY "$FLEET_NOSECURE_URI" "$tag-ns-legacy" uefi-legacy-cdrom \
	"$images/hybrid.iso" 'BOOTDECK-MARKER platform=efi' 'BdsDxe: (loading|starting) Boot' || true
fleet_assert_match "nosecure: UEFI-LEGACY guest got the 4M non-secure OVMF" \
	'^secure=(no)? path=/usr/share/OVMF/OVMF_CODE_4M\.fd$' "$(loader_of "$live_xml")" || true
guest_undefine "$FLEET_NOSECURE_URI" "$tag-ns-legacy"

# --- nouefi -----------------------------------------------------------------
expect_refused nouefi UEFI-LEGACY "$FLEET_NOUEFI_URI" "$tag-nu-legacy" \
	uefi-legacy-cdrom "$images/hybrid.iso" || true
expect_refused nouefi UEFI-SECURE "$FLEET_NOUEFI_URI" "$tag-nu-secure" \
	uefi-secure-disk "$images/secure.qcow2" || true
boot_to_marker nouefi BIOS "$FLEET_NOUEFI_URI" "$tag-nu-bios" bios-cdrom \
	"$images/hybrid.iso" 'BOOTDECK-MARKER platform=pc' 'SeaBIOS \(version' || true
guest_undefine "$FLEET_NOUEFI_URI" "$tag-nu-bios"

fleet_finish

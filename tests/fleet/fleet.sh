#!/bin/bash
# A private mixed fleet: three libvirt session daemons, each a separate
# host with its own firmware, run by an unprivileged user inside DIR.
#
#   fleet.sh up DIR           start (or keep) the three hosts, write DIR/fleet.env
#   fleet.sh down DIR [--purge]
#                             stop guests and daemons; --purge also removes DIR
#   fleet.sh env DIR          print DIR/fleet.env
#
# Hosts:
#   full      every firmware descriptor: UEFI and Secure Boot
#   nosecure  Secure Boot descriptors masked, fallback list = 4M non-secure pair
#   nouefi    every UEFI descriptor masked, fallback list = nonexistent pair
#
# As root the daemons run as the system user "bdfleet" (created if
# missing), since a root session daemon would be the system one; as a
# normal user they run as that user.
set -euo pipefail

fleet_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/fleet/lib.sh
. "$fleet_here/lib.sh"

FLEET_HOSTS=(full nosecure nouefi)
FLEET_SYSTEM_USER=bdfleet
FLEET_FIRMWARE_DIRS=(/usr/share/qemu/firmware /etc/qemu/firmware)
FLEET_OVMF_DIR=/usr/share/OVMF
FLEET_SOCKET_WAIT=30

# Each daemon runs under a subreaper: libvirt starts QEMU as a daemon, so a
# QEMU that exits is reparented and reaped by the nearest subreaper, else
# by PID 1. Until it is reaped it is a zombie that libvirt takes for alive,
# and every destroy waits for it: 1.5 s per guest here, where PID 1 reaps
# slowly. The subreaper reaps at once and ends with the daemon.
FLEET_REAPER='import ctypes, os, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
daemon = os.fork()
if daemon == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
while True:
    child, status = os.wait()
    if child == daemon:
        sys.exit(os.waitstatus_to_exitcode(status) & 0xff)'

die()
{
	printf 'fleet.sh: %s\n' "$*" >&2
	exit 1
}

usage()
{
	cat >&2 <<-EOF
	usage: fleet.sh up DIR | down DIR [--purge] | env DIR
	EOF
	exit 2
}

fleet_user()
{
	if [ "$(id -u)" -eq 0 ]; then
		printf '%s\n' "$FLEET_SYSTEM_USER"
	else
		id -un
	fi
}

# Run a command as the fleet user with one host's XDG environment.
fleet_as_user()
{
	local host=$1
	shift
	local base="$FLEET_DIR/$host"
	local -a envs=(
		"HOME=$base/home"
		"XDG_CONFIG_HOME=$base/config"
		"XDG_RUNTIME_DIR=$base/run"
		"XDG_CACHE_HOME=$base/cache"
		"XDG_DATA_HOME=$base/data"
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin"
	)
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$FLEET_USER" -- env -i "${envs[@]}" "$@"
	else
		env -i "${envs[@]}" "$@"
	fi
}

fleet_socket()
{
	printf '%s\n' "$FLEET_DIR/$1/run/libvirt/libvirt-sock"
}

fleet_uri()
{
	printf 'qemu+unix:///session?socket=%s\n' "$(fleet_socket "$1")"
}

fleet_pidfile()
{
	printf '%s\n' "$FLEET_DIR/$1/libvirtd.pid"
}

# The pid of a host's libvirtd if it is alive, else nothing.
fleet_daemon_pid()
{
	local pidfile pid
	pidfile=$(fleet_pidfile "$1")
	[ -r "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	[[ "$pid" =~ ^[0-9]+$ ]] || return 0
	# A stale pid file may name an unrelated process by now.
	if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = libvirtd ]; then
		printf '%s\n' "$pid"
	fi
}

fleet_ensure_user()
{
	[ "$(id -u)" -eq 0 ] || return 0
	if ! getent passwd "$FLEET_SYSTEM_USER" >/dev/null; then
		useradd --system --create-home --shell /usr/sbin/nologin \
			"$FLEET_SYSTEM_USER"
	fi
	# TCG needs no /dev/kvm, but let the user reach it where it exists so
	# a probe can find out what KVM refuses.
	if getent group kvm >/dev/null; then
		usermod -a -G kvm "$FLEET_SYSTEM_USER"
	fi
}

# Every directory above DIR must be searchable by the fleet user, or the
# daemons cannot reach their own files.
fleet_check_reachable()
{
	[ "$(id -u)" -eq 0 ] || return 0
	if ! runuser -u "$FLEET_USER" -- test -x "$FLEET_DIR"; then
		die "fleet directory '$FLEET_DIR' is not reachable by user '$FLEET_USER'; choose a directory whose parents are world-searchable (e.g. under /tmp)"
	fi
}

# Empty files named like system descriptors mask them for this daemon.
# $2 selects which: "secure" (descriptors offering secure-boot) or "uefi"
# (every UEFI descriptor).
fleet_mask_descriptors()
{
	local host=$1 which=$2
	local fwdir="$FLEET_DIR/$host/config/qemu/firmware"
	local dir desc

	mkdir -p "$fwdir"
	for dir in "${FLEET_FIRMWARE_DIRS[@]}"; do
		[ -d "$dir" ] || continue
		for desc in "$dir"/*.json; do
			[ -f "$desc" ] || continue
			case "$which" in
			secure)
				grep -q '"secure-boot"' "$desc" || continue
				;;
			uefi)
				grep -q '"uefi"' "$desc" || continue
				;;
			esac
			: >"$fwdir/$(basename "$desc")"
		done
	done
}

fleet_write_qemu_conf()
{
	local host=$1
	local confdir="$FLEET_DIR/$host/config/libvirt"
	local conf="$confdir/qemu.conf"

	mkdir -p "$confdir"
	{
		echo "# Written by fleet.sh for host '$host'."
		# Keep console output in plain files, no virtlogd per host.
		echo 'stdio_handler = "file"'
		case "$host" in
		nosecure)
			[ -r "$FLEET_OVMF_DIR/OVMF_CODE_4M.fd" ] ||
				die "missing '$FLEET_OVMF_DIR/OVMF_CODE_4M.fd' (package ovmf)"
			echo "nvram = [ \"$FLEET_OVMF_DIR/OVMF_CODE_4M.fd:$FLEET_OVMF_DIR/OVMF_VARS_4M.fd\" ]"
			;;
		nouefi)
			# The compiled-in default lists Debian's 2M images, which exist:
			# name a pair that does not, so no loader is offered at all.
			echo "nvram = [ \"$FLEET_DIR/$host/absent/OVMF_CODE.fd:$FLEET_DIR/$host/absent/OVMF_VARS.fd\" ]"
			;;
		esac
	} >"$conf"
}

fleet_prepare_host()
{
	local host=$1
	local base="$FLEET_DIR/$host"

	mkdir -p "$base"/{home,config,cache,data,run}
	chmod 0700 "$base/run"
	rm -rf "$base/config/qemu/firmware"
	case "$host" in
	nosecure) fleet_mask_descriptors "$host" secure ;;
	nouefi) fleet_mask_descriptors "$host" uefi ;;
	esac
	fleet_write_qemu_conf "$host"
}

fleet_start_host()
{
	local host=$1
	local socket pid i

	socket=$(fleet_socket "$host")
	# sun_path holds 108 bytes including the terminating NUL.
	[ "${#socket}" -lt 108 ] ||
		die "socket path '$socket' is ${#socket} bytes; a unix socket path must be under 108: use a shorter DIR"

	pid=$(fleet_daemon_pid "$host")
	if [ -n "$pid" ] && [ -S "$socket" ]; then
		echo "fleet.sh: host '$host' already running (pid $pid)"
		return 0
	fi

	fleet_prepare_host "$host"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R "$FLEET_USER:" "$FLEET_DIR/$host"
	fi
	rm -f "$socket" "$(fleet_pidfile "$host")"

	fleet_as_user "$host" python3 -c "$FLEET_REAPER" libvirtd --timeout=0 \
		--pid-file="$(fleet_pidfile "$host")" \
		</dev/null >>"$FLEET_DIR/$host/libvirtd.log" 2>&1 &
	echo "$!" >"$FLEET_DIR/$host/launcher.pid"

	for ((i = 0; i < FLEET_SOCKET_WAIT * 5; i++)); do
		if [ -S "$socket" ] && [ -n "$(fleet_daemon_pid "$host")" ]; then
			echo "fleet.sh: host '$host' up (pid $(fleet_daemon_pid "$host"))"
			return 0
		fi
		sleep 0.2
	done
	tail -n 20 "$FLEET_DIR/$host/libvirtd.log" >&2 || true
	die "host '$host': no socket at '$socket' after ${FLEET_SOCKET_WAIT}s"
}

# Each host must report exactly the firmware it was built to offer.
fleet_verify_host()
{
	local host=$1 summary expected

	summary=$(fleet_domcaps_summary "$(fleet_uri "$host")") ||
		die "host '$host': domcapabilities failed"
	case "$host" in
	full) expected='^firmware=efi secure=(no,yes|yes,no|yes) loaders=[1-9]' ;;
	nosecure) expected='^firmware=efi secure=no loaders=[1-9]' ;;
	nouefi) expected='^firmware= secure=[a-z,]* loaders=0$' ;;
	esac
	if ! grep -Eq -- "$expected" <<<"$summary"; then
		die "host '$host' reports '$summary', expected /$expected/"
	fi
	echo "fleet.sh: host '$host' verified: $summary"
}

fleet_write_env()
{
	local env="$FLEET_DIR/fleet.env"
	{
		printf 'FLEET_FULL_URI=%s\n' "$(fleet_uri full)"
		printf 'FLEET_NOSECURE_URI=%s\n' "$(fleet_uri nosecure)"
		printf 'FLEET_NOUEFI_URI=%s\n' "$(fleet_uri nouefi)"
		printf 'FLEET_USER=%s\n' "$FLEET_USER"
		printf 'FLEET_DIR=%s\n' "$FLEET_DIR"
	} >"$env.tmp"
	mv "$env.tmp" "$env"
}

fleet_up()
{
	local host

	command -v libvirtd >/dev/null || die "libvirtd not found (package libvirt-daemon)"
	command -v python3 >/dev/null || die "python3 not found (package python3)"
	command -v virsh >/dev/null || die "virsh not found (package libvirt-clients)"
	command -v xmllint >/dev/null || die "xmllint not found (package libxml2-utils)"

	fleet_ensure_user
	mkdir -p "$FLEET_DIR"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$FLEET_USER:" "$FLEET_DIR"
	fi
	fleet_check_reachable

	for host in "${FLEET_HOSTS[@]}"; do
		fleet_start_host "$host"
	done
	for host in "${FLEET_HOSTS[@]}"; do
		fleet_verify_host "$host"
	done
	fleet_write_env
	if [ "$(id -u)" -eq 0 ]; then
		chown "$FLEET_USER:" "$FLEET_DIR/fleet.env"
	fi
}

# Guests first (a daemon that goes away leaves its QEMU running), then the
# daemon; QEMU pid files catch guests the daemon could not stop.
fleet_stop_host()
{
	local host=$1
	local uri pid dom qpid qpidfile i

	uri=$(fleet_uri "$host")
	pid=$(fleet_daemon_pid "$host")
	if [ -n "$pid" ]; then
		while read -r dom; do
			[ -n "$dom" ] || continue
			virsh -q -c "$uri" destroy "$dom" >/dev/null 2>&1 || true
		done < <(timeout 20 virsh -q -c "$uri" list --name 2>/dev/null || true)
	fi

	for qpidfile in "$FLEET_DIR/$host"/run/libvirt/qemu/run/*.pid; do
		[ -r "$qpidfile" ] || continue
		qpid=$(cat "$qpidfile")
		[[ "$qpid" =~ ^[0-9]+$ ]] || continue
		case "$(cat "/proc/$qpid/comm" 2>/dev/null)" in
		qemu-system-*) kill "$qpid" 2>/dev/null || true ;;
		esac
	done

	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			[ -d "/proc/$pid" ] || break
			sleep 0.2
		done
		if [ -d "/proc/$pid" ]; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		echo "fleet.sh: host '$host' stopped"
	fi
	rm -f "$(fleet_pidfile "$host")" "$FLEET_DIR/$host/launcher.pid"
}

fleet_down()
{
	local purge=$1 host

	[ -d "$FLEET_DIR" ] || return 0
	for host in "${FLEET_HOSTS[@]}"; do
		fleet_stop_host "$host"
	done
	if [ "$purge" = yes ]; then
		rm -rf "$FLEET_DIR"
	fi
}

[ $# -ge 2 ] || usage
command=$1
[ -n "$2" ] || usage
mkdir -p "$(dirname "$2")"
FLEET_DIR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
FLEET_USER=$(fleet_user)

case "$command" in
up)
	[ $# -eq 2 ] || usage
	fleet_up
	;;
down)
	case "${3-}" in
	"") fleet_down no ;;
	--purge) fleet_down yes ;;
	*) die "unknown option '$3' for down; accepted: --purge" ;;
	esac
	;;
env)
	[ $# -eq 2 ] || usage
	[ -r "$FLEET_DIR/fleet.env" ] ||
		die "no fleet at '$FLEET_DIR' (missing fleet.env): run 'fleet.sh up $2' first"
	cat "$FLEET_DIR/fleet.env"
	;;
*)
	die "unknown command '$command'; accepted: up, down, env"
	;;
esac

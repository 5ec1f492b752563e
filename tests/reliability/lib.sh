# Shared by the reliability scripts: a private fleet of libvirt session
# daemons (tests/fleet/fleet.sh) in a scratch folder, the bootdeck binary
# on a private database, and the checks every script repeats.
#
# Needs BOOTDECK_BIN (meson sets it). REL_KEEP=1 keeps the scratch folder.

rel_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REL_FLEET_SCRIPT="$rel_here/../fleet/fleet.sh"

rel_die()
{
	printf 'FATAL: %s\n' "$*" >&2
	exit 1
}

rel_note()
{
	printf '# %s\n' "$*"
}

# check WHAT GOT WANT: one "ok"/"not ok" line; each miss counts in failures,
# which every script tests last.
failures=0
check()
{
	if [ "$2" = "$3" ]; then
		echo "ok - $1"
	else
		echo "not ok - $1: got '$2', want '$3'"
		failures=$((failures + 1))
	fi
}

# A scratch folder the fleet's unprivileged user can reach.
rel_setup()
{
	[ -x "${BOOTDECK_BIN:-}" ] || rel_die "BOOTDECK_BIN is not an executable"
	command -v virsh >/dev/null || rel_die "virsh not found (package libvirt-clients)"
	command -v sqlite3 >/dev/null || rel_die "sqlite3 not found (package sqlite3)"
	REL_DIR=$(mktemp -d /tmp/bdrel.XXXXXX)
	chmod 755 "$REL_DIR"
	REL_DB="$REL_DIR/data/bootdeck.db"
	export BOOTDECK_LOG="$REL_DIR/state/bootdeck.log"
	export XDG_STATE_HOME="$REL_DIR/state"
	export XDG_DATA_HOME="$REL_DIR/data"
	trap rel_teardown EXIT
}

rel_teardown()
{
	if [ -n "${REL_FLEET_DIR:-}" ]; then
		bash "$REL_FLEET_SCRIPT" down "$REL_FLEET_DIR" >/dev/null 2>&1 || true
	fi
	if [ "${REL_KEEP:-0}" = 1 ]; then
		echo "# kept $REL_DIR"
	else
		rm -rf "$REL_DIR"
	fi
}

rel_fleet_up()
{
	REL_FLEET_DIR="$REL_DIR/fleet"
	bash "$REL_FLEET_SCRIPT" up "$REL_FLEET_DIR" >"$REL_DIR/fleet-up.log" 2>&1 ||
		{ cat "$REL_DIR/fleet-up.log" >&2; rel_die "fleet.sh up failed"; }
	# shellcheck source=/dev/null
	. "$REL_FLEET_DIR/fleet.env"
}

# The libvirtd pid of one fleet host (full, nosecure, nouefi), or nothing.
rel_daemon_pid()
{
	local pid
	pid=$(cat "$REL_FLEET_DIR/$1/libvirtd.pid" 2>/dev/null) || return 0
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = libvirtd ] && printf '%s\n' "$pid"
	return 0
}

# Kills a host's daemon for real and waits until it is gone. Its QEMU
# guests keep running, as they would on a real host.
rel_daemon_kill()
{
	local pid i
	pid=$(rel_daemon_pid "$1")
	[ -n "$pid" ] || return 0
	kill -9 "$pid"
	for ((i = 0; i < 50; i++)); do
		[ -d "/proc/$pid" ] || break
		sleep 0.1
	done
	rm -f "$REL_FLEET_DIR/$1/run/libvirt/libvirt-sock"
}

rel_daemon_restart()
{
	bash "$REL_FLEET_SCRIPT" up "$REL_FLEET_DIR" >>"$REL_DIR/fleet-up.log" 2>&1 ||
		rel_die "fleet.sh up (restart) failed"
}

# bootdeck on the private database; output in $REL_OUT, status returned.
rel_bd()
{
	REL_OUT=$("$BOOTDECK_BIN" --db "$REL_DB" "$@" 2>"$REL_DIR/last.err")
}

rel_bd_ok()
{
	rel_bd "$@" || rel_die "bootdeck $* failed: $(cat "$REL_DIR/last.err")"
}

rel_sql()
{
	sqlite3 -batch -noheader "$REL_DB" "$@"
}

# A blank 16 MiB qcow2: SeaBIOS finds nothing to boot and keeps the guest
# running, which is all the lifecycle needs.
rel_blank_template()
{
	qemu-img create -q -f qcow2 "$REL_DIR/blank.qcow2" 16M
	chmod 644 "$REL_DIR/blank.qcow2"
	rel_bd_ok registerTemplate name=blank url="$REL_DIR/blank.qcow2" format=qcow2
}

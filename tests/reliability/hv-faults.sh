#!/bin/bash
# Hypervisor faults on real libvirt session daemons (tests/fleet/fleet.sh):
# the daemon's pid is killed with SIGKILL and the daemon restarted.
#   a) daemon down at onboarding: addHost answers 534, the host is recorded
#      Disconnected with the error, an alert and an event; after the
#      restart reconnectHost brings it Up.
#   b) daemon killed between define and start (or during the start) of a
#      deploy: with a second capable host the deploy is retried there and
#      succeeds; pinned to the dead host it ends 534.
#   c) daemon killed while a VM stops (a guest with nothing to boot ignores
#      the ACPI request, so the graceful stop waits): 534, VM still Running.
# After each: the host is Disconnected with an alert and an event, and
# after the restart + reconnectHost + listVirtualMachines (reconcile) no
# record is lost, no domain is left without its record on any host, no
# leftover disk stays behind, and every Running record has its running
# domain.
#
# Knobs: FAULT_ROUNDS (2): rounds of b) and c).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${FAULT_ROUNDS:-2}
faults=0
declare -A host_dir=([fa]=nosecure [fb]=nouefi)

json_field()
{
	python3 -c 'import json,sys
d = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d[int(k)] if isinstance(d, list) else d.get(k, "") if isinstance(d, dict) else ""
print(d)' "$1"
}

host_state()
{
	rel_sql "SELECT state FROM hosts WHERE name = '$1';"
}

# Rows of table $1 after id $2 whose description holds $3 (quotes doubled
# for SQL; the values are the script's own).
count_since()
{
	local needle=${3//\'/\'\'}
	rel_sql "SELECT count(*) FROM $1 WHERE id > $2 AND instr(description, '$needle') > 0;"
}

max_id()
{
	rel_sql "SELECT coalesce(max(id), 0) FROM $1;"
}

# Waits until the daemon has written the guest's definition, then kills
# it. The definition file appears at define; start follows within ms.
kill_after_define()
{
	local dir=$1 name=$2 i
	local conf="$REL_FLEET_DIR/$dir/config/libvirt/qemu/$name.xml"
	for ((i = 0; i < 3000; i++)); do
		[ -e "$conf" ] && break
		sleep 0.01
	done
	rel_daemon_kill "$dir"
	faults=$((faults + 1))
	# Which phase the kill landed in: a QEMU pid file means start had begun.
	if [ -e "$REL_FLEET_DIR/$dir/run/libvirt/qemu/run/$name.pid" ]; then
		echo "# killed '$dir' daemon while '$name' was starting"
	else
		echo "# killed '$dir' daemon between define and start of '$name'"
	fi
}

# Records consistent with every fleet host once all are back.
check_consistent()
{
	local label=$1 host dir listing doms rows missing running rec_run disks owned found=0
	rows=$(rel_sql "SELECT v.name, coalesce(h.name, ''), v.state FROM vms v LEFT JOIN hosts h ON h.id = v.host_id;")
	check "$label: no VM stuck" "$(awk -F'|' '$3 ~ /^(Starting|Stopping|Migrating|Expunging)$/' <<<"$rows")" ""
	for dir in full nosecure nouefi; do
		host=""
		for h in "${!host_dir[@]}"; do [ "${host_dir[$h]}" = "$dir" ] && host=$h; done
		listing=$(virsh -q -c "$(fleet_uri_of "$dir")" list --all | awk '$2 !~ /^bootdeck-canary/ { print $2, $3 }')
		doms=$(awk '{ print $1 }' <<<"$listing" | sed '/^$/d' | sort)
		missing=$(comm -23 <(echo "$doms") <(awk -F'|' -v h="$host" '$2 == h { print $1 }' <<<"$rows" | sort) | sed '/^$/d')
		check "$label: no domain without its record on '$dir'" "$(echo $missing)" ""
		running=$(awk '$2 == "running" { print $1 }' <<<"$listing" | sort)
		rec_run=$(awk -F'|' -v h="$host" '$2 == h && $3 == "Running" { print $1 }' <<<"$rows" | sort)
		[ -z "$host" ] || check "$label: Running records are the running domains on '$host'" "$(echo $running)" "$(echo $rec_run)"
		disks=$(ls "$REL_FLEET_DIR/$dir/data/libvirt/bootdeck/"*.qcow2 2>/dev/null | sort || true)
		owned=$(rel_sql "SELECT disk FROM vms WHERE disk IS NOT NULL;" | sort)
		check "$label: no leftover disk on '$dir'" "$(comm -23 <(echo "$disks") <(echo "$owned") | sed '/^$/d' | tr '\n' ' ')" ""
		found=$((found + $(echo "$disks" | sed '/^$/d' | wc -l)))
	done
	# The disk listing is looked at where the disks really are.
	check "$label: every recorded disk found" "$found" "$(rel_sql "SELECT count(*) FROM vms WHERE disk IS NOT NULL;")"
	check "$label: integrity" "$(rel_sql 'PRAGMA integrity_check;')" ok
}

fleet_uri_of()
{
	case "$1" in
	full) echo "$FLEET_FULL_URI" ;;
	nosecure) echo "$FLEET_NOSECURE_URI" ;;
	nouefi) echo "$FLEET_NOUEFI_URI" ;;
	esac
}

# The host's daemon is back: reconnect, then reconcile through a listing.
restart_and_reconnect()
{
	local host=$1
	rel_daemon_restart
	rel_bd reconnectHost id="$host" || true
	check "reconnectHost '$host' answers" "$?" 0
	check "reconnectHost brings '$host' Up" "$(host_state "$host")" Up
	rel_bd_ok listVirtualMachines
}

rel_setup
rel_fleet_up
rel_bd_ok createCluster name=faults cpuovercommitratio=4
rel_blank_template
rel_bd_ok createServiceOffering name=tiny cpunumber=1 memory=64

# ---- a) daemon down at onboarding ----
rel_daemon_kill nosecure
faults=$((faults + 1))
ev=$(max_id events)
al=$(max_id alerts)
set +e
rel_bd addHost clusterid=faults name=fa url="$FLEET_NOSECURE_URI" virttype=qemu
status=$?
set -e
check "addHost to a dead daemon exits non-zero" "$status" 1
check "addHost answers 534" "$(json_field errorcode <<<"$REL_OUT")" 534
check "host recorded Disconnected" "$(host_state fa)" Disconnected
check "host keeps the error" "$(rel_sql "SELECT last_error <> '' FROM hosts WHERE name = 'fa';")" 1
check "alert for the unreachable host" "$([ "$(count_since alerts "$al" "'fa'")" -gt 0 ] && echo yes)" yes
check "event for the unreachable host" "$([ "$(count_since events "$ev" "'fa'")" -gt 0 ] && echo yes)" yes
restart_and_reconnect fa
rel_bd_ok addHost clusterid=faults name=fb url="$FLEET_NOUEFI_URI" virttype=qemu

for ((round = 1; round <= ROUNDS; round++)); do
	# ---- b) killed between define and start, another host takes it ----
	ev=$(max_id events)
	al=$(max_id alerts)
	vm="r${round}b"
	"$BOOTDECK_BIN" --db "$REL_DB" deployVirtualMachine name="$vm" templateid=blank \
		serviceofferingid=tiny boottype=BIOS hostid=fa >"$REL_DIR/pinned.out" 2>&1 &
	# Pinned deploys cannot retry; the free one below can.
	pinned=$!
	kill_after_define nosecure "$vm"
	set +e
	wait "$pinned"
	status=$?
	set -e
	check "round $round: deploy pinned to the dead host fails" "$status" 1
	check "round $round: host Disconnected" "$(host_state fa)" Disconnected
	check "round $round: alert for the host" "$([ "$(count_since alerts "$al" "'fa' is Disconnected")" -gt 0 ] && echo yes)" yes
	check "round $round: pinned deploy answers 534" "$(grep -o '"errorcode":534' "$REL_DIR/pinned.out")" '"errorcode":534'
	check "round $round: pinned VM recorded Error" "$(rel_sql "SELECT state FROM vms WHERE name = '$vm';")" Error
	restart_and_reconnect fa

	vm="r${round}c"
	ev=$(max_id events)
	# Free to go anywhere: whichever host the plan takes dies, the retry
	# must use the other.
	"$BOOTDECK_BIN" --db "$REL_DB" deployVirtualMachine name="$vm" templateid=blank \
		serviceofferingid=tiny boottype=BIOS >"$REL_DIR/deploy.out" 2>&1 &
	free_deploy=$!
	target=""
	for ((i = 0; i < 3000; i++)); do
		target=$(rel_sql "SELECT h.name FROM vms v JOIN hosts h ON h.id = v.host_id WHERE v.name = '$vm';" 2>/dev/null || true)
		[ -n "$target" ] && break
		sleep 0.01
	done
	kill_after_define "${host_dir[$target]}" "$vm"
	set +e
	wait "$free_deploy"
	status=$?
	set -e
	other=fa
	[ "$target" = fa ] && other=fb
	check "round $round: deploy retried on '$other' after '$target' died" "$status" 0
	check "round $round: VM Running on '$other'" \
		"$(rel_sql "SELECT v.state || '@' || h.name FROM vms v JOIN hosts h ON h.id = v.host_id WHERE v.name = '$vm';")" "Running@$other"
	check "round $round: the retry is an event naming 534's cause" \
		"$([ "$(count_since events "$ev" "failed on host '$target'")" -gt 0 ] && echo yes)" yes
	check "round $round: '$target' Disconnected" "$(host_state "$target")" Disconnected
	restart_and_reconnect "$target"
	check_consistent "round $round deploy"

	# ---- c) killed while stopping ----
	vm="r${round}c"
	ev=$(max_id events)
	al=$(max_id alerts)
	host=$(rel_sql "SELECT h.name FROM vms v JOIN hosts h ON h.id = v.host_id WHERE v.name = '$vm';")
	"$BOOTDECK_BIN" --db "$REL_DB" stopVirtualMachine id="$vm" >"$REL_DIR/stop.out" 2>&1 &
	stopper=$!
	for ((i = 0; i < 500; i++)); do
		[ "$(rel_sql "SELECT state FROM vms WHERE name = '$vm';")" = Stopping ] && break
		sleep 0.01
	done
	sleep 0.5
	rel_daemon_kill "${host_dir[$host]}"
	faults=$((faults + 1))
	set +e
	wait "$stopper"
	status=$?
	set -e
	check "round $round: stop on a dying host fails" "$status" 1
	check "round $round: stop answers 534" "$(grep -o '"errorcode":534' "$REL_DIR/stop.out")" '"errorcode":534'
	check "round $round: VM not left Stopping" "$(rel_sql "SELECT state FROM vms WHERE name = '$vm';")" Running
	check "round $round: '$host' Disconnected" "$(host_state "$host")" Disconnected
	check "round $round: alert for the stop" "$([ "$(count_since alerts "$al" "'$vm' failed to stop")" -gt 0 ] && echo yes)" yes
	restart_and_reconnect "$host"
	check_consistent "round $round stop"
done

for vm in $(rel_sql "SELECT name FROM vms;"); do
	rel_bd destroyVirtualMachine id="$vm" expunge=true || true
done
check_consistent "after expunging all"
echo "FAULT_FIGURES faults_injected=$faults rounds=$ROUNDS failures=$failures"
[ "$failures" -eq 0 ]

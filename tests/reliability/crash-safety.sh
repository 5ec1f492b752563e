#!/bin/bash
# Crash safety: seeded deploys and lifecycle actions against a real libvirt
# session daemon, with bootdeck killed by SIGKILL at random points. After
# every kill the next bootdeck start must settle what was left half done;
# after every step the invariants are checked:
#   - PRAGMA integrity_check is ok
#   - no VM is Starting, Stopping, Migrating or Expunging
#   - every domain on a host has a VM record there, and every Running,
#     Stopped or Destroyed record has its domain
#   - no fleet host (the unused one too) keeps a domain or a disk in
#     bootdeck's storage without a VM record owning it
#   - the VMs recorded Running are exactly the running domains
#   - listHosts' cpuallocated/memoryallocated equal the running guests' sizes
#   - no VM record vanishes unless it was expunged (data lost = 0)
#
# Knobs: CRASH_OPS (200), CRASH_SEED (42), CRASH_KILL_PERCENT (45),
#        CRASH_MAX_DELAY_MS (350), CRASH_MAX_VMS (4), CRASH_SETTLE_MS (300).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OPS=${CRASH_OPS:-200}
SEED=${CRASH_SEED:-42}
KILL_PERCENT=${CRASH_KILL_PERCENT:-45}
# Most actions take 0.1-0.5 s: a kill later than that mostly finds the
# process gone.
MAX_DELAY_MS=${CRASH_MAX_DELAY_MS:-350}
MAX_VMS=${CRASH_MAX_VMS:-4}
# A killed client's last request may still be on its way into libvirtd
# (a destroy kills QEMU before it shows as a job): the next start comes
# this much later. Jobs already running are waited for by bootdeck itself.
SETTLE_MS=${CRASH_SETTLE_MS:-300}
VM_MEM=64

kills=0
checks=0
violations=0
lost=0
ops_done=0
declare -A op_count=()

rel_setup
rel_fleet_up
rel_bd_ok createCluster name=crash cpuovercommitratio=4
rel_bd_ok addHost clusterid=crash name=crash-a url="$FLEET_NOUEFI_URI" virttype=qemu
rel_bd_ok addHost clusterid=crash name=crash-b url="$FLEET_NOSECURE_URI" virttype=qemu
rel_blank_template
rel_bd_ok createServiceOffering name=tiny cpunumber=1 memory=$VM_MEM
declare -A host_uri=([crash-a]=$FLEET_NOUEFI_URI [crash-b]=$FLEET_NOSECURE_URI)

violation()
{
	violations=$((violations + 1))
	printf 'VIOLATION after op %d (%s): %s\n' "$ops_done" "$last_op" "$*"
	# What led there, for the first one.
	[ "$violations" -gt 1 ] ||
		rel_sql "SELECT '#   ' || type || ' ' || description FROM events ORDER BY id DESC LIMIT 12;"
}

# Probe canaries are bootdeck's own short-lived guests, never VMs.
without_canaries()
{
	grep -v '^bootdeck-canary' || true
}

sorted_lines()
{
	tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort
}

# Records present before the step; only an expunge may remove one.
records_before=""
# VMs seen in Error without their domain (see check_invariants).
declare -A domainless=()

check_invariants()
{
	local host uri listing doms running rows rec_all rec_run rec_live ic stuck allocs alloc want_cpu now missing name owned dir disks

	checks=$((checks + 1))
	ic=$(rel_sql 'PRAGMA integrity_check;')
	[ "$ic" = ok ] || violation "integrity_check: $ic"
	# name|host|state of every VM, read once.
	rows=$(rel_sql "SELECT v.name, coalesce(h.name, ''), v.state FROM vms v LEFT JOIN hosts h ON h.id = v.host_id;")
	stuck=$(awk -F'|' '$3 ~ /^(Starting|Stopping|Migrating|Expunging)$/ { print $1 ":" $3 }' <<<"$rows")
	[ -z "$stuck" ] || violation "VMs stuck: $(echo $stuck)"
	# CSV read by its header: a python start per check costs more than
	# the rest of the check.
	allocs=$("$BOOTDECK_BIN" --db "$REL_DB" -o csv listHosts | awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ print $col["name"], $col["cpuallocated"], $col["memoryallocated"] }')
	for host in crash-a crash-b; do
		uri=${host_uri[$host]}
		listing=$(virsh -q -c "$uri" list --all | awk '$2 !~ /^bootdeck-canary/ { print $2, $3 }')
		doms=$(awk '{ print $1 }' <<<"$listing" | sorted_lines)
		running=$(awk '$2 == "running" { print $1 }' <<<"$listing" | sorted_lines)
		rec_all=$(awk -F'|' -v h="$host" '$2 == h { print $1 }' <<<"$rows" | sorted_lines)
		# A VM in Error may have lost its domain (a deploy killed before
		# its define): that is what Error and its alert say. Destroying it
		# then leaves a Destroyed record with no domain, awaiting expunge.
		for name in $(awk -F'|' -v h="$host" '$2 == h && $3 == "Error" { print $1 }' <<<"$rows"); do
			grep -qx "$name" <<<"$doms" || domainless[$name]=1
		done
		for name in $doms; do unset "domainless[$name]"; done
		rec_live=$(awk -F'|' -v h="$host" '$2 == h && $3 ~ /^(Running|Stopped|Destroyed)$/ { print $1, $3 }' <<<"$rows" |
			while read -r name state; do
				[ "$state" = Destroyed ] && [ -n "${domainless[$name]:-}" ] || echo "$name"
			done | sorted_lines)
		rec_run=$(awk -F'|' -v h="$host" '$2 == h && $3 == "Running" { print $1 }' <<<"$rows" | sorted_lines)
		missing=$(LC_ALL=C comm -23 <(echo "$doms") <(echo "$rec_all") | sed '/^$/d')
		[ -z "$missing" ] || violation "domains without a VM record on $host: $(echo $missing)"
		missing=$(LC_ALL=C comm -13 <(echo "$doms") <(echo "$rec_live") | sed '/^$/d')
		[ -z "$missing" ] || violation "VM records without their domain on $host: $(echo $missing)"
		[ "$running" = "$rec_run" ] ||
			violation "running on $host: domains [$(echo $running)] records [$(echo $rec_run)]"
		alloc=$(awk -v h="$host" '$1 == h { print $2, $3 }' <<<"$allocs")
		want_cpu=$(echo "$running" | sed '/^$/d' | wc -l)
		[ "$alloc" = "$want_cpu $((want_cpu * VM_MEM))" ] ||
			violation "capacity of $host: recorded '$alloc', running guests need '$want_cpu $((want_cpu * VM_MEM))'"
	done
	# Every fleet host, even one bootdeck never placed on, and the disks
	# in bootdeck's storage: none without a record owning it.
	owned=$(rel_sql "SELECT disk FROM vms WHERE disk IS NOT NULL;" | sorted_lines)
	for dir in full nosecure nouefi; do
		disks=$(ls "$REL_FLEET_DIR/$dir/data/libvirt/bootdeck/"*.qcow2 2>/dev/null | sorted_lines || true)
		missing=$(LC_ALL=C comm -23 <(echo "$disks") <(echo "$owned") | sed '/^$/d')
		[ -z "$missing" ] || violation "disks without a VM record on $dir: $(echo $missing)"
	done
	listing=$(virsh -q -c "$FLEET_FULL_URI" list --all --name | without_canaries | sed '/^$/d')
	[ -z "$listing" ] || violation "domains without a VM record on full: $(echo $listing)"
	now=$(awk -F'|' '{ print $1 }' <<<"$rows" | sorted_lines)
	for name in $(LC_ALL=C comm -23 <(echo "$records_before") <(echo "$now")); do
		if [ "$name" != "${expunge_target:-}" ]; then
			lost=$((lost + 1))
			violation "VM record '$name' vanished without an expunge"
		fi
	done
}

vm_names()
{
	rel_sql "SELECT name FROM vms ORDER BY name;"
}

pick_vm()
{
	local -a names
	mapfile -t names < <(vm_names)
	[ "${#names[@]}" -gt 0 ] || return 1
	printf '%s\n' "${names[RANDOM % ${#names[@]}]}"
}

# Runs one bootdeck command; with the step's chance kills it after a random
# delay. Prints "killed" or "ran".
run_step()
{
	local pid delay_ms
	"$BOOTDECK_BIN" --db "$REL_DB" "$@" >/dev/null 2>>"$REL_DIR/ops.err" &
	pid=$!
	if ((RANDOM % 100 < KILL_PERCENT)); then
		delay_ms=$((RANDOM % (MAX_DELAY_MS + 1)))
		sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
		if kill -9 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null || true
			kills=$((kills + 1))
			return 0
		fi
	fi
	wait "$pid" || true
}

RANDOM=$SEED
serial=0
expunge_target=""
records_before=$(vm_names | sorted_lines)
for ((op = 0; op < OPS; op++)); do
	count=$(rel_sql 'SELECT count(*) FROM vms;')
	choice=$((RANDOM % 100))
	vm=$(pick_vm) || vm=""
	expunge_target=""
	kills_before=$kills
	if [ -z "$vm" ] || { [ "$count" -lt "$MAX_VMS" ] && [ "$choice" -lt 30 ]; }; then
		serial=$((serial + 1))
		last_op="deploy c$serial"
		run_step deployVirtualMachine name="c$serial" templateid=blank \
			serviceofferingid=tiny boottype=BIOS
	elif [ "$count" -ge "$MAX_VMS" ] && [ "$choice" -lt 30 ]; then
		last_op="expunge $vm"
		expunge_target=$vm
		run_step destroyVirtualMachine id="$vm" expunge=true
	elif [ "$choice" -lt 45 ]; then
		last_op="start $vm"
		run_step startVirtualMachine id="$vm"
	elif [ "$choice" -lt 60 ]; then
		last_op="stop $vm"
		run_step stopVirtualMachine id="$vm" forced=true
	elif [ "$choice" -lt 70 ]; then
		last_op="reboot $vm"
		run_step rebootVirtualMachine id="$vm"
	elif [ "$choice" -lt 80 ]; then
		last_op="destroy $vm"
		run_step destroyVirtualMachine id="$vm"
	else
		last_op="expunge $vm"
		expunge_target=$vm
		run_step destroyVirtualMachine id="$vm" expunge=true
	fi
	op_count[${last_op%% *}]=$(( ${op_count[${last_op%% *}]:-0} + 1 ))
	ops_done=$((op + 1))
	if [ "$kills" -gt "$kills_before" ]; then
		last_op="$last_op (killed)"
		sleep "$(printf '0.%03d' $((SETTLE_MS % 1000)))"
		# The next start: any command settles what the kill left.
		rel_bd listClusters || violation "bootdeck failed to start after a kill: $(cat "$REL_DIR/last.err")"
	fi
	check_invariants
	records_before=$(vm_names | sorted_lines)
done

# Tidy up so the guests do not outlive the test.
for vm in $(vm_names); do
	rel_bd destroyVirtualMachine id="$vm" expunge=true || true
done

summary=""
for k in "${!op_count[@]}"; do summary+="$k=${op_count[$k]} "; done
echo "crash-safety: seed=$SEED ops=$OPS ($summary) kills=$kills checks=$checks violations=$violations data_lost=$lost"
echo "CRASH_FIGURES ops=$OPS kills=$kills kills_survived=$([ "$violations" -eq 0 ] && echo "$kills" || echo "see violations") invariant_checks=$checks violations=$violations data_lost=$lost seed=$SEED"
[ "$violations" -eq 0 ]

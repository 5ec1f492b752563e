#!/bin/bash
# Concurrency on one database: the console runs in tmux, a reader keeps a
# long read transaction open, and several CLI processes deploy and list at
# once on simulated hosts. Then a writer holds the write lock while a
# listing runs. Checked:
#   - "database is locked" (or "busy") reaches no output, no error
#     stream and not the console's screen
#   - a listing completes while a writer holds the write lock (readers
#     never wait on writers)
#   - no host ends over capacity; every deploy either runs or is refused
#     for capacity (533)
#
# Knobs: CONC_WRITERS (6 processes), CONC_DEPLOYS (3 each).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v tmux >/dev/null || rel_die "tmux not found (package tmux)"
WRITERS=${CONC_WRITERS:-6}
DEPLOYS=${CONC_DEPLOYS:-3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
demo="$here/../../scripts/demo"
session="bdconc$$"

conc_teardown()
{
	tmux kill-session -t "$session" 2>/dev/null || true
	[ -z "${reader_pid:-}" ] || kill "$reader_pid" 2>/dev/null || true
	rel_teardown
}

rel_setup
trap conc_teardown EXIT
mkdir -p "$REL_DIR/hosts" "$REL_DIR/out"
for h in s1 s2; do cp "$demo/host-4c-8g.xml" "$REL_DIR/hosts/$h.xml"; done
qemu-img create -q -f qcow2 "$REL_DIR/blank.qcow2" 16M
rel_bd_ok createCluster name=conc
rel_bd_ok addHost clusterid=conc name=s1 url="test://$REL_DIR/hosts/s1.xml"
rel_bd_ok addHost clusterid=conc name=s2 url="test://$REL_DIR/hosts/s2.xml"
rel_bd_ok registerTemplate name=blank url="$REL_DIR/blank.qcow2" format=qcow2
rel_bd_ok createServiceOffering name=one cpunumber=1 memory=1024

# The console on the same database, refreshing its screens meanwhile.
tmux new-session -d -s "$session" -x 120 -y 40 \
	"env TERM=xterm-256color '$BOOTDECK_BIN' --db '$REL_DB'"
sleep 1

# A long read transaction for the whole run.
python3 - "$REL_DB" <<'EOF' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN")
db.execute("SELECT count(*) FROM vms").fetchone()
time.sleep(120)
EOF
reader_pid=$!

pids=()
for ((w = 0; w < WRITERS; w++)); do
	(
		for ((d = 0; d < DEPLOYS; d++)); do
			"$BOOTDECK_BIN" --db "$REL_DB" deployVirtualMachine name="w${w}d$d" \
				templateid=blank serviceofferingid=one boottype=BIOS \
				>"$REL_DIR/out/w${w}d$d.out" 2>"$REL_DIR/out/w${w}d$d.err" || true
			"$BOOTDECK_BIN" --db "$REL_DB" listVirtualMachines \
				>"$REL_DIR/out/w${w}l$d.out" 2>"$REL_DIR/out/w${w}l$d.err" || true
		done
	) &
	pids+=($!)
	tmux send-keys -t "$session" Tab
done
for pid in "${pids[@]}"; do wait "$pid"; done
tmux send-keys -t "$session" v
sleep 1
tmux capture-pane -p -t "$session" >"$REL_DIR/out/console.screen"

# A writer holds the write lock; a listing must not wait for it.
python3 - "$REL_DB" <<'EOF' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE clusters SET name = name")
time.sleep(4)
db.execute("COMMIT")
EOF
holder=$!
sleep 0.5
start=$(date +%s%N)
rel_bd listVirtualMachines || true
list_ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill -0 "$holder" 2>/dev/null && still_held=yes || still_held=no
wait "$holder"
check "a listing completed while the write lock was held" "$still_held" yes
check "the listing did not wait for the writer (${list_ms} ms)" "$([ "$list_ms" -lt 2000 ] && echo yes)" yes
check "the listing under a held write lock answered" "$(grep -c '"virtualmachine"' <<<"$REL_OUT" || true)" 1

check "the console ran throughout and lists the VMs" \
	"$(grep -c ' Running ' "$REL_DIR/out/console.screen" || true)" 8
locked=$(grep -ril 'locked\|busy' "$REL_DIR/out" || true)
check "no 'database is locked' or busy reached a user" "$(echo $locked)" ""

# Every deploy ran or was refused for capacity, nothing else.
bad=0
for f in "$REL_DIR"/out/w*d*.out; do
	if ! grep -q '"state":"Running"\|"errorcode":533' "$f"; then
		bad=$((bad + 1))
		echo "# unexpected: $(cat "$f")"
	fi
done
check "every deploy Running or refused with 533" "$bad" 0
ran=$(rel_sql "SELECT count(*) FROM vms WHERE state = 'Running';")
check "Running VMs fill both hosts without going over (4 vCPU each)" "$ran" 8
over=$(rel_sql "SELECT h.name FROM hosts h JOIN vms v ON v.host_id = h.id
	WHERE v.state IN ('Starting', 'Running', 'Migrating')
	GROUP BY h.id HAVING sum(v.cpunumber) > h.cpus;")
check "no host over capacity" "$over" ""
check "integrity" "$(rel_sql 'PRAGMA integrity_check;')" ok
echo "CONCURRENCY_FIGURES writers=$WRITERS deploys=$((WRITERS * DEPLOYS)) running=$ran list_under_write_lock_ms=$list_ms failures=$failures"
[ "$failures" -eq 0 ]

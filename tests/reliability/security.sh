#!/bin/bash
# Security checks through the real binary: the database and the log are
# mode 0600 in 0700 folders, and a libvirt password in a host URL never
# reaches stderr, JSON output, events, alerts or the log file.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rel_setup
rel_bd_ok createCluster name=sec
check "database mode" "$(stat -c %a "$REL_DB")" 600
check "database folder mode" "$(stat -c %a "$(dirname "$REL_DB")")" 700

# Port 1 on loopback refuses at once: no network wait, no real login.
secret=s3cr3t-Pw
"$BOOTDECK_BIN" --db "$REL_DB" addHost clusterid=sec name=sshhost \
	url="qemu+ssh://admin:$secret@127.0.0.1:1/system?no_tty=1" \
	</dev/null >"$REL_DIR/add.out" 2>"$REL_DIR/add.err" || true
check "addHost answers 534" "$(grep -o '"errorcode":534' "$REL_DIR/add.out")" '"errorcode":534'
for what in add.out add.err; do
	check "password absent from $what" "$(grep -c "$secret" "$REL_DIR/$what" || true)" 0
done
for cmd in listHosts listEvents listAlerts; do
	"$BOOTDECK_BIN" --db "$REL_DB" "$cmd" >"$REL_DIR/$cmd.out" 2>&1 || true
	check "password absent from $cmd" "$(grep -c "$secret" "$REL_DIR/$cmd.out" || true)" 0
done
# The failed addHost wrote the log.
check "log mode" "$(stat -c %a "$BOOTDECK_LOG")" 600
check "log folder mode" "$(stat -c %a "$(dirname "$BOOTDECK_LOG")")" 700
check "password absent from the log" "$(grep -c "$secret" "$BOOTDECK_LOG" || true)" 0
check "user name still shown" "$(grep -q 'qemu+ssh://admin@127.0.0.1:1' "$REL_DIR/listHosts.out" && echo yes)" yes
[ "$failures" -eq 0 ]

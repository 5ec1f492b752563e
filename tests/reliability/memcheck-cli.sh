#!/bin/bash
# valgrind memcheck on the bootdeck binary itself: every kind of command
# (setup, deploy of each boot type on simulated hosts, lifecycle, listings,
# refused input, help) runs under memcheck; any invalid access, use of
# uninitialised memory or definite leak fails the test. The headless
# screen and CLI test programs get the same treatment from
# scripts/dev.sh test.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v valgrind >/dev/null || rel_die "valgrind not found (package valgrind)"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
demo="$here/../../scripts/demo"
runs=0
failures=0

# One command under memcheck; its exit status is not judged (refused
# input must fail), only what memcheck reports.
mc()
{
	local log="$REL_DIR/mc.$runs.log" status=0
	runs=$((runs + 1))
	# libvirt's event-loop thread stays alive to exit: "possibly lost"
	# thread stacks are not shown, only what memcheck counts as errors.
	valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --log-file="$log" -q \
		"$BOOTDECK_BIN" --db "$REL_DB" "$@" >/dev/null 2>&1 || status=$?
	if [ "$status" -eq 99 ] || [ -s "$log" ]; then
		echo "not ok - memcheck: $*"
		sed 's/^/#   /' "$log"
		failures=$((failures + 1))
	else
		echo "ok - memcheck: $*"
	fi
}

rel_setup
mkdir -p "$REL_DIR/hosts"
cp "$demo/host-8c-32g.xml" "$REL_DIR/hosts/sim1.xml"
cp "$demo/host-8c-32g.xml" "$REL_DIR/hosts/sim2.xml"
qemu-img create -q -f qcow2 "$REL_DIR/blank.qcow2" 16M

mc createCluster name=mc
mc addHost clusterid=mc name=sim1 url="test://$REL_DIR/hosts/sim1.xml"
mc addHost clusterid=mc name=sim2 url="test://$REL_DIR/hosts/sim2.xml" \
	uefiproperties="$demo/uefi-secure.properties"
mc registerTemplate name=blank url="$REL_DIR/blank.qcow2" format=qcow2
mc createServiceOffering name=small cpunumber=1 memory=256
mc deployVirtualMachine name=vbios templateid=blank serviceofferingid=small boottype=BIOS
mc deployVirtualMachine name=vsec templateid=blank serviceofferingid=small \
	boottype=UEFI bootmode=SECURE
mc deployVirtualMachine name=vbad templateid=blank serviceofferingid=small \
	boottype=BIOS bootmode=SECURE
mc deployVirtualMachine 'name=<x&y>' templateid=blank serviceofferingid=small
mc listVirtualMachines
mc listHosts
mc listEvents
mc listAlerts
mc stopVirtualMachine id=vbios
mc startVirtualMachine id=vbios
mc rebootVirtualMachine id=vbios
mc migrateVirtualMachine id=vbios hostid=sim2
mc reconnectHost id=sim1
mc destroyVirtualMachine id=vbios expunge=true
mc destroyVirtualMachine id=vsec expunge=true
mc listVirtualMachines id=nosuchvm
mc nosuchcommand
mc --help
echo "MEMCHECK_FIGURES commands=$runs failures=$failures"
[ "$failures" -eq 0 ]

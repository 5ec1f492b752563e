#!/usr/bin/env bash
# Builds the demo database the run command opens:
#   scripts/demo-db.sh BOOTDECK_BINARY DATABASE [FLEET_ENV_FILE]
# Simulated hosts (libvirt's test:/// driver) in three clusters: UEFI with
# Secure Boot, UEFI only, and none, described by CloudStack uefi.properties
# files. With a fleet env file (tests/fleet/fleet.sh), the private QEMU
# hosts it names join a "lab" cluster, probed for real.
set -euo pipefail

bin=$(realpath "$1")
db=$(realpath -m "$2")
fleet_env=${3:-}
here=$(cd "$(dirname "$0")" && pwd)/demo
files=$(dirname "$db")/demo-files

rm -f "$db" "$db-wal" "$db-shm"
rm -rf "$files"
mkdir -p "$files/hosts" "$files/images"

bd() { "$bin" --db "$db" "$@" >/dev/null; }

# Each simulated host needs its own node file: the URI names the host.
sim_host() { # cluster name node-template [uefi.properties]
	cp "$here/$3" "$files/hosts/$2.xml"
	local args=(addHost "clusterid=$1" "name=$2" "url=test://$files/hosts/$2.xml")
	[ -n "${4:-}" ] && args+=("uefiproperties=$here/$4")
	bd "${args[@]}"
}

echo "demo: clusters and simulated hosts"
bd createCluster name=edge-bios
bd createCluster name=core-uefi cpuovercommitratio=2
bd createCluster name=secure-zone
sim_host edge-bios bios-01 host-8c-32g.xml
sim_host edge-bios bios-02 host-8c-32g.xml
sim_host edge-bios bios-03 host-4c-8g.xml
sim_host core-uefi uefi-01 host-16c-64g.xml uefi-legacy.properties
sim_host core-uefi uefi-02 host-16c-64g.xml uefi-legacy.properties
sim_host core-uefi mixed-01 host-8c-32g.xml
sim_host secure-zone secure-01 host-16c-64g.xml uefi-secure.properties
sim_host secure-zone secure-02 host-8c-32g.xml uefi-secure.properties

echo "demo: templates and offerings"
qemu-img create -q -f qcow2 "$files/images/debian-12.qcow2" 8G
qemu-img create -q -f qcow2 "$files/images/windows-2022.qcow2" 32G
mkdir -p "$files/images/iso-root"
echo "bootdeck demo installer" > "$files/images/iso-root/README.TXT"
xorriso -as mkisofs -quiet -V BOOTDECK_DEMO -o "$files/images/installer.iso" "$files/images/iso-root" 2>/dev/null
bd registerTemplate name=debian-12 "url=$files/images/debian-12.qcow2" format=QCOW2
bd registerTemplate name=windows-2022 "url=$files/images/windows-2022.qcow2" format=QCOW2
bd registerTemplate name=installer "url=$files/images/installer.iso" format=ISO
bd createServiceOffering name=small cpunumber=1 memory=1024
bd createServiceOffering name=medium cpunumber=2 memory=4096
bd createServiceOffering name=large cpunumber=8 memory=16384

echo "demo: a few VMs"
bd deployVirtualMachine name=web-01 templateid=debian-12 serviceofferingid=small
bd deployVirtualMachine name=web-02 templateid=debian-12 serviceofferingid=small
bd deployVirtualMachine name=db-01 templateid=debian-12 serviceofferingid=medium boottype=UEFI bootmode=LEGACY
bd deployVirtualMachine name=dc-01 templateid=windows-2022 serviceofferingid=medium boottype=UEFI bootmode=SECURE
bd deployVirtualMachine name=build-01 templateid=debian-12 serviceofferingid=large startvm=false

if [ -n "$fleet_env" ] && [ -r "$fleet_env" ]; then
	# shellcheck disable=SC1090
	. "$fleet_env"
	echo "demo: private QEMU hosts (probing firmware with canary boots)"
	bd createCluster name=lab
	for h in full nosecure nouefi; do
		var="FLEET_$(echo "$h" | tr a-z A-Z)_URI"
		"$bin" --db "$db" addHost clusterid=lab "name=lab-$h" "url=${!var}" virttype=qemu >/dev/null ||
			echo "demo: host lab-$h could not be added (see Events)" >&2
	done
fi
echo "demo: database ready at $db"

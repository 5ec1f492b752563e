#!/usr/bin/env bash
# Deploy latency: bootdeck against virt-install on the same private host,
# the same UEFI SECURE guest (shim + grub from tests/fixtures), started and
# not waited for. The two tools alternate, each going first every other
# round; everything they made is removed between rounds, untimed.
#
#   bench/deploy-bench.sh BOOTDECK URI IMAGES_DIR WORK_DIR ROUNDS OUT
#
# OUT gets one line per deploy: "bootdeck SECONDS" or "virt-install SECONDS",
# then "rpc SECONDS_IN_LIBVIRT SECONDS_TOTAL" for one bootdeck deploy traced
# with libvirt's client log (the time bootdeck waits on the daemon).
set -euo pipefail

bin=$1 uri=$2 images=$3 work=$4 rounds=$5 out=$6
here=$(cd "$(dirname "$0")" && pwd)
db="$work/deploy.db"
export BOOTDECK_LOG="$work/bootdeck.log"

bd() { "$bin" --db "$db" "$@"; }
now() { date +%s.%N; }

cleanup_round() { # NAME_BOOTDECK NAME_VIRT_INSTALL
	bd destroyVirtualMachine "id=$1" expunge=true >/dev/null 2>&1 || true
	virsh -q -c "$uri" destroy "$2" >/dev/null 2>&1 || true
	virsh -q -c "$uri" undefine "$2" --nvram --remove-all-storage >/dev/null 2>&1 || true
}

deploy_bootdeck() { # NAME
	bd deployVirtualMachine "name=$1" templateid=secure serviceofferingid=bench \
		boottype=UEFI bootmode=SECURE >"$work/last-deploy.json"
}

# virt-install 4.x: firmware features select the enrolled Secure Boot OVMF,
# the overlay goes into the same pool bootdeck uses, backed by the same image.
# Left alone it also gives a UEFI guest an emulated TPM (one more process,
# swtpm, to start) and a network card: --tpm none and --network none keep
# the guest the same as bootdeck's.
deploy_virt_install() { # NAME
	virt-install --connect "$uri" --name "$1" --memory 256 --vcpus 1 \
		--machine q35 --virt-type qemu \
		--boot uefi,firmware.feature0.name=secure-boot,firmware.feature0.enabled=yes,firmware.feature1.name=enrolled-keys,firmware.feature1.enabled=yes \
		--features smm.state=on --import \
		--disk "pool=bootdeck,size=1,backing_store=$images/secure.qcow2,backing_format=qcow2,format=qcow2,bus=sata" \
		--network none --tpm none --graphics none --noautoconsole \
		--osinfo detect=on,require=off >/dev/null
}

timed() { # LABEL FUNCTION NAME
	local start end
	start=$(now)
	"$2" "$3"
	end=$(now)
	echo "$1 $(echo "$end - $start" | bc -l)" >>"$out"
}

rm -f "$db" "$db-wal" "$db-shm" "$out"
mkdir -p "$work"
bd createCluster name=bench >/dev/null
echo "deploy-bench: adding the host (firmware probe with canary boots)" >&2
bd addHost clusterid=bench name=full "url=$uri" virttype=qemu >/dev/null
bd registerTemplate name=secure "url=$images/secure.qcow2" format=QCOW2 >/dev/null
bd createServiceOffering name=bench cpunumber=1 memory=256 >/dev/null

# One untimed round of each warms the daemon's caches for both tools.
deploy_bootdeck bd-warm
deploy_virt_install vi-warm
cleanup_round bd-warm vi-warm

for ((i = 1; i <= rounds; i++)); do
	if ((i % 2)); then
		timed bootdeck deploy_bootdeck "bd-$i"
		timed virt-install deploy_virt_install "vi-$i"
	else
		timed virt-install deploy_virt_install "vi-$i"
		timed bootdeck deploy_bootdeck "bd-$i"
	fi
	cleanup_round "bd-$i" "vi-$i"
done

# Where a bootdeck deploy spends its time: libvirt's client log stamps
# every call to the daemon.
rm -f "$work/libvirt-client.log"
start=$(now)
LIBVIRT_LOG_OUTPUTS="1:file:$work/libvirt-client.log" LIBVIRT_LOG_FILTERS="1:rpc.netclient 4:*" \
	deploy_bootdeck bd-traced
end=$(now)
cleanup_round bd-traced none
echo "rpc $(python3 "$here/rpc-split.py" "$work/libvirt-client.log") $(echo "$end - $start" | bc -l)" >>"$out"

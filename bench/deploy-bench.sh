#!/usr/bin/env bash
# Deploy latency: bootdeck against virt-install on the same private host,
# the same UEFI SECURE guest (shim + grub from tests/fixtures), started and
# not waited for. virt-install runs twice per round: with its defaults
# (the command of the performance issue), and trimmed to bootdeck's guest.
# The three take turns going first; everything they made is removed between
# rounds, untimed.
#
#   bench/deploy-bench.sh BOOTDECK URI IMAGES_DIR WORK_DIR ROUNDS OUT
#
# OUT gets one line per deploy: "bootdeck SECONDS", "virt-install SECONDS"
# (same guest) or "virt-install-defaults SECONDS",
# then "rpc SECONDS_IN_LIBVIRT SECONDS_TOTAL" for one bootdeck deploy traced
# with libvirt's client log (the time bootdeck waits on the daemon).
set -euo pipefail

bin=$1 uri=$2 images=$3 work=$4 rounds=$5 out=$6
here=$(cd "$(dirname "$0")" && pwd)
db="$work/deploy.db"
export BOOTDECK_LOG="$work/bootdeck.log"

bd() { "$bin" --db "$db" "$@"; }
now() { date +%s.%N; }

cleanup_round() { # NAME_BOOTDECK NAME_VIRT_INSTALL...
	local name
	bd destroyVirtualMachine "id=$1" expunge=true >/dev/null 2>&1 || true
	shift
	for name in "$@"; do
		virsh -q -c "$uri" destroy "$name" >/dev/null 2>&1 || true
		virsh -q -c "$uri" undefine "$name" --nvram --remove-all-storage >/dev/null 2>&1 || true
	done
}

deploy_bootdeck() { # NAME
	bd deployVirtualMachine "name=$1" templateid=secure serviceofferingid=bench \
		boottype=UEFI bootmode=SECURE >"$work/last-deploy.json"
}

# virt-install 4.x: firmware features select the enrolled Secure Boot OVMF,
# the overlay goes into the same pool bootdeck uses, backed by the same image.
virt_install() { # NAME [EXTRA OPTIONS...]
	local name=$1
	shift
	virt-install --connect "$uri" --name "$name" --memory 256 --vcpus 1 \
		--machine q35 --virt-type qemu \
		--boot uefi,firmware.feature0.name=secure-boot,firmware.feature0.enabled=yes,firmware.feature1.name=enrolled-keys,firmware.feature1.enabled=yes \
		--features smm.state=on --import \
		--disk "pool=bootdeck,size=1,backing_store=$images/secure.qcow2,backing_format=qcow2,format=qcow2,bus=sata" \
		--noautoconsole --osinfo detect=on,require=off "$@" >/dev/null 2>>"$work/virt-install.err"
}

# Left alone, virt-install gives a UEFI guest an emulated TPM (one more
# process, swtpm, to start), a network card and graphics; bootdeck's guest
# has none of them.
deploy_virt_install() { virt_install "$1" --network none --tpm none --graphics none; }
deploy_virt_install_defaults() { virt_install "$1"; }

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

# One untimed round of each warms the daemon's caches for every tool.
deploy_bootdeck bd-warm
deploy_virt_install vi-warm
deploy_virt_install_defaults vd-warm
cleanup_round bd-warm vi-warm vd-warm

for ((i = 1; i <= rounds; i++)); do
	for ((k = 0; k < 3; k++)); do
		case $(((i + k) % 3)) in
		0) timed bootdeck deploy_bootdeck "bd-$i" ;;
		1) timed virt-install deploy_virt_install "vi-$i" ;;
		2) timed virt-install-defaults deploy_virt_install_defaults "vd-$i" ;;
		esac
	done
	cleanup_round "bd-$i" "vi-$i" "vd-$i"
done

# Where a bootdeck deploy spends its time: libvirt's client log stamps
# every call to the daemon.
rm -f "$work/libvirt-client.log"
start=$(now)
LIBVIRT_LOG_OUTPUTS="1:file:$work/libvirt-client.log" LIBVIRT_LOG_FILTERS="1:rpc.netclient 4:*" \
	deploy_bootdeck bd-traced
end=$(now)
cleanup_round bd-traced
echo "rpc $(python3 "$here/rpc-split.py" "$work/libvirt-client.log") $(echo "$end - $start" | bc -l)" >>"$out"

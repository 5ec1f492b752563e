#!/usr/bin/env bash
# Boot to the boot loader: the time from starting a guest until grub's first
# line ("BOOTDECK-MARKER ...", tests/fixtures) appears on its serial console.
#
#   bench/boot-bench.sh BOOTDECK URI IMAGES_DIR WORK_DIR ROUNDS OUT
#
# Through libvirt on the private host (TCG), bootdeck defines each guest
# (startvm=false) and `virsh start` starts it; the clock runs from just
# before the start call until the marker is in the log. Firmware and media:
#   BIOS         hybrid.iso (grub-mkrescue, SeaBIOS)
#   UEFI-LEGACY  hybrid.iso (OVMF without Secure Boot)
#   UEFI-LEGACY  secure.qcow2 (the signed shim + grub chain, Secure Boot off)
#   UEFI-SECURE  secure.qcow2 (OVMF with Microsoft keys enrolled, enforcing)
# Then KVM: bootdeck's own probe of the host with virttype=kvm (its answer is
# recorded), and QEMU run directly as this user with -accel kvm and with
# -accel tcg, same firmware and media, to see whether KVM works here at all.
#
# OUT lines: "libvirt MODE MEDIA MARKER_S START_CALL_S",
# "direct ACCEL MODE MEDIA MARKER_S|fail", "kvm-probe TEXT".
set -euo pipefail

bin=$1 uri=$2 images=$3 work=$4 rounds=$5 out=$6
db="$work/boot.db"
export BOOTDECK_LOG="$work/bootdeck.log"
MARKER_TIMEOUT_S=90
DIRECT_TIMEOUT_S=20

bd() { "$bin" --db "$db" "$@"; }
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

# Waits for the marker in FILE; prints the time it was seen, or fails.
wait_marker() { # FILE DEADLINE_EPOCH
	while :; do
		if [ -r "$1" ] && grep -q -a BOOTDECK-MARKER "$1"; then
			now
			return 0
		fi
		[ "$(echo "$(now) > $2" | bc -l)" -eq 1 ] && return 1
		sleep 0.01
	done
}

json_field() { # FILE FIELD
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["virtualmachine"][sys.argv[2]])' "$1" "$2"
}

boot_libvirt() { # MODE(BIOS|UEFI-LEGACY|UEFI-SECURE) TEMPLATE NAME
	local type=${1%%-*} mode=LEGACY start started seen log
	[ "$1" = UEFI-SECURE ] && mode=SECURE
	bd deployVirtualMachine "name=$3" "templateid=$2" serviceofferingid=bench \
		"boottype=$type" "bootmode=$mode" startvm=false >"$work/vm.json"
	log=$(json_field "$work/vm.json" consolelog)
	start=$(now)
	virsh -q -c "$uri" start "$3" >/dev/null
	started=$(now)
	if seen=$(wait_marker "$log" "$(echo "$start + $MARKER_TIMEOUT_S" | bc -l)"); then
		echo "libvirt $1 $2 $(elapsed "$start" "$seen") $(elapsed "$start" "$started")" >>"$out"
	else
		echo "libvirt $1 $2 fail $(elapsed "$start" "$started")" >>"$out"
	fi
	bd destroyVirtualMachine "id=$3" expunge=true >/dev/null
}

# QEMU run directly, for the KVM question: the same machine, firmware and
# media as the libvirt guests, its serial console in a file.
boot_direct() { # ACCEL MODE MEDIA
	local log="$work/direct.serial.log" vars="$work/direct.vars.fd" pid start seen deadline why
	local -a args=(-accel "$1" -machine q35 -m 256 -display none -no-reboot
		-serial "file:$log" -monitor none)
	rm -f "$log"
	case $2 in
	UEFI-LEGACY)
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
		args+=(-drive "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"
			-drive "if=pflash,format=raw,file=$vars") ;;
	UEFI-SECURE)
		cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$vars"
		args=(-accel "$1" -machine "q35,smm=on" -m 256 -display none -no-reboot
			-serial "file:$log" -monitor none
			-global "driver=cfi.pflash01,property=secure,value=on"
			-drive "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.ms.fd"
			-drive "if=pflash,format=raw,file=$vars") ;;
	esac
	case $3 in
	hybrid) args+=(-cdrom "$images/hybrid.iso") ;;
	secure) args+=(-drive "file=$images/secure.qcow2,if=none,id=disk0,format=qcow2,snapshot=on"
		-device "ide-hd,drive=disk0,bus=ide.0") ;;
	esac
	start=$(now)
	qemu-system-x86_64 "${args[@]}" 2>"$work/direct.err" &
	pid=$!
	deadline=$(echo "$start + $DIRECT_TIMEOUT_S" | bc -l)
	seen=""
	# A guest KVM cannot run stops with "KVM internal error" and stays
	# paused: give up at once instead of waiting out the deadline.
	while [ -z "$seen" ]; do
		if [ -r "$log" ] && grep -q -a BOOTDECK-MARKER "$log"; then
			seen=$(now)
		elif grep -q -e "internal error" -e "failed" "$work/direct.err" ||
		     ! kill -0 "$pid" 2>/dev/null ||
		     [ "$(echo "$(now) > $deadline" | bc -l)" -eq 1 ]; then
			break
		fi
		sleep 0.01
	done
	if [ -n "$seen" ]; then
		echo "direct $1 $2 $3 $(elapsed "$start" "$seen")" >>"$out"
	else
		sleep 0.2 # let QEMU finish writing its complaint
		why=$(grep -v -e '^extra data' -e '^ *$' -e 'warning: host doesn' "$work/direct.err" |
			head -3 | tr '\n' ' ' | cut -c1-200 || true)
		[ -n "$why" ] || why="nothing on the serial console within ${DIRECT_TIMEOUT_S} s and no error from QEMU"
		echo "direct $1 $2 $3 fail $why" >>"$out"
	fi
	# A halted guest does not always end QEMU on SIGTERM.
	kill "$pid" 2>/dev/null || true
	sleep 0.5
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

rm -f "$db" "$db-wal" "$db-shm" "$out"
mkdir -p "$work"
bd createCluster name=bench >/dev/null
echo "boot-bench: adding the host (firmware probe with canary boots)" >&2
bd addHost clusterid=bench name=full "url=$uri" virttype=qemu >/dev/null
bd registerTemplate name=hybrid "url=$images/hybrid.iso" format=ISO >/dev/null
bd registerTemplate name=secure "url=$images/secure.qcow2" format=QCOW2 >/dev/null
bd createServiceOffering name=bench cpunumber=1 memory=256 >/dev/null

for ((i = 1; i <= rounds; i++)); do
	boot_libvirt BIOS hybrid "bios-$i"
	boot_libvirt UEFI-LEGACY hybrid "legacy-$i"
	boot_libvirt UEFI-LEGACY secure "legacy-shim-$i"
	boot_libvirt UEFI-SECURE secure "secure-$i"
done

# bootdeck's own answer to "can this host boot guests under KVM?", in a
# database of its own (a URL is one host per database).
kvm_db="$work/kvm.db"
rm -f "$kvm_db" "$kvm_db-wal" "$kvm_db-shm"
"$bin" --db "$kvm_db" createCluster name=bench >/dev/null
if "$bin" --db "$kvm_db" addHost clusterid=bench name=full-kvm "url=$uri" virttype=kvm \
	>"$work/kvm.json" 2>&1; then
	echo "kvm-probe $(python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["host"]; print(h["state"], h.get("uefi"), h.get("details", {}).get("host.probe.error", ""))' "$work/kvm.json")" >>"$out"
else
	echo "kvm-probe refused: $(head -1 "$work/kvm.json" | cut -c1-600)" >>"$out"
fi

for accel in kvm tcg; do
	for ((i = 1; i <= rounds; i++)); do
		boot_direct "$accel" BIOS hybrid
		boot_direct "$accel" UEFI-LEGACY hybrid
		boot_direct "$accel" UEFI-SECURE secure
	done
done

#!/usr/bin/env bash
# Runs every bootdeck benchmark and writes docs/performance.md.
#
#   bench/run-all.sh                 full run (about 15 minutes, needs root
#                                    for the private libvirt fleet)
#   bench/run-all.sh --smoke         tiny sizes, under a minute, no pass/fail
#                                    on timings; skips the real-host benches
#                                    (syntax-checks them instead)
# Options:
#   --build DIR   use this build folder as is (default: build-bench, set up
#                 with --buildtype=release and built here)
#   --out FILE    where the report goes (default: docs/performance.md; with
#                 --smoke, a file in the work folder)
#   --rounds N    rounds of the deploy comparison (default 10; boots: 5)
#
# A fleet already up (FLEET_FULL_URI in the environment, as scripts/dev.sh
# test exports) is used; otherwise tests/fleet/fleet.sh starts one in the
# work folder and stops it at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
smoke=0 build="" out="" rounds=10

while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1 ;;
	--build) build=$2; shift ;;
	--out) out=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	*) echo "run-all.sh: unknown option '$1' (accepted: --smoke, --build DIR, --out FILE, --rounds N)" >&2
	   exit 2 ;;
	esac
	shift
done
case $rounds in
'' | *[!0-9]* | 0) echo "run-all.sh: --rounds '$rounds' must be a whole number >= 1" >&2; exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/bootdeck-bench-XXXXXX")
chmod 755 "$work"
results="$work/results"
mkdir -p "$results"
fleet_started=0

finish() {
	if [ "$fleet_started" -eq 1 ]; then
		bash "$repo/tests/fleet/fleet.sh" down "$work/fleet" --purge >/dev/null 2>&1 || true
	fi
	if [ "$smoke" -eq 1 ] || [ "${BENCH_KEEP:-0}" != 1 ]; then
		rm -rf "$work"
	fi
}
trap finish EXIT

step() { printf 'run-all: %s\n' "$*" >&2; }

# ---- build ----
if [ -z "$build" ]; then
	build="$repo/build-bench"
	if [ ! -f "$build/build.ninja" ]; then
		meson setup "$build" "$repo" --buildtype=release -Dwerror=true >/dev/null
	fi
	ninja -C "$build" ui/bootdeck bench/fleet-gen bench/plan-bench bench/console-bench >/dev/null
fi
bin="$build/ui/bootdeck"
for exe in "$bin" "$build/bench/fleet-gen" "$build/bench/plan-bench" "$build/bench/console-bench"; do
	[ -x "$exe" ] || { echo "run-all.sh: '$exe' is missing: build it first" >&2; exit 1; }
done
export BOOTDECK_LOG="$work/bootdeck.log"

# ---- sizes ----
if [ "$smoke" -eq 1 ]; then
	plan_sizes=(20 50) plan_rounds=5 list_hosts=50 list_runs=2 console_frames=20
else
	plan_sizes=(100 500 1000 2000 5000 10000) plan_rounds=200
	list_hosts=10000 list_runs=10 console_frames=300
fi

# ---- the machine ----
{
	echo "nproc $(nproc)"
	echo "cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "memory $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel $(uname -r)"
	echo "libvirt $(libvirtd --version 2>/dev/null | awk '{print $NF}')"
	echo "qemu $(qemu-system-x86_64 --version | head -1 | awk '{print $4}')"
	echo "sqlite $(sqlite3 --version 2>/dev/null | awk '{print $1}')"
	echo "virt-install $(virt-install --version 2>/dev/null || echo absent)"
	echo "kvm $( [ -e /dev/kvm ] && stat -c '%a %U' /dev/kvm || echo absent)"
	echo "date $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$results/machine.txt"

# ---- 2. placement at scale ----
step "placement: ${plan_sizes[*]} hosts"
: >"$results/plan.txt"
for hosts in "${plan_sizes[@]}"; do
	clusters=$((hosts / 20 > 0 ? hosts / 20 : 1))
	db="$work/plan-$hosts.db"
	"$build/bench/fleet-gen" "$db" "$hosts" "$clusters" $((hosts * 10)) up >/dev/null
	"$build/bench/plan-bench" "$db" "$plan_rounds" 2>/dev/null |
		sed "s/^/$hosts $clusters $((hosts * 10)) /" >>"$results/plan.txt"
	rm -f "$db" "$db-wal" "$db-shm"
done

# ---- 3. listing, 4. console ----
step "listing and console: $list_hosts hosts, $list_hosts VMs"
db="$work/list.db"
"$build/bench/fleet-gen" "$db" "$list_hosts" $((list_hosts / 20 > 0 ? list_hosts / 20 : 1)) \
	"$list_hosts" disconnected >/dev/null
echo "rows $list_hosts" >"$results/list.txt"
for cmd in listHosts listVirtualMachines; do
	"$bin" --db "$db" "$cmd" >/dev/null # warm the page cache
	for ((i = 0; i < list_runs; i++)); do
		start=$(date +%s%N)
		"$bin" --db "$db" "$cmd" >"$work/list.json"
		end=$(date +%s%N)
		echo "$cmd $(((end - start) / 1000)) $(stat -c %s "$work/list.json")" >>"$results/list.txt"
	done
done
"$build/bench/console-bench" "$db" "$console_frames" >"$results/console.txt"

# ---- 1. deploy, 5. boot: the private libvirt host ----
if [ "$smoke" -eq 1 ]; then
	step "smoke: syntax of the real-host benches"
	bash -n "$here/deploy-bench.sh"
	bash -n "$here/boot-bench.sh"
	for py in "$here/rpc-split.py" "$here/report.py"; do
		python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$py"
	done
else
	if [ -z "${FLEET_FULL_URI:-}" ]; then
		step "starting the private fleet"
		bash "$repo/tests/fleet/fleet.sh" up "$work/fleet" >/dev/null
		fleet_started=1
		# shellcheck source=/dev/null
		. "$work/fleet/fleet.env"
	fi
	images=${BENCH_IMAGES:-$work/images}
	[ -f "$images/secure.qcow2" ] || bash "$repo/tests/fixtures/make-images.sh" "$images" >/dev/null
	chmod -R a+rX "$images"
	step "deploy: bootdeck against virt-install, $rounds rounds"
	bash "$here/deploy-bench.sh" "$bin" "$FLEET_FULL_URI" "$images" "$work/deploy" "$rounds" \
		"$results/deploy.txt"
	step "boot to the boot loader: 5 rounds"
	bash "$here/boot-bench.sh" "$bin" "$FLEET_FULL_URI" "$images" "$work/boot" 5 \
		"$results/boot.txt"
fi

if [ -z "$out" ]; then
	if [ "$smoke" -eq 1 ]; then out="$work/performance.md"; else out="$repo/docs/performance.md"; fi
fi
python3 "$here/report.py" "$results" "$out" "$smoke"
step "report written to $out"
if [ "$smoke" -eq 1 ]; then
	cat "$out"
fi

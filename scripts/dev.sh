#!/usr/bin/env bash
# Install what bootdeck needs on Debian 12, build it, then run or test it.
#
#   scripts/dev.sh run    install, build, open the console on a demo database
#   scripts/dev.sh test   install, build, run every test suite, then all of
#                         them again under ASan/UBSan
#   scripts/dev.sh bench  install, build, run every benchmark (bench/run-all.sh,
#                         about 15 minutes) and rewrite docs/performance.md
#
# Needs root for apt-get; run it as root or through sudo.
set -euo pipefail

# Every Debian package bootdeck needs, by name. Add new ones here.
PACKAGES=(
	# build
	meson ninja-build pkg-config gcc clang
	libncurses-dev libsqlite3-dev libvirt-dev libxml2-dev libjson-c-dev libcmocka-dev
	# runtime and tests: private libvirt daemons, QEMU, firmware, boot media
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
	qemu-system-x86 qemu-utils ovmf shim-signed grub-efi-amd64-signed
	grub-pc-bin grub-efi-amd64-bin xorriso mtools dosfstools
	expect tmux valgrind sqlite3 libxml2-utils man-db python3
)
# Only the full benchmarks need these: the tool bootdeck is compared with
# (and the TPM emulator its defaults give a UEFI guest), and bc for timings.
BENCH_PACKAGES=(virtinst swtpm swtpm-tools bc)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$REPO/build"
BUILD_ASAN="$REPO/build-asan"
# The binary the run command starts (the test command checks it is there).
BOOTDECK="$BUILD/ui/bootdeck"

# Prints how long the run has taken so far, so a slow phase shows in CI logs.
phase()
{
	printf 'dev.sh: [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"
}

die()
{
	printf 'dev.sh: %s\n' "$*" >&2
	exit 1
}

usage()
{
	printf 'usage: %s run|test|bench\n' "$0" >&2
	exit 2
}

need_root()
{
	[ "$(id -u)" -eq 0 ] && return 0
	command -v sudo >/dev/null || die "run as root (apt-get needs it); sudo is not installed"
	exec sudo -- "$0" "$@"
}

# install_packages PACKAGE...: apt-get the ones not installed yet.
install_packages()
{
	local missing=() pkg

	for pkg in "$@"; do
		dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
	done
	if [ "${#missing[@]}" -eq 0 ]; then
		echo "dev.sh: all $# packages are installed"
		return 0
	fi
	echo "dev.sh: installing ${missing[*]}"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# meson setup, or reconfigure when the folder exists.
configure_in()
{
	local dir=$1
	shift

	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$REPO" -Dwerror=true "$@"
	else
		meson setup "$dir" "$REPO" -Dwerror=true "$@"
	fi
}

# configure_in, then build everything.
build_in()
{
	configure_in "$@" && ninja -C "$1"
}

# The demo: simulated hosts always; the private QEMU hosts too when the
# fleet is up (their probes boot real canary guests, so this takes a while).
demo_db()
{
	local fleet_env=

	[ -f "$FLEET_DIR/fleet.env" ] && fleet_env="$FLEET_DIR/fleet.env"
	bash "$REPO/scripts/demo-db.sh" "$BOOTDECK" "$BUILD/demo.db" $fleet_env
}

# What the run command does before it opens the console, checked by the
# test command: the demo database builds, and every host in it is Up (the
# 8 simulated ones, and the 3 private QEMU hosts when the fleet is up).
run_check()
{
	local hosts want=8

	[ -f "$FLEET_DIR/fleet.env" ] && want=11
	demo_db >/dev/null || return 1
	hosts=$("$BOOTDECK" --db "$BUILD/demo.db" -o csv listHosts) || return 1
	[ "$(grep -c ',Up,' <<<"$hosts")" -eq "$want" ] && return 0
	printf 'dev.sh: the demo has hosts not Up:\n%s\n' "$hosts" >&2
	return 1
}

cmd_run()
{
	fleet_up
	demo_db
	# Not exec: the fleet goes down when the console exits.
	"$BOOTDECK" --db "$BUILD/demo.db"
}

# "OK EXPECTEDFAIL" count as passed; "FAIL TIMEOUT ERROR UNEXPECTEDPASS" as
# failed; skipped tests as neither. Prints "passed failed skipped".
count_results()
{
	python3 - "$@" <<-'EOF'
	import json, sys
	passed = failed = skipped = 0
	for path in sys.argv[1:]:
	    try:
	        lines = open(path).read().splitlines()
	    except OSError:
	        continue
	    for line in lines:
	        if not line.strip():
	            continue
	        result = json.loads(line).get("result")
	        if result in ("OK", "EXPECTEDFAIL"):
	            passed += 1
	        elif result == "SKIP":
	            skipped += 1
	        else:
	            failed += 1
	print(passed, failed, skipped)
	EOF
}

# ---- fleet: private libvirt daemons the suites may use ----
FLEET_SCRIPT="$REPO/tests/fleet/fleet.sh"
FLEET_DIR="$BUILD/fleet"

fleet_up()
{
	[ -f "$FLEET_SCRIPT" ] || return 0
	trap fleet_down EXIT
	bash "$FLEET_SCRIPT" up "$FLEET_DIR"
	# The suites find the hosts through FLEET_*_URI.
	set -a
	# shellcheck source=/dev/null
	. "$FLEET_DIR/fleet.env"
	set +a
}

fleet_down()
{
	[ -f "$FLEET_SCRIPT" ] || return 0
	bash "$FLEET_SCRIPT" down "$FLEET_DIR" || true
}
# ---- end of fleet ----

# ---- fuzz smoke: libFuzzer targets of tests/fuzz, FUZZ_SECONDS each
# (default 10); longer runs: docs/reliability.md ----
BUILD_FUZZ="$REPO/build-fuzz"

fuzz_smoke()
{
	local target corpus

	local targets=(args uefi-properties theme domcaps)

	# Only the libFuzzer programs: the rest of a clang build runs nowhere.
	if ! CC=clang configure_in "$BUILD_FUZZ" -Dfuzz=true -Db_lundef=false ||
		! ninja -C "$BUILD_FUZZ" "${targets[@]/#/tests/fuzz/fuzz-}"; then
		echo "dev.sh: the fuzz build failed" >&2
		return 1
	fi
	for target in "${targets[@]}"; do
		# New inputs go to a scratch copy; the committed corpus stays as is.
		corpus=$(mktemp -d)
		cp "$REPO/tests/fuzz/corpus/$target/"* "$corpus/"
		echo "dev.sh: fuzzing $target for ${FUZZ_SECONDS:-10}s"
		if ! (cd "$corpus" && "$BUILD_FUZZ/tests/fuzz/fuzz-$target" \
			-max_total_time="${FUZZ_SECONDS:-10}" "$corpus" >"$corpus.log" 2>&1); then
			tail -n 30 "$corpus.log" >&2
			echo "dev.sh: fuzz-$target crashed; the input is in $corpus" >&2
			return 1
		fi
		rm -rf "$corpus" "$corpus.log"
	done
}
# ---- end of fuzz smoke ----

cmd_test()
{
	local status=0 counts passed failed skipped

	# Sanitizer reports must fail the test that triggers them.
	export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"
	rm -f "$BUILD/meson-logs/testlog.json" "$BUILD_ASAN/meson-logs/testlog.json" \
		"$BUILD/meson-logs/valgrind.json"

	[ -x "$BOOTDECK" ] || die "the build made no '$BOOTDECK', which the run command starts"
	fleet_up
	phase "the run command's demo database"
	if ! run_check; then
		echo "dev.sh: the run command's demo database failed" >&2
		status=1
	fi
	phase "every suite, plain build"
	meson test -C "$BUILD" --print-errorlogs || status=1

	phase "sanitizer build"
	if build_in "$BUILD_ASAN" -Db_sanitize=address,undefined -Db_lundef=false; then
		phase "every suite, ASan/UBSan build"
		# Every suite again, sanitized, but valgrind's own and the fleet
		# harness's (it runs no bootdeck code); the kill -9 loop runs 60
		# operations here (200 in the plain pass above).
		CRASH_OPS=60 meson test -C "$BUILD_ASAN" --no-suite valgrind --no-suite harness \
			--print-errorlogs ||
			status=1
	else
		echo "dev.sh: the sanitizer build failed; its suites did not run" >&2
		status=1
	fi

	# ---- valgrind: memcheck on the CLI and headless screen test programs
	# (the plain build: ASan and valgrind do not mix); the binary itself is
	# checked by the reliability suite's memcheck-cli. One test at a time:
	# each memcheck run is slow and large, and the CI machine has two cores ----
	phase "memcheck of the cli and console suites"
	meson test -C "$BUILD" --suite cli --suite console --logbase valgrind \
		--timeout-multiplier=6 --num-processes=1 --print-errorlogs \
		--wrap='valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -q' ||
		status=1
	# ---- end of valgrind ----

	# ---- fuzz smoke: each libFuzzer target for a bounded time (clang) ----
	phase "fuzz smoke"
	fuzz_smoke || status=1
	phase "done"
	# ---- end of fuzz smoke ----

	counts=$(count_results "$BUILD/meson-logs/testlog.json" "$BUILD_ASAN/meson-logs/testlog.json" \
		"$BUILD/meson-logs/valgrind.json")
	read -r passed failed skipped <<<"$counts"
	[ "$skipped" -eq 0 ] || echo "($skipped skipped)"
	echo "$passed passed, $failed failed"
	[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
}

cmd_bench()
{
	install_packages "${BENCH_PACKAGES[@]}"
	bash "$REPO/bench/run-all.sh"
}

main()
{
	[ $# -eq 1 ] || usage
	case $1 in
	run|test|bench) ;;
	*) usage ;;
	esac
	need_root "$@"
	cd "$REPO"
	phase "packages"
	install_packages "${PACKAGES[@]}"
	phase "build"
	build_in "$BUILD"
	"cmd_$1"
}

main "$@"

#!/usr/bin/env bash
# Text screenshots of every console screen, from the demo database:
#   scripts/screenshots.sh OUTDIR [BOOTDECK_BINARY]
# The console runs in a private tmux server at 100x30 (and 80x24 for the
# Hosts and Review screens); each screen is saved as OUTDIR/NAME.txt.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [BOOTDECK_BINARY]" >&2; exit 2; }
out=$(realpath -m "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${2:-$repo/build/ui/bootdeck}")
[ -x "$bin" ] || { echo "screenshots: no bootdeck binary at $bin (build first)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "screenshots: tmux is not installed" >&2; exit 1; }

work=$(mktemp -d /tmp/bootdeck-shots-XXXXXX)
sock="bootdeck-shots-$$"
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$out" "$work/xdg"
export XDG_CONFIG_HOME="$work/xdg" XDG_DATA_HOME="$work/xdg" TZ=UTC
"$repo/scripts/demo-db.sh" "$bin" "$work/demo.db" >/dev/null

# Starts the console at a size; the first screen is Hosts.
start() { # width height
	tmux -L "$sock" kill-server 2>/dev/null || true
	tmux -L "$sock" -f /dev/null new-session -d -x "$1" -y "$2" \
		env TERM=xterm-256color LC_ALL=C.UTF-8 BOOTDECK_THEME_DIR="$repo/themes" \
		"$bin" --db "$work/demo.db"
	wait_for "Hosts" title
	sleep 0.5 # keys typed while the terminal is being set up may be dropped
}

screen() { tmux -L "$sock" capture-pane -p -t 0; }

# Waits for text anywhere on the screen, or with a title only on the top
# line (the key bar names every screen too).
wait_for() { # text [title]
	for _ in $(seq 50); do
		if [ "${2:-}" = title ]; then
			screen | sed -n 1p | grep -qF -- "$1" && return 0
		else
			screen | grep -qF -- "$1" && return 0
		fi
		sleep 0.1
	done
	echo "screenshots: '$1' never appeared; the screen was:" >&2
	screen >&2
	exit 1
}

keys() { tmux -L "$sock" send-keys -t 0 "$@"; sleep 0.4; }

shot() { # name title [text-that-must-show]
	wait_for "$2" title
	[ -z "${3:-}" ] || wait_for "$3"
	screen > "$out/$1.txt"
	echo "screenshots: $out/$1.txt"
}

start 100 30
shot hosts "Hosts" "Legacy+Secure"
keys End
keys Enter
shot host-detail "Host detail" "Loader"
keys v
shot vms "Virtual Machines" "dc-01"
keys /  d c - 0 1 Enter
keys Enter
shot vm-detail "VM detail" "Boot Mode"
keys d
shot deploy-template "Deploy" "Step 1 of 4"
keys Enter
shot deploy-offering "Deploy" "Step 2 of 4"
keys Down Down Enter
shot deploy-placement "Deploy" "Step 3 of 4"
keys Enter
keys w e b - 0 3
keys Tab Space
shot deploy-review-boot-type "Deploy" "UEFI   "
keys Down Enter Tab Space
shot deploy-review-boot-mode "Deploy" "SECURE   "
keys Escape
keys Tab
shot deploy-review "Deploy" "Boot Mode: [SECURE]"
keys BTab
keys e
shot events "Events" "VM.CREATE"
keys a
shot alerts "Alerts"
keys ?
shot help "Help"

# An alert dialog: a Secure Boot deploy with the Secure Boot hosts disabled.
tmux -L "$sock" kill-server 2>/dev/null || true
"$bin" --db "$work/demo.db" updateHost id=secure-01 allocationstate=Disable >/dev/null
"$bin" --db "$work/demo.db" updateHost id=secure-02 allocationstate=Disable >/dev/null
start 100 30
keys d Enter Down Down Enter Enter
keys v a u l t
keys Tab Right Tab Right Tab Enter
shot dialog-deploy-failed "Deploy" "Deploy failed"
keys Enter

start 80 24
shot hosts-80x24 "Hosts" "Legacy+Secure"
keys d Enter Down Down Enter Enter
keys w e b - 0 3 Tab Right
shot deploy-review-80x24 "Deploy" "Boot Type: [UEFI]"
keys Tab Tab q

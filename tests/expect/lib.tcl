# Shared by the console's expect scripts: a demo database of their own, the
# real binary in a pseudo-terminal of a fixed size and TERM, and matching on
# the text a person would see (escape sequences stripped), with the screen
# printed when a match fails.
#
# Environment: BOOTDECK_BIN (the binary), BOOTDECK_DEMO_DB (scripts/demo-db.sh).

set timeout 10
log_user 0
set env(TERM) xterm-256color
set env(LC_ALL) C.UTF-8
set env(TZ) UTC
catch {unset env(NO_COLOR)}

foreach var {BOOTDECK_BIN BOOTDECK_DEMO_DB} {
	if {![info exists env($var)]} {
		puts stderr "expect: $var is not set"
		exit 2
	}
}
set bin $env(BOOTDECK_BIN)

# A private folder: database, demo files and the console's XDG folders.
set work [exec mktemp -d /tmp/bootdeck-expect-XXXXXX]
set db $work/demo.db
foreach xdg {DATA CONFIG CACHE STATE} {
	file mkdir $work/xdg-[string tolower $xdg]
	set env(XDG_${xdg}_HOME) $work/xdg-[string tolower $xdg]
}
if {[catch {exec bash $env(BOOTDECK_DEMO_DB) $bin $db} out]} {
	puts stderr "expect: building the demo database failed:\n$out"
	exit 1
}

proc cleanup {} {
	global work
	file delete -force $work
}

# Everything read since the last screen_reset, as plain text.
set seen ""

proc screen_reset {} {
	global seen
	set seen ""
}

# Reads what the console is still sending until it has been quiet for a
# moment. Without it, a repaint asked for earlier could arrive after the next
# reset and pass for the current screen. A screen that never stops changing
# (a live serial tail) is given two seconds.
proc screen_settle {} {
	global seen
	set deadline [expr {[clock milliseconds] + 2000}]
	while {[clock milliseconds] < $deadline} {
		after 200
		set got 0
		expect {
			-timeout 0
			-re {.+} {append seen [screen_plain $expect_out(0,string)]; set got 1}
			timeout {}
			eof {fail "the console exited"}
		}
		if {!$got} {return}
	}
}

# Terminal output to readable text: cursor moves become line breaks or
# spaces, every other escape sequence goes.
proc screen_plain {raw} {
	# A clear screen starts a new frame: marked with a form feed.
	regsub -all {\x1b\[2J} $raw "\f" raw
	regsub -all {\x1b\[[0-9]+;[0-9]+H} $raw "\n" raw
	regsub -all {\x1b\[[0-9]*H} $raw "\n" raw
	while {[regexp {\x1b\[([0-9]*)[CX]} $raw all n]} {
		if {$n eq ""} {set n 1}
		regsub {\x1b\[[0-9]*[CX]} $raw [string repeat " " $n] raw
	}
	regsub -all {\x1b\[[0-9;?>=]*[A-Za-z@]} $raw "" raw
	regsub -all {\x1b[()][0-9A-Za-z]} $raw "" raw
	regsub -all {\x1b[=>78cM]} $raw "" raw
	regsub -all {[\x00-\x08\x0b\x0e-\x1f]} $raw "" raw
	return [string map {"\r" ""} $raw]
}

proc screen_dump {why} {
	global seen
	puts stderr "FAILED: $why"
	puts stderr "---- what the terminal showed (text, last 3000 characters) ----"
	puts stderr [string range $seen end-3000 end]
	puts stderr "----"
}

proc fail {why} {
	screen_dump $why
	catch {close}
	cleanup
	exit 1
}

# Waits until every text in the list has appeared since the last reset.
# curses redraws only the cells that changed, so a word may never be sent
# whole; when a match stalls, Ctrl-L makes the console repaint everything
# and the search starts again on the fresh screen.
proc screen_wait {texts {why ""}} {
	global seen timeout
	set deadline [expr {[clock milliseconds] + $timeout * 1000}]
	set repaint [expr {[clock milliseconds] + 700}]
	while 1 {
		set missing {}
		foreach t $texts {
			if {[string first $t $seen] < 0} {lappend missing $t}
		}
		if {[llength $missing] == 0} {return}
		if {[clock milliseconds] > $deadline} {
			fail "expected [join $missing {, }] on the screen $why"
		}
		if {[clock milliseconds] > $repaint} {
			set seen ""
			send "\x0c"
			set repaint [expr {[clock milliseconds] + 1500}]
		}
		expect {
			-timeout 1
			-re {.+} {append seen [screen_plain $expect_out(0,string)]}
			timeout {}
			eof {fail "the console exited while waiting for [join $missing {, }] $why"}
		}
	}
}

# Repaints the whole screen (Ctrl-L) and waits for the texts on it, so what
# matches is the current screen rather than an earlier one.
proc screen_show {texts {why ""}} {
	screen_settle
	screen_reset
	send "\x0c"
	screen_wait $texts $why
}

# Looks at the last full frame only: output of earlier frames may still
# arrive after a reset.
proc screen_lacks {text {why ""}} {
	global seen
	screen_settle
	set frame [string range $seen [expr {[string last "\f" $seen] + 1}] end]
	if {[string first $text $frame] >= 0} {
		fail "did not expect '$text' on the screen $why"
	}
}

# Keys as xterm sends them in keypad mode.
proc key {name {count 1}} {
	set codes {up "\x1bOA" down "\x1bOB" right "\x1bOC" left "\x1bOD" tab "\t"
		   enter "\r" esc "\x1b" btab "\x1b\[Z"}
	for {set i 0} {$i < $count} {incr i} {
		send [dict get $codes $name]
		# Esc alone must not merge with the next key into a sequence.
		after [expr {$name eq "esc" ? 150 : 60}]
	}
}

proc type {text} {
	foreach c [split $text ""] {
		send -- $c
		after 30
	}
}

proc console_start {rows cols} {
	global bin db spawn_id stty_init spawn_out
	set stty_init "rows $rows cols $cols"
	spawn -noecho $bin --db $db
	screen_wait {Hosts bootdeck} "when the console starts"
}

# Quits with q and checks the exit status is 0.
proc console_quit {} {
	global spawn_id
	send "q"
	expect {
		eof {}
		timeout {fail "q did not quit the console"}
	}
	lassign [wait] pid sid oserr status
	if {$oserr != 0 || $status != 0} {
		fail "the console exited with status $status"
	}
}

# Runs a CLI command; returns its output.
proc cli {args} {
	global bin db
	if {[catch {exec $bin --db $db {*}$args} out]} {
		fail "bootdeck $args failed: $out"
	}
	return $out
}

# Goes through the wizard's first three steps with template debian-12,
# offering small and Automatic placement, and leaves the cursor in Name.
proc wizard_to_review {} {
	send "d"
	screen_show {{Step 1 of 4} debian-12} "after d"
	key enter
	screen_show {{Step 2 of 4} small} "after choosing the template"
	# Offerings are listed by name: large, medium, small.
	key down 2
	key enter
	screen_show {{Step 3 of 4} Automatic} "after choosing the offering"
	key enter
	screen_show {{Step 4 of 4} {Boot Type} {Boot Mode} {Offering: small}} \
		"after choosing the placement"
}

#!/usr/bin/env python3
"""Sums the time a libvirt client spent waiting on its daemon, from the
client's own log (LIBVIRT_LOG_FILTERS="1:rpc.netclient"): each call is
stamped when queued (virNetClientSendInternal) and when its reply arrives
(virNetClientCallDispatch, type=1), matched by serial.

Prints: SECONDS_IN_CALLS CALLS LONGEST_PROC LONGEST_SECONDS
(procedure 9 is REMOTE_PROC_DOMAIN_CREATE, libvirt's start of the guest)."""
import re
import sys

STAMP = re.compile(r"^\S+ (\d+):(\d+):([\d.]+)\+\d+: \d+: \w+ : (\w+):\d+ : (.*)")
CALL = re.compile(r"proc=(\d+) type=(\d+) status=\d+ serial=(\d+)")


def main(path):
    sent = {}
    total = 0.0
    calls = 0
    longest = (None, 0.0)
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            stamp = STAMP.match(line)
            if not stamp:
                continue
            when = int(stamp[1]) * 3600 + int(stamp[2]) * 60 + float(stamp[3])
            call = CALL.search(stamp[5])
            if not call:
                continue
            proc, kind, serial = call[1], call[2], call[3]
            if stamp[4] == "virNetClientSendInternal" and kind == "0":
                sent[serial] = (when, proc)
            elif stamp[4] == "virNetClientCallDispatch" and kind == "1" and serial in sent:
                start, proc = sent.pop(serial)
                total += when - start
                calls += 1
                if when - start > longest[1]:
                    longest = (proc, when - start)
    print(f"{total:.4f} {calls} {longest[0]} {longest[1]:.4f}")


if __name__ == "__main__":
    main(sys.argv[1])

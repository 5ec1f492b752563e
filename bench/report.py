#!/usr/bin/env python3
"""Writes docs/performance.md from the raw results of bench/run-all.sh.

    report.py RESULTS_DIR OUT SMOKE(0|1)

Numbers are medians with their spread (min-max, and p10-p90 where there are
ten samples or more). A smoke run gets no pass/fail on timings. The fixed
text about what was profiled and changed is bench/findings.md."""
import math
import os
import statistics
import sys

TARGETS = {
    "deploy_ratio": 0.25,
    "plan_p50_ms": 2.0,
    "plan_p99_ms": 10.0,
    "list_ms": 100.0,
    "console_first_ms": 150.0,
    "console_frame_ms": 16.0,
    "console_rss_kib": 30 * 1024,
}


COMMANDS = """## Exact commands

On a fresh Debian machine, `sudo scripts/dev.sh bench` installs what the
benchmarks need (the test packages plus virtinst, swtpm and bc), then runs
`bench/run-all.sh` (release build in `build-bench`; `--build DIR` uses
another). Per target:

1. `bench/deploy-bench.sh BOOTDECK URI IMAGES WORK 10 OUT`: a database with
   `createCluster name=bench`, `addHost clusterid=bench name=full
   url=$FLEET_FULL_URI virttype=qemu`, `registerTemplate name=secure
   url=IMAGES/secure.qcow2 format=QCOW2`, `createServiceOffering name=bench
   cpunumber=1 memory=256`; then per round, timed with `date +%s.%N` around
   each command:
   - `bootdeck deployVirtualMachine name=bd-N templateid=secure
     serviceofferingid=bench boottype=UEFI bootmode=SECURE`
   - `virt-install --connect URI --name NAME --memory 256 --vcpus 1 --machine
     q35 --virt-type qemu --boot uefi,firmware.feature0.name=secure-boot,firmware.feature0.enabled=yes,firmware.feature1.name=enrolled-keys,firmware.feature1.enabled=yes
     --features smm.state=on --import --disk
     pool=bootdeck,size=1,backing_store=IMAGES/secure.qcow2,backing_format=qcow2,format=qcow2,bus=sata
     --noautoconsole --osinfo detect=on,require=off` (defaults), and the same
     with `--network none --tpm none --graphics none` (same guest);
   - untimed cleanup: `destroyVirtualMachine id=bd-N expunge=true`, `virsh
     destroy` and `virsh undefine --nvram --remove-all-storage`.
2. `fleet-gen DB H H/20 10*H up` for H = 100, 500, 1000, 2000, 5000, 10000,
   then `plan-bench DB 200`.
3. `fleet-gen DB 10000 500 10000 disconnected`, then ten times each
   `bootdeck --db DB listHosts > FILE` and `bootdeck --db DB
   listVirtualMachines > FILE`, timed with `date +%s%N` (one untimed run
   first).
4. `console-bench DB 300` on the same database.
5. `bench/boot-bench.sh BOOTDECK URI IMAGES WORK 5 OUT`: `deployVirtualMachine
   ... startvm=false` with templates `hybrid.iso` (ISO) and `secure.qcow2`,
   then `virsh start NAME` and polling the serial log for `BOOTDECK-MARKER`;
   `addHost ... virttype=kvm` in a database of its own; and
   `qemu-system-x86_64 -accel kvm|tcg -machine q35[,smm=on] -m 256 -display
   none -no-reboot -serial file:LOG -monitor none` with `-cdrom hybrid.iso`,
   or OVMF `OVMF_CODE_4M.fd` / `OVMF_CODE_4M.ms.fd` as pflash (a copy of the
   matching VARS file, `-global driver=cfi.pflash01,property=secure,value=on`
   for Secure Boot) and `secure.qcow2` on `ide-hd`.

Fleet: `tests/fleet/fleet.sh up DIR` (or an existing one named by
`FLEET_FULL_URI`); images: `tests/fixtures/make-images.sh DIR` (or
`BENCH_IMAGES`). `BENCH_KEEP=1` keeps the work folder with the raw results.
"""


def read_lines(results, name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f if line.strip()]


def quantile(values, q):
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(q * len(ordered) + 0.999999)))
    return ordered[rank - 1]


def spread(values, scale=1.0, digits=3):
    vals = [v * scale for v in values]
    text = f"{statistics.median(vals):.{digits}f} (min {min(vals):.{digits}f}, max {max(vals):.{digits}f}"
    if len(vals) >= 10:
        text += f", p10 {quantile(vals, 0.1):.{digits}f}, p90 {quantile(vals, 0.9):.{digits}f}"
    return text + f"; n={len(vals)})"


def verdict(ok, smoke):
    if smoke:
        return "not judged (smoke run)"
    return "**PASS**" if ok else "**FAIL**"


def machine(results, out):
    rows = read_lines(results, "machine.txt") or []
    out.append("## Machine\n")
    out.append("| | |\n|---|---|")
    for row in rows:
        out.append(f"| {row[0]} | {' '.join(row[1:])} |")
    out.append("")


def deploy(results, out, summary, smoke):
    rows = read_lines(results, "deploy.txt")
    out.append("## 1. Deploy latency against virt-install\n")
    if rows is None:
        out.append("Not run (smoke run: needs the private libvirt host).\n")
        summary.append(("1. deploy ratio bootdeck/virt-install <= 0.25", "not run", verdict(False, True)))
        return
    bd = [float(r[1]) for r in rows if r[0] == "bootdeck"]
    vi = [float(r[1]) for r in rows if r[0] == "virt-install"]
    vd = [float(r[1]) for r in rows if r[0] == "virt-install-defaults"]
    same = [b / v for b, v in zip(bd, vi)]
    defaults = [b / v for b, v in zip(bd, vd)]
    out.append("Same private host (`full`), same UEFI SECURE guest (1 vCPU, 256 MiB, "
               "overlay on `secure.qcow2` in the `bootdeck` pool), started and not waited "
               "for. virt-install runs twice per round: with its defaults (the issue's "
               "command, which also gives the guest an emulated TPM, a network card and "
               "graphics) and trimmed to bootdeck's guest (`--tpm none --network none "
               "--graphics none`). The three take turns going first.\n")
    out.append("| tool | seconds: median (spread) |\n|---|---|")
    out.append(f"| bootdeck deployVirtualMachine | {spread(bd)} |")
    out.append(f"| virt-install, defaults | {spread(vd)} |")
    out.append(f"| virt-install, same guest as bootdeck | {spread(vi)} |")
    out.append(f"| ratio per round, bootdeck / virt-install defaults | {spread(defaults)} |")
    out.append(f"| ratio per round, bootdeck / virt-install same guest | {spread(same)} |")
    rpc = [r for r in rows if r[0] == "rpc"]
    if rpc:
        in_rpc, calls, proc, longest, total = rpc[0][1:6]
        out.append("")
        out.append(f"One traced bootdeck deploy: {float(total):.3f} s in all, of which "
                   f"{float(in_rpc):.3f} s waiting on the libvirt daemon over {calls} calls; "
                   f"the longest, procedure {proc} (9 = virDomainCreate, the guest's start), "
                   f"took {float(longest):.3f} s. bootdeck's own share (process start, store, "
                   f"planning, domain XML) is the remaining "
                   f"{float(total) - float(in_rpc):.3f} s.")
    out.append("")
    for label, ratios in (("virt-install with its defaults (the issue's command)", defaults),
                          ("virt-install making the same guest", same)):
        ratio = statistics.median(ratios)
        summary.append((f"1. deploy bootdeck / {label} <= 0.25 (median per round)",
                        f"{ratio:.3f}", verdict(ratio <= TARGETS["deploy_ratio"], smoke)))


# Linear is 1; the margin covers timing noise.
GROWTH_MAX_EXPONENT = 1.1


def growth_exponent(points):
    """The k of cost ~ hosts^k fitted to (hosts, ms) points, or None."""
    pts = [(math.log(h), math.log(t)) for h, t in points if h > 0 and t > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    var = sum((x - mx) ** 2 for x, _ in pts)
    if var == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in pts) / var


def plan(results, out, summary, smoke):
    rows = read_lines(results, "plan.txt") or []
    out.append("## 2. Placement at scale\n")
    out.append("Per plan, what a deploy does: inside a write transaction, check the request, "
               "load the fleet from the store and run the planner (`vmops_preview`), then roll "
               "back. Synthetic fleets from `fleet-gen` (20 hosts per cluster, 10 VMs per host, "
               "a third of the hosts UEFI, half of those Secure Boot, 2% Disconnected, 2% "
               "Disabled). `hosts-read` is `store_host_plan_list()` alone, every host's "
               "planner row: what a plan cost before it read only the clusters' kept sums "
               "and the hosts of the clusters it reaches, for comparison.\n")
    out.append("| hosts | clusters | VMs | guest | p50 ms | p99 ms | min ms | max ms | p50 us per host |")
    out.append("|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    largest = {}
    per_host = {}
    for r in rows:
        hosts, clusters, vms, label = int(r[0]), r[1], r[2], r[3]
        p50, p99, lo, hi = map(float, r[4:8])
        out.append(f"| {hosts} | {clusters} | {vms} | {label} | {p50:.3f} | {p99:.3f} | "
                   f"{lo:.3f} | {hi:.3f} | {1000 * p50 / hosts:.3f} |")
        per_host.setdefault(label, []).append((hosts, p50))
        if hosts >= largest.get(label, (0,))[0]:
            largest[label] = (hosts, p50, p99)
    out.append("")
    # Growth is judged by the exponent of cost against hosts over all sizes
    # (least squares on logs; 1 is linear): step by step, medians of a
    # tenth of a millisecond are mostly noise.
    growth_ok = True
    for label, points in per_host.items():
        points.sort()
        steps = []
        for (h0, t0), (h1, t1) in zip(points, points[1:]):
            steps.append(f"{h0}->{h1} hosts: x{h1 / h0:.1f} hosts, x{t1 / t0:.2f} time")
        slope = growth_exponent(points)
        if label != "hosts-read":  # judged on whole plans only
            growth_ok = growth_ok and slope is not None and slope <= GROWTH_MAX_EXPONENT
        exponent = "n/a" if slope is None else f"{slope:.2f}"
        out.append(f"- {label}: cost ~ hosts^{exponent}; " + "; ".join(steps))
    out.append("")
    for label, (hosts, p50, p99) in sorted(largest.items()):
        if label == "hosts-read":  # the share of a plan spent reading, not a plan
            continue
        summary.append((f"2. plan {label} at {hosts} hosts: p50 <= 2 ms, p99 <= 10 ms",
                        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms",
                        verdict(p50 <= TARGETS["plan_p50_ms"] and p99 <= TARGETS["plan_p99_ms"]
                                and hosts >= 10000, smoke)))
    summary.append((f"2. plan cost grows at most linearly with hosts (cost ~ hosts^k, k <= {GROWTH_MAX_EXPONENT})",
                    "see table", verdict(growth_ok, smoke)))


def listing(results, out, summary, smoke):
    rows = read_lines(results, "list.txt") or []
    out.append("## 3. Listing\n")
    out.append("Whole process (`bootdeck --db DB CMD`, JSON on stdout to a file), page cache "
               "warm. The synthetic hosts are simulated and recorded Disconnected, so "
               "listVirtualMachines' reconciliation has no hypervisor to ask and the time "
               "is bootdeck's own: store, JSON, output.\n")
    nrows = next((r[1] for r in rows if r[0] == "rows"), "?")
    out.append("| command | rows | JSON bytes | ms: median (spread) |\n|---|---:|---:|---|")
    for cmd in ("listHosts", "listVirtualMachines"):
        times = [int(r[1]) / 1000 for r in rows if r[0] == cmd]
        if not times:
            continue
        size = [r[2] for r in rows if r[0] == cmd][0]
        out.append(f"| {cmd} | {nrows} | {size} | {spread(times, digits=1)} |")
        med = statistics.median(times)
        summary.append((f"3. {cmd} of {nrows} rows as JSON <= 100 ms", f"{med:.0f} ms",
                        verdict(med <= TARGETS["list_ms"], smoke)))
    out.append("")


def console(results, out, summary, smoke):
    rows = {r[0]: r[1:] for r in read_lines(results, "console.txt") or []}
    out.append("## 4. Console\n")
    if not rows:
        out.append("Not run.\n")
        return
    out.append("Headless: `console-bench` drives the real console code (`app_new`, keys, "
               "`app_render` into the off-screen grid at 120x40) on the listing database; the "
               "curses copy to a terminal is not included.\n")
    scroll = list(map(float, rows["scroll"]))
    filt = list(map(float, rows["filter"]))
    out.append("| measure | value |\n|---|---|")
    out.append(f"| first frame (open store, load {rows['hosts_rows'][0]} hosts, draw) | "
               f"{float(rows['first_ms'][0]):.1f} ms |")
    out.append(f"| scrolling per frame (down / page down) | p50 {scroll[0]:.3f} ms, "
               f"p99 {scroll[1]:.3f} ms, max {scroll[2]:.3f} ms |")
    out.append(f"| filtering per key (`/` then `bench-h01`, then erased; "
               f"{rows['filter_rows'][0]} rows match) | p50 {filt[0]:.3f} ms, "
               f"p99 {filt[1]:.3f} ms, max {filt[2]:.3f} ms |")
    rss, hwm = int(rows["rss_kib"][0]), int(rows["hwm_kib"][0])
    out.append(f"| resident memory at the end (VmRSS) / peak (VmHWM) | {rss} KiB / {hwm} KiB "
               f"({hwm / 1024:.1f} MiB, {hwm * 1.024:.0f} kB) |")
    if "rss_anon_kib" in rows:
        out.append(f"| of which heap and stacks (RssAnon) / mapped files and libraries (RssFile) | "
                   f"{rows['rss_anon_kib'][0]} KiB / {rows['rss_file_kib'][0]} KiB |")
    out.append("")
    summary.append(("4. console first frame <= 150 ms", f"{float(rows['first_ms'][0]):.1f} ms",
                    verdict(float(rows["first_ms"][0]) <= TARGETS["console_first_ms"], smoke)))
    worst = max(scroll[2], filt[2])
    summary.append(("4. console every scroll/filter frame <= 16 ms (max)", f"{worst:.2f} ms",
                    verdict(worst <= TARGETS["console_frame_ms"], smoke)))
    summary.append(("4. console peak RSS <= 30 MiB (30,720 KiB)", f"{hwm} KiB",
                    verdict(hwm <= TARGETS["console_rss_kib"], smoke)))


def boot(results, out, summary, smoke):
    rows = read_lines(results, "boot.txt")
    out.append("## 5. Boot to the boot loader\n")
    if rows is None:
        out.append("Not run (smoke run: needs the private libvirt host).\n")
        return
    out.append("From the start call until grub's marker line is in the serial log "
               "(polled every 10 ms). Through libvirt (TCG) the start call itself is included "
               "and shown apart.\n")
    out.append("| path | firmware | media | s to marker: median (spread) | start call s |")
    out.append("|---|---|---|---|---|")
    groups = {}
    for r in rows:
        if r[0] == "libvirt":
            groups.setdefault(("libvirt TCG", r[1], r[2]), []).append((r[3], r[4]))
        elif r[0] == "direct":
            groups.setdefault((f"QEMU direct, {r[1]}", r[2], r[3]), []).append(
                (r[4], " ".join(r[5:]) if r[4] == "fail" else ""))
    medians = {}
    for (path, mode, media), samples in groups.items():
        ok = [float(s[0]) for s in samples if s[0] != "fail"]
        fails = [s[1] for s in samples if s[0] == "fail"]
        cell = spread(ok, digits=2) if ok else "never reached"
        if fails:
            cell += f"; {len(fails)} failed: {fails[0][:160]}"
        start = ""
        if path == "libvirt TCG":
            calls = [float(s[1]) for s in samples]
            start = f"{statistics.median(calls):.2f}"
        out.append(f"| {path} | {mode} | {media} | {cell} | {start} |")
        if ok:
            medians[(path, mode, media)] = statistics.median(ok)
    probe = [" ".join(r[1:]) for r in rows if r[0] == "kvm-probe"]
    if probe:
        out.append("")
        out.append(f"bootdeck's own KVM probe of the same host (`addHost ... virttype=kvm`): {probe[0]}")
    out.append("")
    bios = medians.get(("libvirt TCG", "BIOS", "hybrid"))
    legacy = medians.get(("libvirt TCG", "UEFI-LEGACY", "hybrid"))
    secure = medians.get(("libvirt TCG", "UEFI-SECURE", "secure"))
    if bios and legacy and secure:
        faster = "faster" if legacy < bios else "slower"
        out.append(f"Under TCG, UEFI LEGACY reaches the boot loader {legacy / bios:.1f}x the time "
                   f"of BIOS ({faster}); UEFI SECURE {secure / bios:.1f}x. The design document's "
                   f"claim that UEFI boots faster {'holds' if legacy < bios else 'does not hold'} here.")
        out.append("")
        summary.append(("5. boot to loader measured (BIOS / UEFI LEGACY / UEFI SECURE, TCG)",
                        f"{bios:.2f} / {legacy:.2f} / {secure:.2f} s", "measured"))


def main():
    results, out_path, smoke = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    here = os.path.dirname(os.path.abspath(__file__))
    body, summary = [], []
    machine(results, body)
    deploy(results, body, summary, smoke)
    plan(results, body, summary, smoke)
    listing(results, body, summary, smoke)
    console(results, body, summary, smoke)
    boot(results, body, summary, smoke)

    doc = ["# Performance\n"]
    doc.append("Generated by `bench/run-all.sh`" + (" --smoke" if smoke else "") +
               "; rerun it, or `sudo scripts/dev.sh bench` on a fresh machine, to reproduce every "
               "figure (full run: about 15 minutes, as root, since the private libvirt fleet "
               "runs as its own user). Timings come from "
               "scripts and small C drivers in `bench/`, never from unit tests.\n")
    doc.append("## Targets\n")
    doc.append("| target | measured | result |\n|---|---|---|")
    for name, value, result in summary:
        doc.append(f"| {name} | {value} | {result} |")
    doc.append("")
    doc.extend(body)
    doc.append(COMMANDS)
    findings = os.path.join(here, "findings.md")
    if os.path.exists(findings):
        with open(findings, encoding="utf-8") as f:
            doc.append(f.read().rstrip() + "\n")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(doc))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes docs/performance.md from the figures bench/run's benchmarks recorded (bench/results.py),
with the machine it ran on, and a PNG chart of where `start` spends its time next to a bare QEMU
boot (gnuplot). Usage: report.py RESULTS.json REPORT.md CHART.png"""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

SECTIONS = [
    ("list", "`machine list`", "bench/list: 50 machines each, alternating runs, as one "
     "unprivileged user."),
    ("init", "`machine init`", "bench/init: the same local images (random bytes) for both; "
     "\"first use\" is the first init from an image, when ours copies it into the image cache. "
     "The issue sets no ratio for init (only: flat in the image's size); the targets here are "
     "ours: at most half podman's time once the image is cached, and no slower on first use."),
    ("start", "`machine start`", "bench/start: the same provisioned disk; the bare side runs "
     "QEMU with the very command line `machine start` used, until the guest's Ready; ours runs "
     "until the forwarded API socket answers."),
    ("forward", "The API socket", "bench/forward: one running guest; 200 MB through the socket "
     "(`docker cp`'s path) and 200 fresh-connection `GET /_ping`s per round; each transport is "
     "paired with OpenSSH samples of its own round (the downloads one after the other, the pings "
     "in turn, request by request)."),
    ("share", "Host folders", "bench/share: two machines at once, one sharing the folder over "
     "virtiofs, one over 9p (the virtiofs one also holds a copy on its own disk); timed inside a "
     "container from /proc/uptime, the guest's caches dropped before each timing."),
    ("boot", "Cold boot against stock Debian", "bench/boot: our image and one built by the same "
     "recipe as Debian ships it (`guest-image/build --stock`: the same packages and agent, no "
     "unit masked, every module, Debian's initramfs), each booted by `machine start` under the "
     "same QEMU command line, alternating; Ready is when the agent sent it, seconds after the "
     "kernel started on the guest's clock."),
    ("resume", "Suspend and resume", "bench/resume: one machine, its home folder shared, a "
     "container running; `machine start` until the API's first answer, after `machine stop` (a "
     "cold boot) and after `machine stop --suspend` (a resume), alternating."),
    ("idle", "The idle pause", "bench/idle: one machine with `--idle-pause 10s`; each round "
     "waits for its forwarder to pause the VM, then times the first `GET /_ping` through the API "
     "socket and one more with the VM running; QEMU's CPU time from /proc over a minute paused "
     "and a minute running idle (held awake by a `machine ssh`)."),
]


def command_output(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not installed"


def host_facts():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    mem_kib = next(int(line.split()[1]) for line in open("/proc/meminfo")
                   if line.startswith("MemTotal"))
    debian = open("/etc/debian_version").read().strip() if os.path.exists(
        "/etc/debian_version") else "?"
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("memory", f"{mem_kib / 1024 / 1024:.0f} GiB"),
        ("system", f"Debian {debian}, Linux {platform.release()}"),
        ("QEMU", command_output(["qemu-system-x86_64", "--version"])),
        ("podman", command_output(["podman", "--version"])),
        ("OpenSSH", command_output(["ssh", "-V"])),
    ]


def number(value, unit):
    digits = 3 if abs(value) < 10 else 1
    return f"{value:.{digits}f} {unit}"


def cell(stats, unit):
    if stats["runs"] == 1:
        return number(stats["median"], unit)
    return (f"{number(stats['median'], unit)} ({stats['min']:.{3 if stats['min'] < 10 else 1}f}"
            f"–{stats['max']:.{3 if stats['max'] < 10 else 1}f}, {stats['runs']} runs)")


def target(text):
    return text.replace("<=", "≤").replace(">=", "≥").replace("x", "×")


def figures_table(figures):
    rows = ["| figure | machine | peer | ratio | target | |", "|---|---|---|---|---|---|"]
    for f in figures:
        rows.append(f"| {f['name']} | {cell(f['ours'], f['unit'])} | {f['peer_name']}: "
                    f"{cell(f['peer'], f['unit'])} | **{f['ratio']:.3f}×** | {target(f['target'])} | "
                    f"{'met' if f['met'] else '**missed**'} |")
    return rows


def chart(phases, path):
    """Stacked bars of the start phases, one bar per side."""
    names = list(dict.fromkeys(n for p in phases.values() for n in p))
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "phases.dat")
        with open(data, "w") as out:
            out.write("side " + " ".join(f'"{n}"' for n in names) + "\n")
            for side, p in phases.items():
                out.write(f'"{side}" ' + " ".join(f"{p.get(n, 0):.2f}" for n in names) + "\n")
        script = f"""
set terminal pngcairo size 900,520 font "sans,11"
set output "{path}"
set title "Where start spends its time (medians, seconds)"
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.55
set ylabel "seconds"
set yrange [0:*]
set key outside right top
set grid ytics
plot for [i=2:{len(names) + 1}] "{data}" using i:xtic(1) title columnheader(i)
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main(results_path, report_path, chart_path):
    with open(results_path) as results_file:
        results = json.load(results_file)
    lines = ["# Performance", "",
             f"Written by `bench/run` on {datetime.date.today().isoformat()}. Each benchmark "
             "runs `machine` side by side with the tool or setup a user would otherwise pick, in "
             "the same run, alternating. Each figure is the median over the runs, with min–max; "
             "the ratio is ours over the peer's median. Rerun with `bench/run` (or one bench "
             "alone, e.g. `bench/start`).", "", "## The machine it ran on", ""]
    facts = host_facts()
    if "start" in results:
        facts.append(("accelerator", results["start"].get("accelerator", "?")))
    lines += [f"- {name}: {value}" for name, value in facts]
    for key, title, how in SECTIONS:
        if key not in results:
            continue
        lines += ["", f"## {title}", "", how, ""] + figures_table(results[key]["figures"])
        if key == "init" and "growth" in results[key]:
            g = results[key]["growth"]
            lines += ["", f"With an image four times as large, `machine init` takes "
                      f"{g['ours']:.2f}× as long and `podman machine init` {g['podman']:.2f}×."]
        if key == "start" and results[key].get("phases"):
            phases = results[key]["phases"]
            chart(phases, chart_path)
            lines += ["", "### Where `start` spends its time", "",
                      f"![start phases]({os.path.basename(chart_path)})", "",
                      "The guest's own clock gives the kernel (with the initramfs) and userspace "
                      "phases (systemd's userspace timestamp and the agent's \"sent Ready\" in "
                      "the journal); "
                      "QEMU launch is what the host waited for Ready minus those; SSH and "
                      "forwarder follow `machine start`'s progress lines.", "",
                      "| phase | " + " | ".join(phases) + " |",
                      "|---|" + "---|" * len(phases)]
            names = list(dict.fromkeys(n for p in phases.values() for n in p))
            for name in names:
                lines.append(f"| {name} | " + " | ".join(
                    f"{p[name]:.1f} s" if name in p else "—" for p in phases.values()) + " |")
        if key == "boot":
            for name, seconds in results[key]["start_seconds"].items():
                lines += ["", f"`machine start` to the API's first answer, {name}: median "
                          f"{statistics.median(seconds):.1f} s."]
            for name, text in results[key]["analysis"].items():
                lines += ["", f"`systemd-analyze` and the top of `blame`, {name}, last round:",
                          "", "```", text.rstrip(), "```"]
    missed = [f["name"] for r in results.values() for f in r["figures"] if not f["met"]]
    lines += ["", "## Targets missed", ""]
    lines += [f"- {name}" for name in missed] if missed else ["None."]
    with open(report_path, "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])

#!/usr/bin/env python3
"""The idle pause, measured (see bench/idle).

One machine with `--idle-pause 10s`. Each round waits until its forwarder has paused the VM (its
log says so), then times one `GET /_ping` through the forwarded API socket (the forwarder runs the
VM on before it opens the stream), then, the VM running, as many pings again as the peer. Once,
QEMU's CPU time (user + system, from /proc) over a minute paused and a minute running idle.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

from bench_store import private_store
from results import figure, record

TARGET_MS = 300
IDLE = 10  # seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--machine", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    machine = os.path.abspath(args.machine)
    work, env = private_store("bench-idle.")
    run_dir = f"{work}/run/machine/bench"
    socket = f"{run_dir}/podman.sock"
    log = f"{work}/data/machine/machines/bench/forwarder.log"

    def run(*words):
        done = subprocess.run([machine, *words], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"machine {' '.join(words)}: exit {done.returncode}: {done.stderr}")

    def ping_ms():
        begin = time.monotonic()
        answer = subprocess.run(["curl", "-sf", "--max-time", "30", "--unix-socket", socket,
                                 "http://d/_ping"], capture_output=True).stdout
        if answer != b"OK":
            raise SystemExit(f"_ping answered {answer!r}")
        return (time.monotonic() - begin) * 1000

    def paused():
        with open(log) as text:
            lines = text.read()
        return lines.count("the VM is paused") > lines.count("the VM runs again")

    def wait_for_pause():
        deadline = time.monotonic() + IDLE * 6
        while not paused():
            if time.monotonic() > deadline:
                raise SystemExit("the forwarder never paused the idle VM")
            time.sleep(0.2)

    def ticks(process):
        with open(f"{run_dir}/{process}.pid") as pid_file:
            pid = pid_file.read().strip()
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime

    def ticks_over_a_minute():
        """QEMU's and the forwarder's CPU ticks over a minute."""
        before = ticks("qemu"), ticks("forwarder")
        time.sleep(60)
        return ticks("qemu") - before[0], ticks("forwarder") - before[1]

    try:
        run("init", "--image", args.image, "--cpus", "2", "--idle-pause", f"{IDLE}s", "bench")
        print("booting the machine...", file=sys.stderr)
        run("start", "--quiet", "bench")
        ping_ms()  # the podman service up, before anything is timed
        after_pause, running = [], []
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}/{args.rounds}...", file=sys.stderr)
            wait_for_pause()
            after_pause.append(ping_ms())
            running.append(ping_ms())
        wait_for_pause()
        print("a minute paused...", file=sys.stderr)
        ticks_paused, forwarder_paused = ticks_over_a_minute()
        still_paused = paused()
        ping_ms()
        # Held awake by a `machine ssh` that sleeps through the minute: running, idle.
        print("a minute running idle...", file=sys.stderr)
        awake = subprocess.Popen([machine, "ssh", "bench", "sleep 62"], env=env)
        time.sleep(1)
        ticks_running, forwarder_running = ticks_over_a_minute()
        awake.wait()
        hz = os.sysconf("SC_CLK_TCK")

        first = figure("first `_ping` after an idle pause", "ms", after_pause, running,
                       "a `_ping` to the machine running", 0)
        first["target"] = f"<= {TARGET_MS} ms (median)"
        first["met"] = statistics.median(after_pause) <= TARGET_MS
        cpu = {"name": "QEMU's CPU over a minute", "unit": "s",
               "ours": {"median": ticks_paused / hz, "min": ticks_paused / hz,
                        "max": ticks_paused / hz, "runs": 1},
               "peer": {"median": ticks_running / hz, "min": ticks_running / hz,
                        "max": ticks_running / hz, "runs": 1},
               "peer_name": "the same minute running idle",
               "ratio": ticks_paused / ticks_running if ticks_running else 0.0,
               "target": "0 while paused", "met": ticks_paused == 0 and still_paused}
        print(f"{args.rounds} rounds (TCG), milliseconds, median (min-max)")
        for name, values in (("after a pause", after_pause), ("running", running)):
            print(f"  {name:<14} {statistics.median(values):7.1f} "
                  f"({min(values):.1f}-{max(values):.1f})")
        print(f"  first answer after a pause: {statistics.median(after_pause):.0f} ms (target <= "
              f"{TARGET_MS} ms: {'met' if first['met'] else 'MISSED'})")
        print(f"  QEMU's CPU over a minute: paused {ticks_paused / hz:.2f} s, running idle "
              f"{ticks_running / hz:.2f} s (target 0 while paused: "
              f"{'met' if cpu['met'] else 'MISSED'})")
        print(f"  the forwarder's over the same minutes: paused {forwarder_paused / hz:.2f} s, "
              f"running idle {forwarder_running / hz:.2f} s")
        record("idle", [first, cpu], forwarder_cpu_seconds={"paused": forwarder_paused / hz,
                                                            "running": forwarder_running / hz})
    finally:
        subprocess.run([machine, "rm", "--force", "bench"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

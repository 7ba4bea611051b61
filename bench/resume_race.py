#!/usr/bin/env python3
"""Resume from a saved state vs a cold start of the same machine (see bench/resume).

One machine, its home folder shared as `init` does by default, with a container running. Each
round stops it one way and starts it again, timing `machine start` until the forwarded API socket
answers `GET /_ping`: after `machine stop` (a cold boot), and after `machine stop --suspend` (a
resume). Rounds alternate the two, so a load that comes and goes weighs on each alike. Target:
resume <= 0.15x the cold start. Also shown: how long the suspend itself takes.
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

TARGET = 0.15


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--machine", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    machine = os.path.abspath(args.machine)
    work, env = private_store("bench-resume.")
    socket = f"{work}/run/machine/bench/podman.sock"

    def run(*words):
        done = subprocess.run([machine, *words], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"machine {' '.join(words)}: exit {done.returncode}: {done.stderr}")
        return done.stderr

    def start_to_first_answer():
        begin = time.monotonic()
        said = run("start", "--quiet", "bench")
        while subprocess.run(["curl", "-sf", "--max-time", "5", "--unix-socket", socket,
                              "http://d/_ping"], capture_output=True).stdout != b"OK":
            time.sleep(0.05)
        return time.monotonic() - begin, said

    try:
        run("init", "--image", args.image, "--cpus", "2", "bench")
        print("booting the machine once (first-boot provisioning)...", file=sys.stderr)
        run("start", "--quiet", "bench")
        # No network: a rootless container's slirp4netns holds the shared home folder, with which
        # QEMU cannot save the machine.
        run("ssh", "bench", "podman run -d --network none --name idle localhost/busybox "
            "sleep 1000000 > /dev/null")
        samples = {"cold": [], "resume": [], "suspend": []}
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}/{args.rounds}...", file=sys.stderr)
            run("stop", "bench")
            seconds, _ = start_to_first_answer()
            samples["cold"].append(seconds)
            run("ssh", "bench", "podman start idle > /dev/null")
            begin = time.monotonic()
            run("stop", "--suspend", "bench")
            samples["suspend"].append(time.monotonic() - begin)
            seconds, said = start_to_first_answer()
            if "resumed from the saved state" not in said:
                raise SystemExit(f"start did not resume: {said}")
            samples["resume"].append(seconds)

        cold, resume, suspend = samples["cold"], samples["resume"], samples["suspend"]
        resumed = figure("resume to the API's first answer", "s", resume, cold,
                         "a cold start of the same machine", TARGET)
        print(f"{args.rounds} alternating rounds (TCG): seconds, median (min-max)")
        for name, values in (("cold start", cold), ("resume", resume), ("suspend", suspend)):
            print(f"  {name:<11} {statistics.median(values):6.2f} "
                  f"({min(values):.2f}-{max(values):.2f})")
        print(f"  resume: {resumed['ratio']:.3f}x the cold start (target <= {TARGET}x: "
              f"{'met' if resumed['met'] else 'MISSED'})")
        record("resume", [resumed], suspend_seconds=suspend)
    finally:
        subprocess.run([machine, "rm", "--force", "bench"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Our image's cold boot against stock Debian with the same packages (see bench/boot).

Two machines, one per image, each booted once first (first-boot provisioning, not timed). Then
rounds alternate `machine start` of each until the forwarded API socket answers, and ask the guest
when the kernel handed over to the real root's systemd and when our agent sent Ready (seconds after
the kernel started, on the guest's clock, so the host's load between boots weighs on neither).
The last round's `systemd-analyze` and the top of its `blame` show where each spent its time.
Target: our Ready <= 0.6x the stock image's.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

from boot_race import api_answers, guest_marks
from bench_store import private_store
from results import figure, record

TARGET = 0.6
ANALYZE = ("sudo sh -c 'systemctl is-system-running --wait >/dev/null; systemd-analyze; "
           "systemd-analyze blame --no-pager | head -12; "
           "echo podman processes: $(pgrep -c -f \"podman system service\")'")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--machine", required=True)
    parser.add_argument("--image", required=True, help="our image's disk.qcow2")
    parser.add_argument("--stock", required=True, help="the stock image's disk.qcow2")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    machine = os.path.abspath(args.machine)
    work, env = private_store("bench-boot.")
    images = {"ours": args.image, "stock": args.stock}

    def run(*words):
        done = subprocess.run([machine, *words], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"machine {' '.join(words)}: exit {done.returncode}: {done.stderr}")
        return done.stdout

    def boot(name):
        """Seconds from `machine start` to the API's first answer, and the guest's marks."""
        begin = time.monotonic()
        run("start", "--quiet", name)
        while not api_answers(f"{work}/run/machine/{name}/podman.sock"):
            time.sleep(0.05)
        seconds = time.monotonic() - begin
        return seconds, guest_marks([machine, "ssh", name], env)

    try:
        for name, image in images.items():
            run("init", "--image", image, "--cpus", "2", name)
            print(f"booting {name} once (first-boot provisioning)...", file=sys.stderr)
            run("start", "--quiet", name)
            run("stop", name)
        samples = {name: {"start": [], "kernel": [], "ready": []} for name in images}
        analysis = {}
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}/{args.rounds}...", file=sys.stderr)
            # who goes first alternates too, so neither always follows the other's shutdown
            order = list(images) if round_ % 2 == 0 else list(reversed(images))
            for name in order:
                seconds, (userspace, ready) = boot(name)
                samples[name]["start"].append(seconds)
                samples[name]["kernel"].append(userspace)
                samples[name]["ready"].append(ready)
                analysis[name] = run("ssh", name, ANALYZE)
                run("stop", name)

        ours, stock = samples["ours"], samples["stock"]
        ready = figure("guest Ready after the kernel started", "s", ours["ready"],
                       stock["ready"], "stock Debian, same packages", TARGET)
        print(f"{args.rounds} alternating rounds (TCG): seconds, median (min-max)")
        print(f"  {'':<34} {'ours':>18} {'stock':>18}")
        for label, key in (("kernel and initramfs", "kernel"), ("Ready (guest clock)", "ready"),
                           ("start to the API's first answer", "start")):
            cells = [f"{statistics.median(s[key]):6.2f} ({min(s[key]):.2f}-{max(s[key]):.2f})"
                     for s in (ours, stock)]
            print(f"  {label:<34} {cells[0]:>18} {cells[1]:>18}")
        print(f"  Ready: {ready['ratio']:.3f}x stock (target <= {TARGET}x: "
              f"{'met' if ready['met'] else 'MISSED'})")
        for name in images:
            print(f"\n{name}, last round:\n{analysis[name].rstrip()}")
        record("boot", [ready], start_seconds={n: samples[n]["start"] for n in images},
               analysis=analysis)
    finally:
        for name in images:
            subprocess.run([machine, "rm", "--force", name], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

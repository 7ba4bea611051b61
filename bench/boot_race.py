#!/usr/bin/env python3
"""Times `machine start` against a bare QEMU boot of the same machine (see bench/start).

The bare side replays QEMU's own command line, read from /proc of the QEMU `machine start`
launched, and does by hand only what the guest needs from the host: a listener on the ready
socket before QEMU starts. It stops at "Ready". Each side is shut down cleanly through QMP (ours
with `machine stop`), so every boot finds a clean disk.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

from bench_store import private_store, rss_kib


def run(machine, env, *args):
    return subprocess.run([machine, *args], env=env, check=True, capture_output=True, text=True)


def chardev_path(argv, chardev_id):
    for arg in argv:
        match = re.match(rf"socket,id={chardev_id},path=(.*?)(,server=.*)?$", arg)
        if match:
            return match.group(1).replace(",,", ",")
    raise SystemExit(f"no {chardev_id} chardev in QEMU's command line")




def qmp_powerdown(path, pid, timeout=120):
    with socket.socket(socket.AF_UNIX) as qmp:
        qmp.connect(path)
        reader = qmp.makefile("r")
        reader.readline()  # greeting
        for command in ("qmp_capabilities", "system_powerdown"):
            qmp.sendall(json.dumps({"execute": command}).encode() + b"\n")
            while "return" not in json.loads(reader.readline()):
                pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return
        time.sleep(0.1)
    os.kill(pid, 9)
    os.waitpid(pid, 0)


def bare_boot(argv, env):
    """Seconds from spawning QEMU to the guest's Ready, and QEMU's RSS then."""
    ready_path = chardev_path(argv, "ready")
    for stale in (ready_path, chardev_path(argv, "qmp")):
        if os.path.exists(stale):
            os.unlink(stale)
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(ready_path)
        listener.listen(1)
        begin = time.monotonic()
        qemu = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        connection, _ = listener.accept()
        received = b""
        while b"Ready" not in received:
            chunk = connection.recv(4096)
            if not chunk:
                raise SystemExit("bare QEMU: the ready channel closed without Ready")
            received += chunk
        seconds = time.monotonic() - begin
        rss = rss_kib(qemu.pid)
        connection.close()
    qmp_powerdown(chardev_path(argv, "qmp"), qemu.pid)
    return seconds, rss


def api_answers(path):
    try:
        with socket.socket(socket.AF_UNIX) as api:
            api.settimeout(10)
            api.connect(path)
            api.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
            return api.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def machine_boot(machine, env, runtime):
    """Seconds from `machine start` to the forwarded API's first answer, and QEMU's RSS."""
    begin = time.monotonic()
    run(machine, env, "start", "--quiet", "bench")
    while not api_answers(os.path.join(runtime, "podman.sock")):
        time.sleep(0.05)
    seconds = time.monotonic() - begin
    with open(os.path.join(runtime, "qemu.pid")) as pid_file:
        rss = rss_kib(int(pid_file.read()))
    run(machine, env, "stop", "bench")
    return seconds, rss


def summary(name, samples):
    times = [s for s, _ in samples]
    rss = max(r for _, r in samples)
    return (f"  {name:<28} median {statistics.median(times):6.1f} s "
            f"(min {min(times):.1f}, max {max(times):.1f})  QEMU RSS after boot {rss / 1024:.0f} MiB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--machine", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    machine = os.path.abspath(args.machine)

    work, env = private_store("bench-start.")
    runtime = f"{work}/run/machine/bench"
    try:
        run(machine, env, "init", "--image", args.image, "bench")
        print("warm-up: first boot (provisioning), not timed...", file=sys.stderr)
        run(machine, env, "start", "--quiet", "bench")
        with open(os.path.join(runtime, "qemu.pid")) as pid_file:
            pid = int(pid_file.read())
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            argv = [part.decode() for part in cmdline.read().split(b"\0") if part]
        run(machine, env, "stop", "bench")

        bare, ours = [], []
        for i in range(args.runs):
            print(f"run {i + 1}/{args.runs}: bare QEMU, then machine start...", file=sys.stderr)
            bare.append(bare_boot(argv, env))
            ours.append(machine_boot(machine, env, runtime))

        ratio = statistics.median(s for s, _ in ours) / statistics.median(s for s, _ in bare)
        accel = next((a for a in argv if a.startswith(("kvm", "tcg", "hvf", "whpx"))), "?")
        print(f"boot to ready, {args.runs} alternating runs each, accelerator {accel}")
        print(summary("bare QEMU (to Ready)", bare))
        print(summary("machine start (to API)", ours))
        print(f"  ratio: {ratio:.3f}x (target <= 1.05x)")
    finally:
        subprocess.run([machine, "rm", "--force", "bench"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

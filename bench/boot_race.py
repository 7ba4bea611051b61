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

from bench_store import openssh_argv, private_store, rss_kib
from results import figure, record

# Asked of the guest after each boot: when (seconds after the kernel started, on the guest's
# clock) the real root's systemd began (after the kernel and the initramfs), and when our agent
# sent Ready.
GUEST_MARKS = ("sudo sh -c 'systemctl show -p UserspaceTimestampMonotonic; journalctl -b "
               "-o short-monotonic --no-pager -u machine-agent | grep -m1 \"sent Ready\"'")
PHASES = ["QEMU launch", "kernel and initramfs", "userspace to Ready", "forwarder", "SSH"]


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


def guest_marks(ssh_argv, env):
    """(userspace, ready): seconds after the kernel started, from the guest."""
    out = subprocess.run([*ssh_argv, GUEST_MARKS], env=env, check=True, capture_output=True,
                         text=True).stdout
    userspace = int(re.search(r"^UserspaceTimestampMonotonic=(\d+)", out, re.M).group(1)) / 1e6
    ready = float(re.search(r"^\[\s*([\d.]+)\]", out, re.M).group(1))
    return userspace, ready


def guest_phases(until_ready, marks):
    """The phases up to Ready: what the host waited minus what the guest reports is QEMU's."""
    userspace, ready = marks
    return {"QEMU launch": until_ready - ready, "kernel and initramfs": userspace,
            "userspace to Ready": ready - userspace}


def bare_boot(argv, env, ssh_argv):
    """Seconds from spawning QEMU to the guest's Ready, QEMU's RSS then, and the phases."""
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
    phases = guest_phases(seconds, guest_marks(ssh_argv, env))
    qmp_powerdown(chardev_path(argv, "qmp"), qemu.pid)
    return seconds, rss, phases


def api_answers(path):
    try:
        with socket.socket(socket.AF_UNIX) as api:
            api.settimeout(10)
            api.connect(path)
            api.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
            return api.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def machine_boot(machine, env, runtime, name="bench", pid_file=None):
    """Seconds from `machine start` to the forwarded API's first answer, QEMU's RSS, and the
    phases (the host's from `start`'s progress lines, the guest's from the guest)."""
    begin = time.monotonic()
    start = subprocess.Popen([machine, "start", name], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    seen = {}
    for line in start.stderr:  # "bench: PHASE", one line each as it begins
        seen.setdefault(line.strip().split(": ", 1)[-1], time.monotonic() - begin)
    if start.wait() != 0:
        raise SystemExit("machine start failed")
    while not api_answers(os.path.join(runtime, "podman.sock")):
        time.sleep(0.05)
    seconds = time.monotonic() - begin
    with open(pid_file or os.path.join(runtime, "qemu.pid")) as pids:
        rss = rss_kib(int(pids.read()))
    # Ready, then the forwarder starts, then SSH must answer (for a remote machine SSH rides on
    # the forwarder's machine-mux); "SSH" runs to the API's first answer.
    ready = seen["forwarding the API socket"]
    phases = guest_phases(ready, guest_marks([machine, "ssh", name], env))
    phases["forwarder"] = seen["waiting for SSH"] - ready
    phases["SSH"] = seconds - seen["waiting for SSH"]
    run(machine, env, "stop", name)
    return seconds, rss, phases


def summary(name, samples):
    times = [s for s, _, _ in samples]
    rss = max(r for _, r, _ in samples)
    return (f"  {name:<28} median {statistics.median(times):6.1f} s "
            f"(min {min(times):.1f}, max {max(times):.1f})  QEMU RSS after boot {rss / 1024:.0f} MiB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--machine", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--libvirt", action="store_true",
                        help="also the same machine through libvirt (qemu:///system)")
    parser.add_argument("--remote", metavar="URI",
                        help="also through libvirt on a remote host: a qemu+ssh:// URI")
    args = parser.parse_args()
    machine = os.path.abspath(args.machine)

    work, env = private_store("bench-start.")
    runtime = f"{work}/run/machine/bench"
    # The libvirt row: the same image and settings as a libvirt domain, on the system instance.
    libvirt_env = dict(env, MACHINE_PROVIDER="libvirt", MACHINE_LIBVIRT_URI="qemu:///system")
    remote_env = dict(env, MACHINE_PROVIDER="libvirt", MACHINE_LIBVIRT_URI=args.remote or "")
    try:
        run(machine, env, "init", "--image", args.image, "bench")
        print("warm-up: first boot (provisioning), not timed...", file=sys.stderr)
        if args.libvirt:
            run(machine, libvirt_env, "init", "--image", args.image, "bench-lv")
            run(machine, libvirt_env, "start", "--quiet", "bench-lv")
            run(machine, libvirt_env, "stop", "bench-lv")
        if args.remote:
            run(machine, remote_env, "init", "--image", args.image, "bench-rl")
            run(machine, remote_env, "start", "--quiet", "bench-rl")
            run(machine, remote_env, "stop", "bench-rl")
        run(machine, env, "start", "--quiet", "bench")
        with open(os.path.join(runtime, "qemu.pid")) as pid_file:
            pid = int(pid_file.read())
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            argv = [part.decode() for part in cmdline.read().split(b"\0") if part]
        ssh_argv = openssh_argv(machine, env, work)
        run(machine, env, "stop", "bench")

        bare, ours, libvirt, remote = [], [], [], []
        for i in range(args.runs):
            print(f"run {i + 1}/{args.runs}: bare QEMU, then machine start"
                  f"{', then through libvirt' if args.libvirt else ''}"
                  f"{', then on the remote host' if args.remote else ''}...", file=sys.stderr)
            bare.append(bare_boot(argv, env, ssh_argv))
            ours.append(machine_boot(machine, env, runtime))
            if args.libvirt:
                libvirt.append(machine_boot(machine, libvirt_env, f"{work}/run/machine/bench-lv",
                                            "bench-lv", "/run/libvirt/qemu/machine-bench-lv.pid"))
            if args.remote:  # the remote host is this one: its QEMU's pid file is here
                remote.append(machine_boot(machine, remote_env, f"{work}/run/machine/bench-rl",
                                           "bench-rl", "/run/libvirt/qemu/machine-bench-rl.pid"))

        ratio = statistics.median(s for s, _, _ in ours) / statistics.median(s for s, _, _ in bare)
        accel = next((a for a in argv if a.startswith(("kvm", "tcg", "hvf", "whpx"))), "?")
        print(f"boot to ready, {args.runs} alternating runs each, accelerator {accel}")
        print(summary("bare QEMU (to Ready)", bare))
        print(summary("machine start (to API)", ours))
        print(f"  ratio: {ratio:.3f}x (target <= 1.05x)")
        sides = [("bare QEMU", bare), ("machine start", ours)]
        figures = []
        # The libvirt rows, each against the bare boot: (label, samples, figure title, target).
        for label, samples, title, target in [
                ("through libvirt", libvirt, "libvirt", 1.1),
                ("remote over ssh", remote, "libvirt over qemu+ssh", 1.2)]:
            if not samples:
                continue
            row_ratio = (statistics.median(s for s, _, _ in samples) /
                         statistics.median(s for s, _, _ in bare))
            print(summary(f"{label} (to API)", samples))
            print(f"  {label} ratio: {row_ratio:.3f}x (target <= {target}x)")
            sides.append((label, samples))
            figures.append(figure(f"{title}: boot to Ready (to the API's first answer)", "s",
                                  [s for s, _, _ in samples], [s for s, _, _ in bare],
                                  "bare QEMU", target))
        phase_medians = {
            side: {phase: statistics.median(p[phase] for _, _, p in samples)
                   for phase in PHASES if phase in samples[0][2]}
            for side, samples in sides}
        for side, phases in phase_medians.items():
            print(f"  {side}: " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
        record("start", [
            figure("boot to Ready (ours: to the API's first answer)", "s",
                   [s for s, _, _ in ours], [s for s, _, _ in bare], "bare QEMU", 1.05),
            figure("QEMU RSS after boot", "MiB", [r / 1024 for _, r, _ in ours],
                   [r / 1024 for _, r, _ in bare], "bare QEMU", 1.05)] + figures,
            accelerator=accel, phases=phase_medians)
    finally:
        subprocess.run([machine, "rm", "--force", "bench"], env=env, capture_output=True)
        if args.libvirt:
            subprocess.run([machine, "rm", "--force", "bench-lv"], env=libvirt_env,
                           capture_output=True)
        if args.remote:
            subprocess.run([machine, "rm", "--force", "bench-rl"], env=remote_env,
                           capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The API socket's transports side by side on one running guest (see bench/forward).

Three host sockets reach the same podman API in the guest: our forwarder over machine-mux, our
forwarder over SSH (MACHINE_API_TRANSPORT=ssh), and OpenSSH's `ssh -N -L HOSTSOCK:GUESTSOCK`.
For each, in alternating rounds: the throughput of a 200 MB download (GET .../archive of a file
in a container: docker cp's path) and the GET /_ping round trip on a fresh connection each time
(p50, p99). Then the idle RSS of the forwarder and of the ssh process.
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

from bench_store import openssh_argv, private_store, rss_kib
from results import figure, record

SIZE_MB = 200


def request(path, sock_path, sink=None):
    """One HTTP/1.0 GET over a unix socket; returns (status line, body bytes counted)."""
    with socket.socket(socket.AF_UNIX) as conn:
        conn.connect(sock_path)
        conn.sendall(f"GET {path} HTTP/1.0\r\nHost: d\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(65536)
            if not chunk:
                break
            head += chunk
        status, _, rest = head.partition(b"\r\n")
        body = len(rest.partition(b"\r\n\r\n")[2])
        while True:
            chunk = conn.recv(1 << 20)
            if not chunk:
                return status.decode(), body
            body += len(chunk)


def ping_ms(sock_path, count):
    times = []
    for _ in range(count):
        begin = time.perf_counter()
        status, _ = request("/_ping", sock_path)
        times.append((time.perf_counter() - begin) * 1000)
        assert " 200 " in status, status
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def download_mb_s(sock_path, container):
    begin = time.perf_counter()
    status, size = request(f"/v1.41/containers/{container}/archive?path=/big", sock_path)
    seconds = time.perf_counter() - begin
    assert " 200 " in status and size > SIZE_MB * 1000 * 1000, (status, size)
    return size / seconds / 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--machine", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    machine = os.path.abspath(args.machine)
    work, env = private_store("bench-forward.")
    runtime = f"{work}/run/machine/bench"
    ours = f"{runtime}/podman.sock"
    openssh_sock = f"{work}/openssh.sock"
    ssh = None

    def machine_cmd(*words, extra=None):
        return subprocess.run([machine, *words], env=dict(env, **(extra or {})), check=True,
                              capture_output=True, text=True).stdout

    def use_transport(name):
        with open(f"{runtime}/forwarder.pid") as pid_file:
            pid = int(pid_file.read())
        os.kill(pid, signal.SIGTERM)
        while os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z":
            time.sleep(0.05)
        machine_cmd("start", "--quiet", "bench",
                    extra={"MACHINE_API_TRANSPORT": name} if name == "ssh" else {})
        for _ in range(200):  # the first answer (the SSH handshake, the mux HELLO)
            try:
                if " 200 " in request("/_ping", ours)[0]:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"the {name} forwarder does not answer")

    try:
        machine_cmd("init", "--image", args.image, "--cpus", "2", "bench")
        print("booting the guest...", file=sys.stderr)
        machine_cmd("start", "--quiet", "bench")
        docker = dict(env, DOCKER_HOST=f"unix://{ours}")
        container = subprocess.run(
            ["docker", "run", "-d", "localhost/busybox", "sh", "-c",
             f"head -c {SIZE_MB}000000 /dev/urandom > /big && sleep 100000"],
            env=docker, check=True, capture_output=True, text=True).stdout.strip()
        while subprocess.run(["docker", "exec", container, "sh", "-c",
                              f"[ $(stat -c %s /big) -ge {SIZE_MB}000000 ]"],
                             env=docker, capture_output=True).returncode != 0:
            time.sleep(1)

        *ssh_options, destination = openssh_argv(machine, env, work)
        ssh = subprocess.Popen(
            [*ssh_options, "-N", "-L", f"{openssh_sock}:/run/user/1000/podman/podman.sock",
             destination],
            stdin=subprocess.DEVNULL)
        while not os.path.exists(openssh_sock):
            time.sleep(0.1)

        results = {name: {"mb_s": [], "p50": [], "p99": []} for name in ("mux", "ssh", "openssh")}
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}/{args.rounds}...", file=sys.stderr)
            for name in ("mux", "ssh", "openssh"):
                if name != "openssh":
                    use_transport(name)
                sock = openssh_sock if name == "openssh" else ours
                results[name]["mb_s"].append(download_mb_s(sock, container))
                p50, p99 = ping_ms(sock, 200)
                results[name]["p50"].append(p50)
                results[name]["p99"].append(p99)

        use_transport("mux")
        time.sleep(5)
        with open(f"{runtime}/forwarder.pid") as pid_file:
            forwarder_rss = rss_kib(int(pid_file.read()))
        ssh_rss = rss_kib(ssh.pid)

        med = {n: {k: statistics.median(v) for k, v in r.items()} for n, r in results.items()}
        base = med["openssh"]
        print(f"API socket transports, {args.rounds} alternating rounds, one guest (TCG)")
        labels = {"mux": "machine, machine-mux", "ssh": "machine, SSH",
                  "openssh": "OpenSSH ssh -N -L"}
        for name in ("mux", "ssh", "openssh"):
            m = med[name]
            print(f"  {labels[name]:<22} {SIZE_MB} MB download {m['mb_s']:6.1f} MB/s   "
                  f"_ping p50 {m['p50']:6.2f} ms  p99 {m['p99']:6.2f} ms")
        for name, target_tp, target_p50 in (("mux", 2.0, 0.8), ("ssh", 1.0, None)):
            m = med[name]
            p50_ratio = m["p50"] / base["p50"]
            p50_target = f"<= {target_p50}x" if target_p50 else "(SSH: >= 1.0x on speed)"
            print(f"  {name}: throughput {m['mb_s'] / base['mb_s']:.2f}x OpenSSH "
                  f"(target >= {target_tp}x), _ping p50 {p50_ratio:.2f}x {p50_target}")
        print(f"  idle RSS: forwarder {forwarder_rss} KiB, ssh {ssh_rss} KiB "
              f"({forwarder_rss / ssh_rss:.2f}x, target <= 1x)")
        peer = results["openssh"]
        record("forward", [
            figure("machine-mux: 200 MB download", "MB/s", results["mux"]["mb_s"],
                   peer["mb_s"], "OpenSSH ssh -N -L", 2.0, higher_is_better=True),
            figure("machine-mux: _ping p50", "ms", results["mux"]["p50"], peer["p50"],
                   "OpenSSH ssh -N -L", 0.8),
            figure("machine-mux: _ping p99", "ms", results["mux"]["p99"], peer["p99"],
                   "OpenSSH ssh -N -L", 1.0),
            figure("SSH transport: 200 MB download", "MB/s", results["ssh"]["mb_s"],
                   peer["mb_s"], "OpenSSH ssh -N -L", 1.0, higher_is_better=True),
            figure("SSH transport: _ping p50", "ms", results["ssh"]["p50"], peer["p50"],
                   "OpenSSH ssh -N -L", 1.0),
            figure("forwarder idle RSS", "KiB", [forwarder_rss], [ssh_rss], "the ssh process",
                   1.0)])
    finally:
        if ssh:
            ssh.terminate()
        subprocess.run([machine, "rm", "--force", "bench"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

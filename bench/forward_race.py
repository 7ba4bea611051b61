#!/usr/bin/env python3
"""The API socket's transports side by side on one running guest (see bench/forward).

Three host sockets reach the same podman API in the guest: our forwarder over machine-mux, our
forwarder over SSH (MACHINE_API_TRANSPORT=ssh), and OpenSSH's `ssh -N -L HOSTSOCK:GUESTSOCK`.
Each of our transports is measured paired with OpenSSH, in alternating rounds: the throughput of
a 200 MB download (GET .../archive of a file in a container: docker cp's path), ours then
OpenSSH's, and the GET /_ping round trip on a fresh connection each time (p50, p99), ours and
OpenSSH's taken in turn, request by request, so that a load that comes and goes on this shared
machine weighs on both sides alike. Then the idle RSS of the forwarder and of the ssh process.
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


def ping_ms(sock_paths, count):
    """`count` fresh-connection GET /_ping round trips on each socket, taken in turn; (p50, p99)
    in ms for each socket."""
    times = [[] for _ in sock_paths]
    for _ in range(count):
        for sock_path, samples in zip(sock_paths, times):
            begin = time.perf_counter()
            status, _ = request("/_ping", sock_path)
            samples.append((time.perf_counter() - begin) * 1000)
            assert " 200 " in status, status
    return [(statistics.median(t), sorted(t)[int(len(t) * 0.99) - 1]) for t in times]


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

        # results[transport][side]: side "ours" and "openssh", the OpenSSH samples taken with it
        results = {name: {side: {"mb_s": [], "p50": [], "p99": []} for side in ("ours", "openssh")}
                   for name in ("mux", "ssh")}
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}/{args.rounds}...", file=sys.stderr)
            for name, pair in results.items():
                use_transport(name)
                sides = (("ours", ours), ("openssh", openssh_sock))
                for side, sock in sides:
                    pair[side]["mb_s"].append(download_mb_s(sock, container))
                for (side, _), (p50, p99) in zip(sides, ping_ms([s for _, s in sides], 200)):
                    pair[side]["p50"].append(p50)
                    pair[side]["p99"].append(p99)

        use_transport("mux")
        time.sleep(5)
        with open(f"{runtime}/forwarder.pid") as pid_file:
            forwarder_rss = rss_kib(int(pid_file.read()))
        ssh_rss = rss_kib(ssh.pid)

        print(f"API socket transports, {args.rounds} alternating rounds, one guest (TCG)")
        labels = {"mux": "machine, machine-mux", "ssh": "machine, SSH"}
        for name, target_tp, target_p50 in (("mux", 2.0, 0.8), ("ssh", 1.0, 1.0)):
            m, base = ({k: statistics.median(v) for k, v in results[name][side].items()}
                       for side in ("ours", "openssh"))
            for label, values in ((labels[name], m), ("  with it: OpenSSH -L", base)):
                print(f"  {label:<22} {SIZE_MB} MB download {values['mb_s']:6.1f} MB/s   "
                      f"_ping p50 {values['p50']:6.2f} ms  p99 {values['p99']:6.2f} ms")
            print(f"  {name}: throughput {m['mb_s'] / base['mb_s']:.2f}x OpenSSH "
                  f"(target >= {target_tp}x), _ping p50 {m['p50'] / base['p50']:.2f}x "
                  f"(target <= {target_p50}x)")
        print(f"  idle RSS: forwarder {forwarder_rss} KiB, ssh {ssh_rss} KiB "
              f"({forwarder_rss / ssh_rss:.2f}x, target <= 1x)")
        mux, ssh_transport = results["mux"]["ours"], results["ssh"]["ours"]
        peer = "OpenSSH ssh -N -L"
        mux_peer, ssh_peer = results["mux"]["openssh"], results["ssh"]["openssh"]
        record("forward", [
            figure("machine-mux: 200 MB download", "MB/s", mux["mb_s"], mux_peer["mb_s"], peer,
                   2.0, higher_is_better=True),
            figure("machine-mux: _ping p50", "ms", mux["p50"], mux_peer["p50"], peer, 0.8),
            figure("machine-mux: _ping p99", "ms", mux["p99"], mux_peer["p99"], peer, 1.0),
            figure("SSH transport: 200 MB download", "MB/s", ssh_transport["mb_s"],
                   ssh_peer["mb_s"], peer, 1.0, higher_is_better=True),
            figure("SSH transport: _ping p50", "ms", ssh_transport["p50"], ssh_peer["p50"], peer,
                   1.0),
            figure("SSH transport: _ping p99", "ms", ssh_transport["p99"], ssh_peer["p99"], peer,
                   1.0),
            figure("forwarder idle RSS", "KiB", [forwarder_rss], [ssh_rss], "the ssh process",
                   1.0)])
    finally:
        if ssh:
            ssh.terminate()
        subprocess.run([machine, "rm", "--force", "bench"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Host folders over virtiofs, over 9p and the guest's own disk, side by side (see bench/share).

Two machines of the same image run at once, one sharing the host folder over virtiofs and one
over 9p (init --mount-type); the virtiofs machine also holds a copy of the data on its own disk.
In each, a container has the folder (and the copy) mounted, and the timings are taken inside it
from /proc/uptime, with the guest's caches dropped before each one (the host's stay warm for
all alike). Rounds alternate between the three places, so a load that comes and goes on this
shared machine weighs on each alike. Targets: virtiofs >= 5x 9p on the tree walk, and >= 0.5x
the guest's own disk.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys

from bench_store import private_store
from results import figure, record

PER_DIR, BIG_MB = 200, 500
# virtiofsd holds an open file for each file the guest has in its cache, and raises its own limit
# only where it may (CAP_SYS_RESOURCE): under a lower hard limit the tree is made to fit, and said.
HARD_NOFILE = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
FILES = 20000 if HARD_NOFILE >= 24000 else (HARD_NOFILE - 4000) // PER_DIR * PER_DIR

# What is timed, inside the container: the tree walked by name, the tree read whole, one big file.
TASKS = {
    "find": "find {dir}/tree > /dev/null",
    "tar": "tar cf - {dir}/tree > /dev/null",
    "read": "cat {dir}/big > /dev/null",
}


def make_data(folder):
    for d in range(FILES // PER_DIR):
        sub = f"{folder}/tree/d{d:03}"
        os.makedirs(sub)
        for f in range(PER_DIR):
            with open(f"{sub}/f{f:03}.txt", "wb") as out:
                out.write(os.urandom(1024 + (f % 4) * 1024))
    with open(f"{folder}/big", "wb") as out:
        for _ in range(BIG_MB):
            out.write(os.urandom(1 << 20))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--machine", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    machine = os.path.abspath(args.machine)
    work, env = private_store("bench-share.")
    data = f"{work}/data-shared"
    places = {"virtiofs": ("vfs", "/data"), "9p": ("p9", "/data"), "disk": ("vfs", "/local")}

    def run(*words):
        done = subprocess.run([machine, *words], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"machine {' '.join(words)}: exit {done.returncode}: {done.stderr}")
        return done.stdout

    def timed(name, command):
        """Seconds `command` takes in machine `name`'s container, its guest caches dropped."""
        script = ("sudo sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches' && "
                  "podman exec bench sh -c 'read a _ < /proc/uptime; " + command +
                  "; read b _ < /proc/uptime; echo $a $b'")
        begin, end = map(float, run("ssh", name, script).split())
        return end - begin

    if FILES < 20000:
        print(f"note: this host's hard limit of {HARD_NOFILE} open files caps virtiofsd, which "
              f"keeps one per file the guest caches: the tree is {FILES} files, not 20000")
    try:
        print(f"making {FILES} files and a {BIG_MB} MB file...", file=sys.stderr)
        os.makedirs(data)
        make_data(data)
        for name, mount_type in (("vfs", "virtiofs"), ("p9", "9p")):
            run("init", "--image", args.image, "--cpus", "2", "--mount-type", mount_type, "-v",
                f"{data}:/data:ro", name)
            print(f"booting {name} ({mount_type})...", file=sys.stderr)
            run("start", "--quiet", name)
            setup = "mkdir -p /var/tmp/local"
            if name == "vfs":
                setup += " && cp -r /data/tree /data/big /var/tmp/local/"
            run("ssh", name, setup + " && podman run -d --name bench -v /data:/data "
                "-v /var/tmp/local:/local localhost/busybox sleep 1000000 > /dev/null")
        for place, (name, folder) in places.items():  # each place's files, listed once
            count = run("ssh", name, f"podman exec bench find {folder}/tree -type f | wc -l")
            assert int(count) == FILES, (place, count)

        samples = {place: {task: [] for task in TASKS} for place in places}
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}/{args.rounds}...", file=sys.stderr)
            for task, command in TASKS.items():
                for place, (name, folder) in places.items():
                    samples[place][task].append(timed(name, command.format(dir=folder)))

        print(f"host folders, {args.rounds} alternating rounds, in a container (TCG): seconds, "
              "median (min-max)")
        for place in places:
            cells = [f"{task} {statistics.median(s):7.2f} ({min(s):.2f}-{max(s):.2f})"
                     for task, s in samples[place].items()]
            print(f"  {place:<9} " + "   ".join(cells))
        rate = {place: {"find": [FILES / s for s in samples[place]["find"]],
                        "tar": [FILES / s for s in samples[place]["tar"]],
                        "read": [BIG_MB / s for s in samples[place]["read"]]}
                for place in places}
        figures = []
        for task, unit, label in (("find", "files/s", f"walk {FILES} files (find)"),
                                  ("tar", "files/s", f"read {FILES} files (tar)"),
                                  ("read", "MB/s", f"read a {BIG_MB} MB file")):
            v, p9, disk = rate["virtiofs"][task], rate["9p"][task], rate["disk"][task]
            walk = task in ("find", "tar")
            figures.append(figure(f"virtiofs vs 9p: {label}", unit, v, p9, "9p",
                                  5.0 if walk else 1.0, higher_is_better=True))
            figures.append(figure(f"virtiofs vs the guest's disk: {label}", unit, v, disk,
                                  "the guest's own disk", 0.5, higher_is_better=True))
            print(f"  {label}: virtiofs {statistics.median(v) / statistics.median(p9):.2f}x 9p"
                  f"{' (target >= 5x)' if walk else ''}, "
                  f"{statistics.median(v) / statistics.median(disk):.2f}x the guest's disk"
                  " (target >= 0.5x)")
        record("share", figures)
    finally:
        for name in ("vfs", "p9"):
            subprocess.run([machine, "rm", "--force", name], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""bench/image's figures from its lines ("build ARCH S", "rebuild ARCH S", "size ARCH FILE BYTES",
"boot ARCH direct|efi|efi-hypervisor S"): printed, and recorded for bench/run's report."""
import collections
import statistics
import sys

from results import figure, record

BUILD_TARGET = {"amd64": 300, "arm64": 900}
SIZE_TARGET = 160e6
EFI_TARGET = 1.15

builds, rebuilds, sizes = {}, {}, collections.defaultdict(dict)
boots = collections.defaultdict(lambda: collections.defaultdict(list))
with open(sys.argv[1]) as lines:
    for line in lines:
        kind, arch, *rest = line.split()
        if kind == "build":
            builds[arch] = float(rest[0])
        elif kind == "rebuild":
            rebuilds[arch] = float(rest[0])
        elif kind == "size":
            sizes[arch][rest[0]] = int(rest[1])
        elif kind == "boot":
            boots[arch][rest[0]].append(float(rest[1]))


def verdict(ok):
    return "met" if ok else "MISSED"


figures = []
for arch, seconds in builds.items():
    print(f"{arch}: build {seconds:.0f} s (target <= {BUILD_TARGET[arch]} s: "
          f"{verdict(seconds <= BUILD_TARGET[arch])}), rebuild {rebuilds[arch]:.1f} s")
    for name, size in sizes[arch].items():
        print(f"  {name} {size / 1e6:.1f} MB (target <= 160 MB: {verdict(size <= SIZE_TARGET)})")
    efi, direct = boots[arch]["efi"], boots[arch]["direct"]
    if efi and direct:
        boot = figure(f"{arch}: EFI boot to the login prompt", "s", efi, direct,
                      "direct kernel boot", EFI_TARGET)
        figures.append(boot)
        print(f"  boot: EFI {statistics.median(efi):.1f} s, direct {statistics.median(direct):.1f} s"
              f" (medians of {len(efi)}, the same devices): {boot['ratio']:.3f}x (target <= "
              f"{EFI_TARGET}x: {verdict(boot['met'])})")
    hypervisor = boots[arch]["efi-hypervisor"]
    if hypervisor and direct:
        devices = "SCSI disk, hvc0" if arch == "amd64" else "virtio-mmio disk, hvc0"
        print(f"  and EFI with the {devices} (as Hyper-V or libkrun show them): "
              f"{statistics.median(hypervisor):.1f} s, "
              f"{statistics.median(hypervisor) / statistics.median(direct):.3f}x the direct boot")
record("image", figures, builds=builds, rebuilds=rebuilds, sizes=sizes)

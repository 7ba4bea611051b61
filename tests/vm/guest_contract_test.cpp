// The one guest image booted as each hypervisor shows it, through `machine` itself, each to Ready
// and a container run through the forwarded API socket: the amd64 disk by UEFI (OVMF) from
// virtio-scsi (sda, as Hyper-V) with its console on hvc0; the arm64 disk by UEFI (AAVMF) from a
// virtio-mmio disk (as libkrun); the arm64 kernel booted directly (what vfkit's loader gets); and
// the config on a seed disk instead of fw_cfg. One machine at a time, removed after.
#include "../reliability/tally.h"
#include "shared_machine.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>

using namespace machine::test;
namespace fs = std::filesystem;

namespace {

// An image folder with the disk and manifest but not the kernel: it boots by firmware.
std::string disk_without_kernel(const std::string &image, const std::string &name) {
    auto source = fs::path(image).parent_path();
    auto folder = vm_sandbox().root() / name;
    fs::create_directories(folder);
    for (const auto *file : {"disk.qcow2", "manifest.json"})
        if (!fs::exists(folder / file))
            fs::create_symlink(fs::canonical(source / file), folder / file);
    return (folder / "disk.qcow2").string();
}

std::string guest(const std::string &machine, const std::string &command) {
    auto result = vm_sandbox().run({"ssh", machine, command});
    INFO(result.err);
    CHECK(result.exit_code == 0);
    return result.out;
}

// Inits and starts `machine` from `image` with the QEMU devices `devices`, checks the container
// runs through the forwarded socket, runs `check` on it, and removes it.
template <typename Check>
void boot_and_run(const std::string &machine, const std::string &image, const std::string &devices,
                  Check check) {
    auto &sandbox = vm_sandbox();
    std::map<std::string, std::string> env;
    if (!devices.empty())
        env["MACHINE_QEMU_DEVICES"] = devices;
    auto init = sandbox.run({"init", "--now", "--image", image, "--cpus", "2", "--memory", "2048",
                             "--disk-size", "8", machine},
                            env);
    INFO(init.out << init.err);
    auto console = vm_sandbox().root() / "data" / "machine" / "machines" / machine / "console.log";
    if (init.exit_code != 0 && fs::exists(console))
        UNSCOPED_INFO("console log:\n" << read_text(console));
    // Removed however the checks end: a failed one must not leave a 2 GiB QEMU running.
    std::unique_ptr<void, std::function<void(void *)>> remove(&sandbox, [&](void *) {
        CHECK(sandbox.run({"rm", "-f", machine}).exit_code == 0);
    });
    REQUIRE(init.exit_code == 0);
    if (have_docker()) {
        auto ran = run_in_sandbox("docker", {"run", "--rm", "localhost/busybox", "echo", "ok"}, {},
                                  machine);
        INFO(ran.err);
        CHECK(ran.out == "ok\n");
    }
    check();
}

bool have_arm64_image() {
    if (fs::exists(MACHINE_GUEST_IMAGE_ARM64))
        return true;
    skip("no arm64 guest image at " MACHINE_GUEST_IMAGE_ARM64 " (.ci/guest-image arm64)");
    return false;
}

} // namespace

TEST_CASE("the amd64 disk boots by OVMF from virtio-scsi with its console on hvc0",
          "[vm][contract]") {
    auto image = disk_without_kernel(MACHINE_GUEST_IMAGE, "amd64-efi");
    boot_and_run("efi", image, "disk=virtio-scsi,console=virtio", [] {
        CHECK(guest("efi", "findmnt -no SOURCE /").rfind("/dev/sda", 0) == 0);
        CHECK(guest("efi", "cat /proc/consoles").find("hvc0") != std::string::npos);
        CHECK(guest("efi", "test -d /sys/firmware/efi && echo uefi") == "uefi\n");
    });
}

TEST_CASE("the config on a seed disk provisions the machine", "[vm][contract]") {
    boot_and_run("seeded", MACHINE_GUEST_IMAGE, "config=seed-disk", [] {
        CHECK(guest("seeded", "sudo journalctl -b -o cat -u machine-agent")
                  .find("from the seed disk /dev/vd") != std::string::npos);
        CHECK(guest("seeded", "test -e /sys/firmware/qemu_fw_cfg/by_name/opt/com.coreos/config "
                              "|| echo absent") == "absent\n");
    });
}

TEST_CASE("the arm64 kernel boots directly, uncompressed", "[vm][contract][arm64]") {
    if (!have_arm64_image())
        return;
    boot_and_run("arm-direct", MACHINE_GUEST_IMAGE_ARM64, "", [] {
        CHECK(guest("arm-direct", "uname -m") == "aarch64\n");
        CHECK(guest("arm-direct", "test -d /sys/firmware/efi || echo direct") == "direct\n");
        CHECK(guest("arm-direct", "findmnt -no SOURCE /").rfind("/dev/vda", 0) == 0);
    });
}

TEST_CASE("the arm64 disk boots by AAVMF from a virtio-mmio disk with its console on hvc0",
          "[vm][contract][arm64]") {
    if (!have_arm64_image())
        return;
    auto image = disk_without_kernel(MACHINE_GUEST_IMAGE_ARM64, "arm64-efi");
    boot_and_run("arm-efi", image, "disk=virtio-mmio,console=virtio", [] {
        CHECK(guest("arm-efi", "uname -m") == "aarch64\n");
        // The disk's transport: the platform device virtio-mmio drives (its name is ACPI's).
        CHECK(guest("arm-efi", "readlink -f /sys/block/vda/device/../driver").find("virtio-mmio") !=
              std::string::npos);
        CHECK(guest("arm-efi", "cat /proc/consoles").find("hvc0") != std::string::npos);
    });
}

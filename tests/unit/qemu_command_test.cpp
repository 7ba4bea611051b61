// The QEMU launch plan as golden argv lists: accelerator x architecture x boot mode, shares,
// provisioning, QEMU's comma escaping and the Windows host's ready pipe. A change to the command
// line must change these tests.
#include "machine/errors.h"
#include "machine/layout.h"
#include "machine/machine_config.h"
#include "machine/names.h"
#include "providers/qemu/accelerator.h"
#include "providers/qemu/qemu_command.h"
#include "providers/qemu/qemu_devices.h"
#include "providers/qemu/qemu_files.h"
#include "providers/qemu/saved_state.h"
#include "providers/qemu/virtiofsd.h"
#include "thrown.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <tuple>
#include <vector>

using namespace machine;
using Args = std::vector<std::string>;

namespace {

const StoreDirs dirs{"/xdg/config/machine", "/xdg/data/machine", "/xdg/run/machine"};

MachineConfig config_for(const std::string &arch) {
    MachineConfig c;
    c.name = "dev";
    c.arch = arch;
    c.resources = {4, 4096, 100};
    c.image.path = "/images/fcos.qcow2";
    c.image.format = "qcow2";
    c.image.provisioning = "ignition";
    c.ssh.port = 2222;
    return c;
}

void direct_kernel(MachineConfig &c, const std::string &cmdline = {}) {
    c.image.kernel = "/images/vmlinuz";
    c.image.initrd = "/images/initrd.img";
    c.image.kernel_cmdline = cmdline;
}

Command plan(const MachineConfig &config, Accelerator accelerator, const std::string &firmware = {},
             const QemuDevices &devices = {}, const std::string &host_os = "linux") {
    return qemu_launch_command(config, Layout(dirs, config.name),
                               {accelerator, firmware, devices, host_os});
}

// The values following each occurrence of `flag`.
Args values_of(const Args &args, const std::string &flag) {
    Args values;
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == flag)
            values.push_back(args[i + 1]);
    return values;
}

bool has(const Args &args, const std::string &word) {
    return std::find(args.begin(), args.end(), word) != args.end();
}

} // namespace

TEST_CASE("golden: x86_64, KVM, direct kernel boot, one read-only and one writable share",
          "[qemu]") {
    auto config = config_for("x86_64");
    direct_kernel(config, "rw quiet");
    config.mounts = {{"/home/u/src", "/src", true}, {"/home/u/data", "/data", false}};
    auto command = plan(config, Accelerator::kvm);
    CHECK(command.program == "qemu-system-x86_64");
    CHECK(command.env.empty());
    CHECK(command.args ==
          Args{"-name",
               "dev",
               "-nodefaults",
               "-no-user-config",
               "-display",
               "none",
               "-object",
               "memory-backend-file,id=ram,size=4096M,mem-path=/xdg/data/machine/machines/dev/"
               "memory.ram,share=on",
               "-machine",
               "q35,memory-backend=ram",
               "-accel",
               "kvm",
               "-cpu",
               "host",
               "-smp",
               "4",
               "-m",
               "4096",
               "-kernel",
               "/images/vmlinuz",
               "-initrd",
               "/images/initrd.img",
               "-append",
               "rw quiet console=ttyS0",
               "-drive",
               "if=virtio,file=/xdg/data/machine/machines/dev/disk.qcow2,format=qcow2,"
               "discard=unmap",
               "-netdev",
               "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22",
               "-device",
               "virtio-net-pci,netdev=net0",
               "-device",
               "virtio-serial-pci,id=serial0",
               "-chardev",
               "socket,id=ready,path=/xdg/run/machine/dev/ready.sock",
               "-device",
               "virtserialport,bus=serial0.0,chardev=ready,name=org.fedoraproject.port.0",
               "-chardev",
               "socket,id=mux,path=/xdg/run/machine/dev/mux.sock,server=on,wait=off",
               "-device",
               "virtserialport,bus=serial0.0,chardev=mux,name=org.machine.mux.0",
               "-chardev",
               "socket,id=qmp,path=/xdg/run/machine/dev/qmp.sock,server=on,wait=off",
               "-mon",
               "chardev=qmp,mode=control",
               "-chardev",
               "socket,id=events,path=/xdg/run/machine/dev/events.sock,server=on,wait=off",
               "-mon",
               "chardev=events,mode=control",
               "-fw_cfg",
               "name=opt/com.coreos/config,file=/xdg/data/machine/machines/dev/ignition.json",
               "-chardev",
               "file,id=console,path=/xdg/data/machine/machines/dev/console.log",
               "-serial",
               "chardev:console",
               "-virtfs",
               "local,path=/home/u/src,mount_tag=vol0,security_model=none,readonly=on",
               "-virtfs",
               "local,path=/home/u/data,mount_tag=vol1,security_model=none",
               "-device",
               "virtio-balloon-pci,free-page-reporting=on",
               "-device",
               "virtio-rng-pci",
               "-pidfile",
               "/xdg/run/machine/dev/qemu.pid"});
}

TEST_CASE("golden: x86_64, TCG, UEFI firmware boot", "[qemu]") {
    auto command = plan(config_for("x86_64"), Accelerator::tcg, "/usr/share/OVMF/OVMF_CODE_4M.fd");
    CHECK(command.program == "qemu-system-x86_64");
    CHECK(command.args ==
          Args{"-name",
               "dev",
               "-nodefaults",
               "-no-user-config",
               "-display",
               "none",
               "-object",
               "memory-backend-file,id=ram,size=4096M,mem-path=/xdg/data/machine/machines/dev/"
               "memory.ram,share=on",
               "-machine",
               "q35,memory-backend=ram",
               "-accel",
               "tcg,tb-size=256",
               "-cpu",
               "max",
               "-smp",
               "4",
               "-m",
               "4096",
               "-drive",
               "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
               "-drive",
               "if=pflash,format=raw,unit=1,file=/xdg/data/machine/machines/dev/efi-vars.fd",
               "-boot",
               "strict=on",
               "-drive",
               "if=none,id=disk0,file=/xdg/data/machine/machines/dev/disk.qcow2,format=qcow2,"
               "discard=unmap",
               "-device",
               "virtio-blk-pci,drive=disk0,bootindex=0",
               "-netdev",
               "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22",
               "-device",
               "virtio-net-pci,netdev=net0",
               "-device",
               "virtio-serial-pci,id=serial0",
               "-chardev",
               "socket,id=ready,path=/xdg/run/machine/dev/ready.sock",
               "-device",
               "virtserialport,bus=serial0.0,chardev=ready,name=org.fedoraproject.port.0",
               "-chardev",
               "socket,id=mux,path=/xdg/run/machine/dev/mux.sock,server=on,wait=off",
               "-device",
               "virtserialport,bus=serial0.0,chardev=mux,name=org.machine.mux.0",
               "-chardev",
               "socket,id=qmp,path=/xdg/run/machine/dev/qmp.sock,server=on,wait=off",
               "-mon",
               "chardev=qmp,mode=control",
               "-chardev",
               "socket,id=events,path=/xdg/run/machine/dev/events.sock,server=on,wait=off",
               "-mon",
               "chardev=events,mode=control",
               "-fw_cfg",
               "name=opt/com.coreos/config,file=/xdg/data/machine/machines/dev/ignition.json",
               "-chardev",
               "file,id=console,path=/xdg/data/machine/machines/dev/console.log",
               "-serial",
               "chardev:console",
               "-device",
               "virtio-balloon-pci,free-page-reporting=on",
               "-device",
               "virtio-rng-pci",
               "-pidfile",
               "/xdg/run/machine/dev/qemu.pid"});
}

TEST_CASE("golden: aarch64, HVF with TCG behind it, UEFI firmware boot from pflash", "[qemu]") {
    auto config = config_for("aarch64");
    config.resources = {8, 8192, 100};
    config.ssh.port = 40022;
    auto command = plan(config, Accelerator::hvf, "/opt/homebrew/share/qemu/edk2-aarch64-code.fd");
    CHECK(command.program == "qemu-system-aarch64");
    CHECK(command.args ==
          Args{"-name",
               "dev",
               "-nodefaults",
               "-no-user-config",
               "-display",
               "none",
               "-object",
               "memory-backend-file,id=ram,size=8192M,mem-path=/xdg/data/machine/machines/dev/"
               "memory.ram,share=on",
               "-machine",
               "virt,memory-backend=ram",
               "-accel",
               "hvf",
               "-accel",
               "tcg,tb-size=256",
               "-cpu",
               "max",
               "-smp",
               "8",
               "-m",
               "8192",
               "-drive",
               "if=pflash,format=raw,unit=0,readonly=on,file=/opt/homebrew/share/qemu/"
               "edk2-aarch64-code.fd",
               "-drive",
               "if=pflash,format=raw,unit=1,file=/xdg/data/machine/machines/dev/efi-vars.fd",
               "-boot",
               "strict=on",
               "-drive",
               "if=none,id=disk0,file=/xdg/data/machine/machines/dev/disk.qcow2,format=qcow2,"
               "discard=unmap",
               "-device",
               "virtio-blk-pci,drive=disk0,bootindex=0",
               "-netdev",
               "user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22",
               "-device",
               "virtio-net-pci,netdev=net0",
               "-device",
               "virtio-serial-pci,id=serial0",
               "-chardev",
               "socket,id=ready,path=/xdg/run/machine/dev/ready.sock",
               "-device",
               "virtserialport,bus=serial0.0,chardev=ready,name=org.fedoraproject.port.0",
               "-chardev",
               "socket,id=mux,path=/xdg/run/machine/dev/mux.sock,server=on,wait=off",
               "-device",
               "virtserialport,bus=serial0.0,chardev=mux,name=org.machine.mux.0",
               "-chardev",
               "socket,id=qmp,path=/xdg/run/machine/dev/qmp.sock,server=on,wait=off",
               "-mon",
               "chardev=qmp,mode=control",
               "-chardev",
               "socket,id=events,path=/xdg/run/machine/dev/events.sock,server=on,wait=off",
               "-mon",
               "chardev=events,mode=control",
               "-fw_cfg",
               "name=opt/com.coreos/config,file=/xdg/data/machine/machines/dev/ignition.json",
               "-chardev",
               "file,id=console,path=/xdg/data/machine/machines/dev/console.log",
               "-serial",
               "chardev:console",
               "-device",
               "virtio-balloon-pci,free-page-reporting=on",
               "-device",
               "virtio-rng-pci",
               "-pidfile",
               "/xdg/run/machine/dev/qemu.pid"});
}

TEST_CASE("golden: aarch64, TCG, direct kernel boot on the PL011 console", "[qemu]") {
    auto config = config_for("aarch64");
    direct_kernel(config);
    config.mounts = {{"/home/u/src", "/src", false}};
    auto command = plan(config, Accelerator::tcg, "/usr/share/AAVMF/AAVMF_CODE.fd");
    CHECK(command.program == "qemu-system-aarch64");
    CHECK(command.args ==
          Args{"-name",
               "dev",
               "-nodefaults",
               "-no-user-config",
               "-display",
               "none",
               "-object",
               "memory-backend-file,id=ram,size=4096M,mem-path=/xdg/data/machine/machines/dev/"
               "memory.ram,share=on",
               "-machine",
               "virt,memory-backend=ram",
               "-accel",
               "tcg,tb-size=256",
               "-cpu",
               "max,pauth-impdef=on",
               "-smp",
               "4",
               "-m",
               "4096",
               "-kernel",
               "/images/vmlinuz",
               "-initrd",
               "/images/initrd.img",
               "-append",
               "console=ttyAMA0",
               "-drive",
               "if=virtio,file=/xdg/data/machine/machines/dev/disk.qcow2,format=qcow2,"
               "discard=unmap",
               "-netdev",
               "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22",
               "-device",
               "virtio-net-pci,netdev=net0",
               "-device",
               "virtio-serial-pci,id=serial0",
               "-chardev",
               "socket,id=ready,path=/xdg/run/machine/dev/ready.sock",
               "-device",
               "virtserialport,bus=serial0.0,chardev=ready,name=org.fedoraproject.port.0",
               "-chardev",
               "socket,id=mux,path=/xdg/run/machine/dev/mux.sock,server=on,wait=off",
               "-device",
               "virtserialport,bus=serial0.0,chardev=mux,name=org.machine.mux.0",
               "-chardev",
               "socket,id=qmp,path=/xdg/run/machine/dev/qmp.sock,server=on,wait=off",
               "-mon",
               "chardev=qmp,mode=control",
               "-chardev",
               "socket,id=events,path=/xdg/run/machine/dev/events.sock,server=on,wait=off",
               "-mon",
               "chardev=events,mode=control",
               "-fw_cfg",
               "name=opt/com.coreos/config,file=/xdg/data/machine/machines/dev/ignition.json",
               "-chardev",
               "file,id=console,path=/xdg/data/machine/machines/dev/console.log",
               "-serial",
               "chardev:console",
               "-virtfs",
               "local,path=/home/u/src,mount_tag=vol0,security_model=none",
               "-device",
               "virtio-balloon-pci,free-page-reporting=on",
               "-device",
               "virtio-rng-pci",
               "-pidfile",
               "/xdg/run/machine/dev/qemu.pid"});
}

TEST_CASE("golden: Windows, x86_64, WHPX falling back to TCG, the ready pipe, cloud-init seed",
          "[qemu]") {
    auto config = config_for("x86_64");
    config.resources = {2, 2048, 20};
    config.image.provisioning = "cloud-init";
    auto command = plan(config, Accelerator::whpx,
                        R"(C:\Program Files\qemu\share\edk2-x86_64-code.fd)", {}, "windows");
    CHECK(command.program == "qemu-system-x86_64");
    CHECK(
        command.args ==
        Args{
            "-name",
            "dev",
            "-nodefaults",
            "-no-user-config",
            "-display",
            "none",
            "-machine",
            "q35",
            "-accel",
            "whpx,kernel-irqchip=off",
            "-accel",
            "tcg,tb-size=256",
            "-cpu",
            "qemu64",
            "-smp",
            "2",
            "-m",
            "2048",
            "-drive",
            R"(if=pflash,format=raw,unit=0,readonly=on,file=C:\Program Files\qemu\share\edk2-x86_64-code.fd)",
            "-drive",
            "if=pflash,format=raw,unit=1,file=/xdg/data/machine/machines/dev/efi-vars.fd",
            "-boot",
            "strict=on",
            "-drive",
            "if=none,id=disk0,file=/xdg/data/machine/machines/dev/disk.qcow2,format=qcow2,"
            "discard=unmap",
            "-device",
            "virtio-blk-pci,drive=disk0,bootindex=0",
            "-netdev",
            "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22",
            "-device",
            "virtio-net-pci,netdev=net0",
            "-device",
            "virtio-serial-pci,id=serial0",
            "-chardev",
            "pipe,id=ready,path=machine-dev+f45dfd01ca807abc-ready",
            "-device",
            "virtserialport,bus=serial0.0,chardev=ready,name=org.fedoraproject.port.0",
            "-chardev",
            "socket,id=mux,path=/xdg/run/machine/dev/mux.sock,server=on,wait=off",
            "-device",
            "virtserialport,bus=serial0.0,chardev=mux,name=org.machine.mux.0",
            "-chardev",
            "socket,id=qmp,path=/xdg/run/machine/dev/qmp.sock,server=on,wait=off",
            "-mon",
            "chardev=qmp,mode=control",
            "-chardev",
            "socket,id=events,path=/xdg/run/machine/dev/events.sock,server=on,wait=off",
            "-mon",
            "chardev=events,mode=control",
            "-drive",
            "if=virtio,format=raw,readonly=on,file=/xdg/data/machine/machines/dev/seed.iso",
            "-chardev",
            "file,id=console,path=/xdg/data/machine/machines/dev/console.log",
            "-serial",
            "chardev:console",
            "-device",
            "virtio-balloon-pci,free-page-reporting=on",
            "-device",
            "virtio-rng-pci",
            "-pidfile",
            "/xdg/run/machine/dev/qemu.pid"});
}

TEST_CASE("on Windows the ready port is a pipe QEMU serves, and RAM is QEMU's own", "[qemu]") {
    auto accelerator = GENERATE(Accelerator::whpx, Accelerator::tcg);
    auto arch = GENERATE(as<std::string>{}, "x86_64", "aarch64");
    CAPTURE(to_string(accelerator), arch);
    auto config = config_for(arch);
    auto posix = plan(config, accelerator, "/fw/code.fd").args;
    auto windows = plan(config, accelerator, "/fw/code.fd", {}, "windows").args;
    // Windows' QEMU has no file-backed RAM: neither the backend nor the machine's use of it.
    CHECK(values_of(windows, "-machine") == Args{arch == "aarch64" ? "virt" : "q35"});
    auto backend = std::find(posix.begin(), posix.end(), "-object");
    REQUIRE(backend != posix.end());
    posix.erase(backend, backend + 2);
    auto machine = std::find(posix.begin(), posix.end(), "-machine");
    machine[1] = arch == "aarch64" ? "virt" : "q35";
    REQUIRE(posix.size() == windows.size());
    Args differ;
    for (std::size_t i = 0; i < posix.size(); ++i)
        if (posix[i] != windows[i])
            differ.push_back(posix[i] + " -> " + windows[i]);
    CHECK(differ == Args{"socket,id=ready,path=/xdg/run/machine/dev/ready.sock -> "
                         "pipe,id=ready,path=machine-dev+f45dfd01ca807abc-ready"});
}

TEST_CASE("the Windows ready pipe is named per machine and per user, apart from every API pipe",
          "[qemu]") {
    CHECK(ready_pipe_name(Layout(dirs, "dev")) == "machine-dev+f45dfd01ca807abc-ready");
    CHECK(ready_pipe_name(Layout(dirs, "other")) == "machine-other+c984f945ee4b3d54-ready");
    // Another user's machine of the same name: another runtime folder, another pipe.
    StoreDirs bob{"/home/bob/config", "/home/bob/data", "/home/bob/run/machine"};
    CHECK(ready_pipe_name(Layout(bob, "dev")) == "machine-dev+acccbc33061cae0d-ready");
    // An API pipe is machine-NAME for a machine name; what follows "machine-" here is none.
    auto after_prefix = ready_pipe_name(Layout(dirs, "dev")).substr(std::string("machine-").size());
    CHECK_THROWS_AS(validate_machine_name(after_prefix), InvalidInput);

    for (const auto &bad : Args{"", "a\\b", "a,b", "../x", std::string(max_name_length + 1, 'a')}) {
        CAPTURE(bad);
        auto error = test::thrown<InvalidInput>([&] { ready_pipe_name(Layout(dirs, bad)); });
        CHECK(error.field() == "name");
    }
}

TEST_CASE("golden: commas in option values are doubled, plain arguments are left alone", "[qemu]") {
    auto config = config_for("aarch64");
    config.image.kernel = "/images,v2/vmlinuz";
    config.image.initrd = "/images,v2/initrd.img";
    config.image.kernel_cmdline = "a=b,c";
    config.mounts = {{"/home/u/a,b", "/ab", true}};
    StoreDirs odd{"/cfg,x", "/data,x", "/run,x"};
    auto command =
        qemu_launch_command(config, Layout(odd, "dev"), {Accelerator::kvm, "/fw,x.fd", {}});
    CHECK(command.args ==
          Args{"-name",
               "dev",
               "-nodefaults",
               "-no-user-config",
               "-display",
               "none",
               "-object",
               "memory-backend-file,id=ram,size=4096M,mem-path=/data,,x/machines/dev/"
               "memory.ram,share=on",
               "-machine",
               "virt,memory-backend=ram",
               "-accel",
               "kvm",
               "-cpu",
               "host",
               "-smp",
               "4",
               "-m",
               "4096",
               "-kernel",
               "/images,v2/vmlinuz",
               "-initrd",
               "/images,v2/initrd.img",
               "-append",
               "a=b,c console=ttyAMA0",
               "-drive",
               "if=virtio,file=/data,,x/machines/dev/disk.qcow2,format=qcow2,"
               "discard=unmap",
               "-netdev",
               "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22",
               "-device",
               "virtio-net-pci,netdev=net0",
               "-device",
               "virtio-serial-pci,id=serial0",
               "-chardev",
               "socket,id=ready,path=/run,,x/dev/ready.sock",
               "-device",
               "virtserialport,bus=serial0.0,chardev=ready,name=org.fedoraproject."
               "port.0",
               "-chardev",
               "socket,id=mux,path=/run,,x/dev/mux.sock,server=on,wait=off",
               "-device",
               "virtserialport,bus=serial0.0,chardev=mux,name=org.machine.mux.0",
               "-chardev",
               "socket,id=qmp,path=/run,,x/dev/qmp.sock,server=on,wait=off",
               "-mon",
               "chardev=qmp,mode=control",
               "-chardev",
               "socket,id=events,path=/run,,x/dev/events.sock,server=on,wait=off",
               "-mon",
               "chardev=events,mode=control",
               "-fw_cfg",
               "name=opt/com.coreos/config,file=/data,,x/machines/dev/ignition.json",
               "-chardev",
               "file,id=console,path=/data,,x/machines/dev/console.log",
               "-serial",
               "chardev:console",
               "-virtfs",
               "local,path=/home/u/a,,b,mount_tag=vol0,security_model=none,"
               "readonly=on",
               "-device",
               "virtio-balloon-pci,free-page-reporting=on",
               "-device",
               "virtio-rng-pci",
               "-pidfile",
               "/run,x/dev/qemu.pid"});
}

TEST_CASE("a comma in the firmware path is doubled", "[qemu]") {
    auto command = plan(config_for("aarch64"), Accelerator::tcg, "/fw,dir/code,1.fd");
    CHECK(has(command.args, "if=pflash,format=raw,unit=0,readonly=on,file=/fw,,dir/code,,1.fd"));
}

TEST_CASE("every accelerator, architecture and boot mode gets its machine, CPU and boot",
          "[qemu]") {
    using Case = std::tuple<Accelerator, Args, std::string, std::string>;
    auto [accelerator, accel, x86_cpu, arm_cpu] = GENERATE(
        Case{Accelerator::kvm, {"kvm"}, "host", "host"},
        Case{Accelerator::hvf, {"hvf", "tcg,tb-size=256"}, "max", "max"},
        Case{Accelerator::whpx, {"whpx,kernel-irqchip=off", "tcg,tb-size=256"}, "qemu64", "max"},
        Case{Accelerator::tcg, {"tcg,tb-size=256"}, "max", "max,pauth-impdef=on"});
    auto arch = GENERATE(as<std::string>{}, "x86_64", "aarch64");
    auto direct = GENERATE(true, false);
    CAPTURE(to_string(accelerator), arch, direct);

    auto config = config_for(arch);
    if (direct)
        direct_kernel(config);
    auto args = plan(config, accelerator, "/fw/code.fd").args;
    bool arm = arch == "aarch64";

    CHECK(qemu_system_binary(arch) == "qemu-system-" + arch);
    CHECK(values_of(args, "-machine") ==
          Args{arm ? "virt,memory-backend=ram" : "q35,memory-backend=ram"});
    CHECK(values_of(args, "-accel") == accel);
    CHECK(values_of(args, "-cpu") == Args{arm ? arm_cpu : x86_cpu});
    CHECK(values_of(args, "-smp") == Args{"4"});
    CHECK(values_of(args, "-m") == Args{"4096"});
    CHECK(values_of(args, "-kernel") == (direct ? Args{"/images/vmlinuz"} : Args{}));
    CHECK(values_of(args, "-initrd") == (direct ? Args{"/images/initrd.img"} : Args{}));
    CHECK(values_of(args, "-append") ==
          (direct ? Args{arm ? "console=ttyAMA0" : "console=ttyS0"} : Args{}));
    auto pflash = std::count_if(args.begin(), args.end(), [](const std::string &arg) {
        return arg.rfind("if=pflash,", 0) == 0;
    });
    CHECK(pflash == (direct ? 0 : 2));
    CHECK(values_of(args, "-fw_cfg").size() == 1);
    CHECK(args.back() == "/xdg/run/machine/dev/qemu.pid");
}

TEST_CASE("firmware boot on either architecture: the UEFI code, then the machine's variables",
          "[qemu]") {
    auto arch = GENERATE(as<std::string>{}, "x86_64", "aarch64");
    auto drives = values_of(plan(config_for(arch), Accelerator::kvm, "/fw/code.fd").args, "-drive");
    REQUIRE(drives.size() >= 2);
    CHECK(drives[0] == "if=pflash,format=raw,unit=0,readonly=on,file=/fw/code.fd");
    CHECK(drives[1] ==
          "if=pflash,format=raw,unit=1,file=/xdg/data/machine/machines/dev/efi-vars.fd");
}

TEST_CASE("direct kernel boot does not use the aarch64 firmware", "[qemu]") {
    auto config = config_for("aarch64");
    direct_kernel(config);
    CHECK(plan(config, Accelerator::hvf, "/fw/a.fd") == plan(config, Accelerator::hvf, "/fw/b.fd"));
}

TEST_CASE("provisioning picks fw_cfg, a seed disk or nothing", "[qemu]") {
    auto config = config_for("x86_64");
    direct_kernel(config); // no firmware drives

    config.image.provisioning = "ignition";
    auto ignition = plan(config, Accelerator::kvm).args;
    CHECK(values_of(ignition, "-fw_cfg") ==
          Args{"name=opt/com.coreos/config,file=/xdg/data/machine/machines/dev/ignition.json"});
    CHECK(values_of(ignition, "-drive").size() == 1);

    config.image.provisioning = "cloud-init";
    auto cloud_init = plan(config, Accelerator::kvm).args;
    CHECK_FALSE(has(cloud_init, "-fw_cfg"));
    CHECK(values_of(cloud_init, "-drive") ==
          Args{"if=virtio,file=/xdg/data/machine/machines/dev/disk.qcow2,format=qcow2,"
               "discard=unmap",
               "if=virtio,format=raw,readonly=on,file=/xdg/data/machine/machines/dev/seed.iso"});

    config.image.provisioning = "none";
    auto none = plan(config, Accelerator::kvm).args;
    CHECK_FALSE(has(none, "-fw_cfg"));
    CHECK(values_of(none, "-drive").size() == 1);
}

TEST_CASE("shares are numbered in order and only read-only ones say so", "[qemu]") {
    auto config = config_for("x86_64");
    config.mounts = {{"/a", "/a", false}, {"/b", "/guest/b", true}, {"/c", "/c", false}};
    CHECK(values_of(plan(config, Accelerator::kvm).args, "-virtfs") ==
          Args{"local,path=/a,mount_tag=vol0,security_model=none",
               "local,path=/b,mount_tag=vol1,security_model=none,readonly=on",
               "local,path=/c,mount_tag=vol2,security_model=none"});
}

TEST_CASE("golden: folders over virtiofs: a vhost-user socket each, and RAM virtiofsd can map",
          "[qemu]") {
    for (const auto &[arch, machine] : {std::pair<std::string, std::string>{"x86_64", "q35"},
                                        std::pair<std::string, std::string>{"aarch64", "virt"}}) {
        auto config = config_for(arch);
        config.mounts = {{"/a", "/a", false}, {"/b,c", "/guest/b", true}};
        config.provider_state["mount_type"] = "virtiofs";
        auto args = plan(config, Accelerator::tcg).args;
        INFO(arch);
        CHECK_FALSE(has(args, "-virtfs"));
        CHECK(values_of(args, "-object") ==
              Args{"memory-backend-file,id=ram,size=4096M,mem-path=/xdg/data/machine/machines/dev/"
                   "memory.ram,share=on"});
        CHECK(values_of(args, "-machine") == Args{machine + ",memory-backend=ram"});
        CHECK(values_of(args, "-m") == Args{"4096"});
        auto chardevs = values_of(args, "-chardev");
        CHECK(std::count(chardevs.begin(), chardevs.end(),
                         "socket,id=fs0,path=/xdg/run/machine/dev/virtiofsd-0.sock") == 1);
        CHECK(std::count(chardevs.begin(), chardevs.end(),
                         "socket,id=fs1,path=/xdg/run/machine/dev/virtiofsd-1.sock") == 1);
        auto devices = values_of(args, "-device");
        CHECK(std::count(devices.begin(), devices.end(),
                         "vhost-user-fs-pci,queue-size=1024,chardev=fs0,tag=vol0") == 1);
        CHECK(std::count(devices.begin(), devices.end(),
                         "vhost-user-fs-pci,queue-size=1024,chardev=fs1,tag=vol1") == 1);
    }
}

TEST_CASE("a machine made before virtiofs keeps 9p, and Windows' QEMU keeps plain RAM", "[qemu]") {
    auto config = config_for("x86_64");
    config.mounts = {{"/a", "/a", false}};
    auto args = plan(config, Accelerator::kvm).args; // no mount_type: as every machine made before
    CHECK(values_of(args, "-virtfs") == Args{"local,path=/a,mount_tag=vol0,security_model=none"});
    args = plan(config, Accelerator::whpx, {}, {}, "windows").args; // no file backend there
    CHECK_FALSE(has(args, "-object"));
    CHECK(values_of(args, "-machine") == Args{"q35"});
}

TEST_CASE("virtiofsd serves one folder in the foreground on its socket", "[qemu]") {
    CHECK(virtiofsd_command("/usr/lib/qemu/virtiofsd", "/run/m/virtiofsd-0.sock",
                            {"/home/me", "/home/me", true})
              .args == Args{"--socket-path=/run/m/virtiofsd-0.sock", "-o", "source=/home/me", "-o",
                            "cache=auto", "-o", "xattr"});
}

TEST_CASE("the plan is a pure function of its inputs", "[qemu]") {
    auto config = config_for("x86_64");
    CHECK(plan(config, Accelerator::kvm) == plan(config, Accelerator::kvm));
    auto other = config;
    other.name = "other";
    auto args = plan(other, Accelerator::kvm).args;
    CHECK(values_of(args, "-name") == Args{"other"});
    CHECK(args.back() == "/xdg/run/machine/other/qemu.pid");
}

TEST_CASE("pick_accelerator uses the hardware only for the host's own architecture",
          "[qemu][accelerator]") {
    using Case = std::tuple<std::string, std::string, std::string, bool, Accelerator>;
    auto [os, host_arch, guest_arch, kvm_usable, expected] =
        GENERATE(Case{"linux", "x86_64", "x86_64", true, Accelerator::kvm},
                 Case{"linux", "aarch64", "aarch64", true, Accelerator::kvm},
                 Case{"linux", "x86_64", "x86_64", false, Accelerator::tcg},
                 Case{"linux", "x86_64", "aarch64", true, Accelerator::tcg},
                 Case{"linux", "aarch64", "x86_64", true, Accelerator::tcg},
                 Case{"darwin", "aarch64", "aarch64", false, Accelerator::hvf},
                 Case{"darwin", "x86_64", "x86_64", false, Accelerator::hvf},
                 Case{"darwin", "aarch64", "aarch64", true, Accelerator::hvf},
                 Case{"darwin", "aarch64", "x86_64", false, Accelerator::tcg},
                 Case{"windows", "x86_64", "x86_64", false, Accelerator::whpx},
                 Case{"windows", "x86_64", "aarch64", false, Accelerator::tcg},
                 Case{"freebsd", "x86_64", "x86_64", true, Accelerator::tcg});
    CAPTURE(os, host_arch, guest_arch, kvm_usable);
    CHECK(pick_accelerator({os, host_arch, guest_arch, kvm_usable}) == expected);
}

TEST_CASE("accelerator names are QEMU's", "[qemu][accelerator]") {
    CHECK(to_string(Accelerator::kvm) == "kvm");
    CHECK(to_string(Accelerator::hvf) == "hvf");
    CHECK(to_string(Accelerator::whpx) == "whpx");
    CHECK(to_string(Accelerator::tcg) == "tcg");
}

TEST_CASE("only software emulation gets a one-line warning", "[qemu][accelerator]") {
    CHECK(accelerator_warning(Accelerator::kvm).empty());
    CHECK(accelerator_warning(Accelerator::hvf).empty());
    CHECK(accelerator_warning(Accelerator::whpx).empty());
    auto warning = accelerator_warning(Accelerator::tcg);
    CHECK_FALSE(warning.empty());
    CHECK(warning.find('\n') == std::string::npos);
    CHECK_THAT(warning, Catch::Contains("TCG"));
}

TEST_CASE("the host's facts name a known OS and the requested guest", "[qemu][accelerator]") {
    auto facts = host_accelerator_facts("aarch64");
    CHECK(facts.guest_arch == "aarch64");
    CHECK((facts.host_os == "linux" || facts.host_os == "darwin" || facts.host_os == "windows"));
    CHECK((facts.host_arch == "x86_64" || facts.host_arch == "aarch64"));
}

TEST_CASE("the guest is shown the disk, console and config another hypervisor would", "[qemu]") {
    auto config = config_for("aarch64");
    direct_kernel(config, "root=PARTUUID=x rw");

    auto scsi = plan(config, Accelerator::tcg, {}, {"virtio-scsi", "serial", "fw_cfg"}).args;
    CHECK(values_of(scsi, "-drive") ==
          Args{"if=none,id=disk0,file=/xdg/data/machine/machines/dev/disk.qcow2,format=qcow2,"
               "discard=unmap"});
    CHECK(has(scsi, "virtio-scsi-pci,id=scsi0"));
    CHECK(has(scsi, "scsi-hd,bus=scsi0.0,drive=disk0"));

    auto libkrun_like =
        plan(config, Accelerator::tcg, {}, {"virtio-mmio", "virtio", "fw_cfg"}).args;
    CHECK(has(libkrun_like, "virtio-blk-device,drive=disk0"));
    CHECK(values_of(libkrun_like, "-append") == Args{"root=PARTUUID=x rw console=hvc0"});
    CHECK(has(libkrun_like, "virtconsole,bus=serial0.0,chardev=console"));
    CHECK_FALSE(has(libkrun_like, "-serial"));
    CHECK(has(libkrun_like, "file,id=console,path=/xdg/data/machine/machines/dev/console.log"));

    auto seed = plan(config, Accelerator::tcg, {}, {"virtio-blk", "serial", "seed-disk"}).args;
    CHECK_FALSE(has(seed, "-fw_cfg"));
    CHECK(values_of(seed, "-drive").back() ==
          "if=virtio,format=raw,readonly=on,file=/xdg/data/machine/machines/dev/seed.iso");
}

TEST_CASE("MACHINE_QEMU_DEVICES is read, checked and kept in the provider state", "[qemu]") {
    CHECK(parse_qemu_devices("", "x86_64") == QemuDevices{});
    auto devices = parse_qemu_devices("disk=virtio-scsi,console=virtio,config=seed-disk", "x86_64");
    CHECK(devices == QemuDevices{"virtio-scsi", "virtio", "seed-disk"});
    CHECK(parse_qemu_devices("disk=virtio-mmio", "aarch64").disk == "virtio-mmio");

    std::map<std::string, std::string> state{{"domain", "kept"}};
    store_qemu_devices(QemuDevices{}, state);
    CHECK(state == std::map<std::string, std::string>{{"domain", "kept"}}); // defaults: nothing
    store_qemu_devices(devices, state);
    CHECK(state.at("disk") == "virtio-scsi");
    CHECK(stored_qemu_devices(state) == devices);
    CHECK(stored_qemu_devices({}) == QemuDevices{});

    auto rejected = [](const std::string &spec, const std::string &arch, const std::string &says) {
        CAPTURE(spec);
        try {
            parse_qemu_devices(spec, arch);
            FAIL("accepted");
        } catch (const InvalidInput &error) {
            CHECK_THAT(error.what(),
                       Catch::StartsWith("MACHINE_QEMU_DEVICES: ") && Catch::Contains(says));
        }
    };
    rejected("disk=ide", "x86_64", "virtio-blk, virtio-scsi, virtio-mmio");
    rejected("disk=virtio-mmio", "x86_64", "needs an aarch64 guest");
    rejected("gpu=yes", "x86_64", "KEY disk, console or config");
    rejected("console", "x86_64", "not KEY=VALUE");
}

TEST_CASE("an x86_64 machine made before UEFI boot is given no firmware: SeaBIOS boots it",
          "[qemu]") {
    auto args = plan(config_for("x86_64"), Accelerator::kvm, "").args;
    CHECK(values_of(args, "-drive") ==
          Args{"if=virtio,file=/xdg/data/machine/machines/dev/disk.qcow2,format=qcow2,"
               "discard=unmap"});
}

TEST_CASE("a saved state's fingerprint changes with QEMU's version and with any launch argument",
          "[qemu][suspend]") {
    auto launch = plan(config_for("x86_64"), Accelerator::kvm);
    auto fingerprint = launch_fingerprint(launch, "QEMU emulator version 7.2.22");
    CHECK(fingerprint.size() == 64);
    CHECK(launch_fingerprint(launch, "QEMU emulator version 7.2.22") == fingerprint);
    CHECK(launch_fingerprint(launch, "QEMU emulator version 8.0.0") != fingerprint);
    auto more_memory = config_for("x86_64");
    more_memory.resources.memory_mib = 8192;
    CHECK(launch_fingerprint(plan(more_memory, Accelerator::kvm), "QEMU emulator version 7.2.22") !=
          fingerprint);
    // One argument split differently is another launch, not the same bytes run together.
    Command split = launch;
    split.args = {"-m", "40", "96"};
    Command joined = launch;
    joined.args = {"-m", "4096"};
    CHECK(launch_fingerprint(split, "v") != launch_fingerprint(joined, "v"));
}

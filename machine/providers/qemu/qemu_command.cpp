#include "providers/qemu/qemu_command.h"

#include "providers/qemu/qemu_files.h"

#include <fmt/format.h>

namespace machine {

namespace {

// QEMU's option syntax doubles a comma inside a value.
std::string escape_commas(const std::string &value) {
    std::string escaped;
    for (char c : value)
        escaped += c == ',' ? std::string(",,") : std::string(1, c);
    return escaped;
}

void add(Command &command, std::initializer_list<std::string> words) {
    command.args.insert(command.args.end(), words);
}

// A smaller translation cache keeps QEMU's own memory modest under emulation.
const std::string tcg_accel = "tcg,tb-size=256";

void add_machine_and_cpu(Command &c, const MachineConfig &config, const QemuHost &host,
                         const QemuFiles &files) {
    bool arm = config.arch == "aarch64";
    if (host.host_os != "windows") {
        // The guest's RAM is a file of the machine's, shared: `stop --suspend` then saves only the
        // devices' state (x-ignore-shared), and virtiofsd can map the guest's buffers. (Windows'
        // QEMU has no file backend.)
        add(c, {"-object",
                fmt::format("memory-backend-file,id=ram,size={}M,mem-path={},share=on",
                            config.resources.memory_mib, escape_commas(files.memory.string()))});
        add(c, {"-machine", arm ? "virt,memory-backend=ram" : "q35,memory-backend=ram"});
    } else {
        add(c, {"-machine", arm ? "virt" : "q35"});
    }
    switch (host.accelerator) {
    case Accelerator::kvm:
        add(c, {"-accel", "kvm", "-cpu", "host"});
        break;
    case Accelerator::hvf:
        // TCG takes over where HVF is refused (a Mac VM without nested virtualization, a QEMU
        // without Apple's hypervisor entitlement). "max" is the host's CPU under HVF, and the
        // most TCG can emulate otherwise ("host" would make TCG refuse to start).
        add(c, {"-accel", "hvf", "-accel", tcg_accel, "-cpu", "max"});
        break;
    case Accelerator::whpx:
        // WHPX's in-kernel irqchip is unreliable with recent guests; QEMU's is safe. QEMU tries
        // each -accel in turn: TCG takes over where WHPX is missing or refuses (Hyper-V's
        // platform off, a nested host), which only QEMU can tell. Both run qemu64.
        add(c, {"-accel", "whpx,kernel-irqchip=off", "-accel", tcg_accel, "-cpu",
                arm ? "max" : "qemu64"});
        break;
    case Accelerator::tcg:
        // Arm's pointer authentication, emulated the architected way, costs far more than
        // QEMU's own scheme; the guest cannot tell.
        add(c, {"-accel", tcg_accel, "-cpu", arm ? "max,pauth-impdef=on" : "max"});
        break;
    }
    add(c, {"-smp", std::to_string(config.resources.cpus), "-m",
            std::to_string(config.resources.memory_mib)});
}

void add_boot(Command &c, const MachineConfig &config, const QemuHost &host,
              const QemuFiles &files) {
    const auto &image = config.image;
    if (boots_by_firmware(config)) {
        if (host.firmware_code.empty())
            return; // x86_64 machines made before UEFI boot: SeaBIOS, QEMU's own
        // The code read-only and shared, the variables the machine's own (QEMU's pflash units).
        add(c, {"-drive",
                fmt::format("if=pflash,format=raw,unit=0,readonly=on,file={}",
                            escape_commas(host.firmware_code)),
                "-drive",
                fmt::format("if=pflash,format=raw,unit=1,file={}",
                            escape_commas(files.efi_vars.string())),
                // only the disk (add_disk's bootindex): no network boot stack set up and tried
                "-boot", "strict=on"});
        return;
    }
    auto console = host.devices.console == "virtio" ? "console=hvc0"
                   : config.arch == "aarch64"       ? "console=ttyAMA0"
                                                    : "console=ttyS0";
    auto cmdline = image.kernel_cmdline;
    if (cmdline.find("console=") == std::string::npos) // the console log reads this port
        cmdline += cmdline.empty() ? console : fmt::format(" {}", console);
    add(c, {"-kernel", image.kernel, "-initrd", image.initrd, "-append", cmdline});
}

void add_disk(Command &c, const QemuFiles &files, const QemuDevices &devices, bool firmware) {
    auto drive =
        fmt::format("file={},format=qcow2,discard=unmap", escape_commas(files.disk.string()));
    // The firmware boots the disk first and nothing else (-boot strict=on): under TCG, OVMF
    // setting up its network boot for the NIC costs most of a second.
    std::string first = firmware ? ",bootindex=0" : "";
    if (devices.disk == "virtio-scsi") // sda, as Hyper-V shows its disk
        add(c, {"-device", "virtio-scsi-pci,id=scsi0", "-drive", "if=none,id=disk0," + drive,
                "-device", "scsi-hd,bus=scsi0.0,drive=disk0" + first});
    else if (devices.disk == "virtio-mmio") // as libkrun shows it
        add(c, {"-drive", "if=none,id=disk0," + drive, "-device",
                "virtio-blk-device,drive=disk0" + first});
    else if (firmware)
        add(c, {"-drive", "if=none,id=disk0," + drive, "-device",
                "virtio-blk-pci,drive=disk0" + first});
    else
        add(c, {"-drive", "if=virtio," + drive});
}

void add_network(Command &c, const MachineConfig &config) {
    add(c, {"-netdev", fmt::format("user,id=net0,hostfwd=tcp:127.0.0.1:{}-:22", config.ssh.port),
            "-device", "virtio-net-pci,netdev=net0"});
}

// The guest writes "Ready" to this port. POSIX: QEMU connects to a socket the host already
// listens on. Windows: QEMU serves a named pipe, and goes no further until the host connects.
// (machine-mux and QMP stay unix sockets there too, AF_UNIX: a QEMU pipe takes one client for
// QEMU's whole life and holds its start until that client comes, where the forwarder comes late
// and again, and `stop` comes on its own.)
void add_ready_port(Command &c, const Layout &layout, const QemuFiles &files,
                    const std::string &host_os) {
    auto chardev =
        host_os == "windows"
            ? fmt::format("pipe,id=ready,path={}", escape_commas(ready_pipe_name(layout)))
            : fmt::format("socket,id=ready,path={}", escape_commas(files.ready_socket.string()));
    add(c, {"-device", "virtio-serial-pci,id=serial0", "-chardev", chardev, "-device",
            "virtserialport,bus=serial0.0,chardev=ready,name=org.fedoraproject.port.0"});
}

// The API transport to our guest agent (docs/mux-protocol.md): QEMU serves the host end, so the
// forwarder can connect, go and come back; a guest without our agent never opens the port.
void add_mux_port(Command &c, const QemuFiles &files) {
    add(c, {"-chardev",
            fmt::format("socket,id=mux,path={},server=on,wait=off",
                        escape_commas(files.mux_socket.string())),
            "-device", "virtserialport,bus=serial0.0,chardev=mux,name=org.machine.mux.0"});
}

// Two monitors: one for `stop` and whoever asks a question, one the forwarder keeps for the VM's
// events (a QMP socket takes one client at a time).
void add_qmp(Command &c, const QemuFiles &files) {
    add(c, {"-chardev",
            fmt::format("socket,id=qmp,path={},server=on,wait=off",
                        escape_commas(files.qmp_socket.string())),
            "-mon", "chardev=qmp,mode=control"});
    add(c, {"-chardev",
            fmt::format("socket,id=events,path={},server=on,wait=off",
                        escape_commas(files.events_socket.string())),
            "-mon", "chardev=events,mode=control"});
}

void add_provisioning(Command &c, const MachineConfig &config, const QemuFiles &files,
                      const QemuDevices &devices) {
    bool seed_disk = config.image.provisioning == "cloud-init" ||
                     (config.image.provisioning == "ignition" && devices.config == "seed-disk");
    if (seed_disk)
        add(c, {"-drive", fmt::format("if=virtio,format=raw,readonly=on,file={}",
                                      escape_commas(files.seed_image.string()))});
    else if (config.image.provisioning == "ignition")
        add(c, {"-fw_cfg", fmt::format("name=opt/com.coreos/config,file={}",
                                       escape_commas(files.ignition.string()))});
}

// The console log, on the first serial port or on a virtio console (hvc0, as vfkit and krunkit
// give it). Firmware writes to the serial port only.
void add_console(Command &c, const Layout &layout, const QemuDevices &devices) {
    add(c, {"-chardev",
            fmt::format("file,id=console,path={}", escape_commas(layout.console_log().string()))});
    if (devices.console == "virtio")
        add(c, {"-device", "virtconsole,bus=serial0.0,chardev=console"});
    else
        add(c, {"-serial", "chardev:console"});
}

void add_shares(Command &c, const MachineConfig &config, const QemuFiles &files) {
    for (std::size_t i = 0; i < config.mounts.size(); ++i) {
        const auto &mount = config.mounts[i];
        if (shares_over_virtiofs(config)) {
            add(c, {"-chardev", fmt::format("socket,id=fs{},path={}", i,
                                            escape_commas(files.virtiofsd(i).socket.string()))});
            add(c, {"-device",
                    fmt::format("vhost-user-fs-pci,queue-size=1024,chardev=fs{},tag=vol{}", i, i)});
            continue;
        }
        add(c, {"-virtfs", fmt::format("local,path={},mount_tag=vol{},security_model=none{}",
                                       escape_commas(mount.host_path), i,
                                       mount.read_only ? ",readonly=on" : "")});
    }
}

} // namespace

bool shares_over_virtiofs(const MachineConfig &config) {
    auto type = config.provider_state.find("mount_type");
    return !config.mounts.empty() && type != config.provider_state.end() &&
           type->second == "virtiofs";
}

bool boots_by_firmware(const MachineConfig &config) {
    return config.image.kernel.empty() || config.image.initrd.empty();
}

std::string qemu_system_binary(const std::string &guest_arch) {
    return "qemu-system-" + guest_arch;
}

Command qemu_launch_command(const MachineConfig &config, const Layout &layout,
                            const QemuHost &host) {
    Command c;
    c.program = qemu_system_binary(config.arch);
    add(c, {"-name", escape_commas(config.name), "-nodefaults", "-no-user-config", "-display",
            "none"});
    QemuFiles files(layout);
    add_machine_and_cpu(c, config, host, files);
    add_boot(c, config, host, files);
    add_disk(c, files, host.devices, boots_by_firmware(config) && !host.firmware_code.empty());
    add_network(c, config);
    add_ready_port(c, layout, files, host.host_os);
    add_mux_port(c, files);
    add_qmp(c, files);
    add_provisioning(c, config, files, host.devices);
    add_console(c, layout, host.devices);
    add_shares(c, config, files);
    // The guest reports the pages it frees (in 2 MiB blocks, after a couple of seconds), and QEMU
    // gives them back to the host: memory a build or a test used does not stay QEMU's for good.
    add(c, {"-device", "virtio-balloon-pci,free-page-reporting=on"});
    add(c, {"-device", "virtio-rng-pci", "-pidfile", files.pid.string()});
    return c;
}

} // namespace machine

#include "providers/qemu/qemu_command.h"

#include "providers/qemu/qemu_files.h"

#include <filesystem>
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

void add_machine_and_cpu(Command &c, const MachineConfig &config, Accelerator accelerator) {
    bool arm = config.arch == "aarch64";
    add(c, {"-machine", arm ? "virt" : "q35"});
    switch (accelerator) {
    case Accelerator::kvm:
        add(c, {"-accel", "kvm", "-cpu", "host"});
        break;
    case Accelerator::hvf:
        add(c, {"-accel", "hvf", "-cpu", "host"});
        break;
    case Accelerator::whpx:
        // WHPX's in-kernel irqchip is unreliable with recent guests; QEMU's is safe.
        add(c, {"-accel", "whpx,kernel-irqchip=off", "-cpu", arm ? "max" : "qemu64"});
        break;
    case Accelerator::tcg:
        // A smaller translation cache keeps QEMU's own memory modest under emulation.
        add(c, {"-accel", "tcg,tb-size=256", "-cpu", "max"});
        break;
    }
    add(c, {"-smp", std::to_string(config.resources.cpus), "-m",
            std::to_string(config.resources.memory_mib)});
}

void add_boot(Command &c, const MachineConfig &config, const QemuHost &host) {
    const auto &image = config.image;
    if (!image.kernel.empty() && !image.initrd.empty()) {
        auto console = config.arch == "aarch64" ? "console=ttyAMA0" : "console=ttyS0";
        auto cmdline = image.kernel_cmdline;
        if (cmdline.find("console=") == std::string::npos) // the console log reads this port
            cmdline += cmdline.empty() ? console : fmt::format(" {}", console);
        add(c, {"-kernel", image.kernel, "-initrd", image.initrd, "-append", cmdline});
    } else if (config.arch == "aarch64") {
        add(c, {"-drive", fmt::format("if=pflash,format=raw,readonly=on,file={}",
                                      escape_commas(host.firmware))});
    }
}

void add_disk(Command &c, const QemuFiles &files) {
    add(c, {"-drive", fmt::format("if=virtio,file={},format=qcow2,discard=unmap",
                                  escape_commas(files.disk.string()))});
}

void add_network(Command &c, const MachineConfig &config) {
    add(c, {"-netdev", fmt::format("user,id=net0,hostfwd=tcp:127.0.0.1:{}-:22", config.ssh.port),
            "-device", "virtio-net-pci,netdev=net0"});
}

// The guest writes "Ready" to this port; QEMU connects to a socket the host already listens on.
void add_ready_port(Command &c, const QemuFiles &files) {
    add(c, {"-device", "virtio-serial-pci,id=serial0", "-chardev",
            fmt::format("socket,id=ready,path={}", escape_commas(files.ready_socket.string())),
            "-device", "virtserialport,bus=serial0.0,chardev=ready,name=org.fedoraproject.port.0"});
}

// The API transport to our guest agent (docs/mux-protocol.md): QEMU serves the host end, so the
// forwarder can connect, go and come back; a guest without our agent never opens the port.
void add_mux_port(Command &c, const QemuFiles &files) {
    add(c, {"-chardev",
            fmt::format("socket,id=mux,path={},server=on,wait=off",
                        escape_commas(files.mux_socket.string())),
            "-device", "virtserialport,bus=serial0.0,chardev=mux,name=org.machine.mux.0"});
}

void add_qmp(Command &c, const QemuFiles &files) {
    add(c, {"-chardev",
            fmt::format("socket,id=qmp,path={},server=on,wait=off",
                        escape_commas(files.qmp_socket.string())),
            "-mon", "chardev=qmp,mode=control"});
}

void add_provisioning(Command &c, const MachineConfig &config, const QemuFiles &files) {
    if (config.image.provisioning == "ignition")
        add(c, {"-fw_cfg", fmt::format("name=opt/com.coreos/config,file={}",
                                       escape_commas(files.ignition.string()))});
    else if (config.image.provisioning == "cloud-init")
        add(c, {"-drive", fmt::format("if=virtio,format=raw,readonly=on,file={}",
                                      escape_commas(files.seed_image.string()))});
}

void add_console(Command &c, const Layout &layout) {
    add(c, {"-chardev",
            fmt::format("file,id=console,path={}", escape_commas(layout.console_log().string())),
            "-serial", "chardev:console"});
}

void add_shares(Command &c, const MachineConfig &config) {
    for (std::size_t i = 0; i < config.mounts.size(); ++i) {
        const auto &mount = config.mounts[i];
        add(c, {"-virtfs", fmt::format("local,path={},mount_tag=vol{},security_model=none{}",
                                       escape_commas(mount.host_path), i,
                                       mount.read_only ? ",readonly=on" : "")});
    }
}

} // namespace

std::string qemu_system_binary(const std::string &guest_arch) {
    return "qemu-system-" + guest_arch;
}

std::string find_aarch64_firmware() {
    for (const char *candidate :
         {"/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd",
          "/opt/homebrew/share/qemu/edk2-aarch64-code.fd",
          "/usr/local/share/qemu/edk2-aarch64-code.fd", "/usr/share/qemu/edk2-aarch64-code.fd"})
        if (std::filesystem::exists(candidate))
            return candidate;
    return "/usr/share/AAVMF/AAVMF_CODE.fd";
}

Command qemu_launch_command(const MachineConfig &config, const Layout &layout,
                            const QemuHost &host) {
    Command c;
    c.program = qemu_system_binary(config.arch);
    add(c, {"-name", escape_commas(config.name), "-nodefaults", "-no-user-config", "-display",
            "none"});
    add_machine_and_cpu(c, config, host.accelerator);
    add_boot(c, config, host);
    QemuFiles files(layout);
    add_disk(c, files);
    add_network(c, config);
    add_ready_port(c, files);
    add_mux_port(c, files);
    add_qmp(c, files);
    add_provisioning(c, config, files);
    add_console(c, layout);
    add_shares(c, config);
    add(c, {"-device", "virtio-rng-pci", "-pidfile", files.pid.string()});
    return c;
}

} // namespace machine

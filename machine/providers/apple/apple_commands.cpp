#include "providers/apple/apple_commands.h"

#include "machine/errors.h"
#include "machine/printable.h"
#include "platform/sha256.h"

#include <fmt/format.h>

namespace machine {

namespace {

enum class Splitter { vfkit, krunkit };

// `value` checked to go into a --device argument whole. A shared folder is the user's input
// (InvalidInput); the store's own paths come from the XDG folders (HostNotReady).
std::string option(const std::string &value, Splitter splitter, bool shared_folder = false) {
    bool comma = value.find(',') != std::string::npos;
    bool equals = splitter == Splitter::krunkit && value.find('=') != std::string::npos;
    if (!comma && !equals)
        return value;
    auto program = splitter == Splitter::vfkit ? "vfkit" : "krunkit";
    auto what = fmt::format("{} cannot be given \"{}\": it splits device options at {}", program,
                            printable(value), comma ? "','" : "'='");
    if (shared_folder)
        throw InvalidInput("--volume", "--volume: " + what);
    throw HostNotReady(what, "keep the machine store in folders whose names have neither ',' nor "
                             "'=' (XDG_DATA_HOME, XDG_RUNTIME_DIR)");
}

// A unix socket's path fits sockaddr_un's sun_path: 104 bytes on macOS, with its NUL.
std::string socket_path(const std::filesystem::path &socket, Splitter splitter) {
    auto path = option(socket.string(), splitter);
    if (path.size() >= 104)
        throw HostNotReady(fmt::format("the socket path {} is longer than the 103 bytes macOS "
                                       "allows",
                                       path),
                           "keep the machine's runtime folder short (XDG_RUNTIME_DIR), or its "
                           "name");
    return path;
}

std::string vsock(std::uint32_t port, const std::filesystem::path &socket, const char *mode,
                  Splitter splitter) {
    return fmt::format("virtio-vsock,port={},socketURL={},{}", port, socket_path(socket, splitter),
                       mode);
}

// The devices both hypervisors get, in this order: disk, entropy, network, console, vsock,
// shared folders. `disk` and `network` are each one's own.
void add_devices(Command &c, const AppleVm &vm, Splitter splitter, const std::string &disk,
                 const std::string &network) {
    auto device = [&](const std::string &spec) {
        c.args.push_back("--device");
        c.args.push_back(spec);
    };
    device(disk);
    device("virtio-rng");
    device(network);
    device("virtio-serial,logFilePath=" + option(vm.console_log.string(), splitter));
    // Ready and the config: the guest connects, vfkit dials our socket ("listen"); machine-mux:
    // we connect, vfkit dials the guest ("connect").
    device(vsock(ready_vsock_port, vm.files.ready_socket, "listen", splitter));
    device(vsock(mux_vsock_port, vm.files.mux_socket, "connect", splitter));
    if (vm.first_boot)
        device(vsock(ignition_vsock_port, vm.files.ignition_socket, "listen", splitter));
    for (std::size_t i = 0; i < vm.mounts.size(); ++i)
        device(fmt::format("virtio-fs,sharedDir={},mountTag={}",
                           option(vm.mounts[i].host_path, splitter, true), mount_tag(i)));
}

void add_rest(Command &c, const AppleVm &vm, Splitter splitter) {
    c.args.push_back("--restful-uri");
    c.args.push_back("unix://" + socket_path(vm.files.rest_socket, splitter));
}

} // namespace

Command vfkit_command(const std::filesystem::path &vfkit, const AppleVm &vm) {
    auto s = Splitter::vfkit;
    Command c{vfkit.string(),
              {"--cpus", std::to_string(vm.cpus), "--memory", std::to_string(vm.memory_mib),
               "--bootloader",
               "efi,variable-store=" + option(vm.files.efi_vars.string(), s) + ",create"},
              {}};
    add_devices(c, vm, s, "virtio-blk,path=" + option(vm.files.disk.string(), s),
                "virtio-net,nat,mac=" + vm.mac);
    if (vm.rosetta) // installs Rosetta when the Mac lacks it (macOS asks the user)
        c.args.insert(c.args.end(),
                      {"--device", fmt::format("rosetta,mountTag={},install", rosetta_tag)});
    add_rest(c, vm, s);
    return c;
}

Command krunkit_command(const std::filesystem::path &krunkit, const AppleVm &vm) {
    auto s = Splitter::krunkit;
    Command c{krunkit.string(),
              {"--cpus", std::to_string(vm.cpus), "--memory", std::to_string(vm.memory_mib)},
              {}};
    // unixSocketPath: gvproxy's -listen-vfkit protocol (the vfkit magic first, offloading on).
    add_devices(c, vm, s, "virtio-blk,path=" + option(vm.files.disk.string(), s) + ",format=raw",
                "virtio-net,unixSocketPath=" + socket_path(vm.files.gvproxy_socket, s) +
                    ",mac=" + vm.mac);
    add_rest(c, vm, s);
    if (vm.nested)
        c.args.push_back("--nested");
    return c;
}

Command gvproxy_command(const std::filesystem::path &gvproxy, const GvproxyOptions &options) {
    return {gvproxy.string(),
            {"-mtu", "1500", "-ssh-port", std::to_string(options.ssh_port), "-listen-vfkit",
             "unixgram://" + options.socket.string(), "-pid-file", options.pid_file.string()},
            {}};
}

std::string apple_mac_address(const std::filesystem::path &data_dir) {
    auto folder = data_dir.string();
    platform::Sha256 hash;
    hash.update(folder.data(), folder.size());
    auto hex = hash.hex_digest();
    return fmt::format("5a:{}:{}:{}:{}:{}", hex.substr(0, 2), hex.substr(2, 2), hex.substr(4, 2),
                       hex.substr(6, 2), hex.substr(8, 2));
}

} // namespace machine

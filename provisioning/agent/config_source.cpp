#include "provisioning/agent/config_source.h"

#include "provisioning/agent/agent.h"
#include "provisioning/agent/errors.h"
#include "provisioning/agent/hyperv_kvp.h"
#include "provisioning/agent/readiness.h"
#include "provisioning/agent/seed_disk.h"
#include "provisioning/agent/text.h"
#include "provisioning/agent/vsock.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <thread>

namespace machine::agent {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string vsock_address(std::uint32_t cid, std::uint32_t port) {
    return "vsock " + std::to_string(cid) + ":" + std::to_string(port);
}

bool on_vmbus(const Root &root) {
    std::error_code error;
    return !std::filesystem::is_empty(root.host("/sys/bus/vmbus/devices"), error) && !error;
}

// A virtio vsock device (virtio device id 19: vfkit, krunkit) or Hyper-V's VMBus.
bool has_vsock_device(const Root &root) {
    std::error_code error;
    for (const auto &device :
         std::filesystem::directory_iterator(root.host("/sys/bus/virtio/devices"), error))
        if (trim(read_file(device.path() / "device").value_or("")) == "0x0013")
            return true;
    return on_vmbus(root);
}

// Hyper-V: the pool the host hands over once we register. hv_utils makes the device when it
// binds to the KVP channel: worth waiting for.
std::optional<FoundConfig> config_from_kvp(const Root &root, std::chrono::milliseconds wait) {
    auto device_path = root.host(kvp_device_path);
    auto deadline = Clock::now() + wait;
    UniqueFd device;
    while (!(device = UniqueFd(::open(device_path.c_str(), O_RDWR | O_CLOEXEC)))) {
        // Only a device not made yet is worth waiting for; EBUSY is a KVP daemon holding it.
        if (errno != ENOENT || Clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(250ms);
    }
    auto pool = receive_kvp_pool(device.get(), wait, 1s);
    if (!pool.empty()) // a host that said nothing this boot leaves the last pool as it was
        write_kvp_pool_file(root.host(kvp_pool_dir) / ".kvp_pool_0", pool);
    if (auto text = ignition_from_kvp(pool))
        return FoundConfig{*text, "Hyper-V KVP pool 0"};
    return std::nullopt;
}

} // namespace

std::string ReadyChannel::describe() const {
    return port ? port->string() : vsock_address(vsock_cid, vsock_port);
}

bool uses_virtio_serial(const Root &root, const std::filesystem::path &port) {
    // fw_cfg is there from the start under QEMU; the port's link appears once udev got to it.
    return stat_path(root.host(fw_cfg_dir), true) || stat_path(port, true);
}

ReadyChannel ready_channel(const Options &options, const Root &root) {
    if (options.ready_port)
        return {*options.ready_port};
    auto port = root.host(ready_port_path);
    if (uses_virtio_serial(root, port))
        return {port};
    return {std::nullopt, options.vsock_cid, vsock_ready_port};
}

std::optional<FoundConfig> find_config(const Options &options, const Root &root,
                                       std::chrono::milliseconds vsock_wait) {
    if (options.config) {
        auto text = read_file(*options.config);
        return text ? std::optional<FoundConfig>({*text, options.config->string()}) : std::nullopt;
    }
    auto fw_cfg = root.host(config_path);
    if (auto text = read_file(fw_cfg))
        return FoundConfig{*text, fw_cfg.string()};
    if (auto seed = find_seed_disk(root)) {
        auto from = "the seed disk " + root.guest(seed->device) + " (" + seed->label + ")";
        try {
            if (auto text = read_seed_config(*seed))
                return FoundConfig{*text, from};
        } catch (const SystemError &) {
            // A disk that will not mount is no config: the other sources are still asked.
        }
    }
    if (stat_path(root.host(fw_cfg_dir), true))
        return std::nullopt; // QEMU without a config: nothing else to ask
    if (on_vmbus(root))
        return config_from_kvp(root, vsock_wait);
    // vfkit and krunkit: the host's server on vsock. Where the VM has a vsock device its
    // transport's module may still be loading: worth waiting for; elsewhere, one try.
    auto deadline = Clock::now() + (has_vsock_device(root) ? vsock_wait : 0ms);
    do {
        if (auto text = vsock_http_get(options.vsock_cid, vsock_config_port, 1s))
            return FoundConfig{*text, vsock_address(options.vsock_cid, vsock_config_port)};
        std::this_thread::sleep_for(250ms);
    } while (Clock::now() < deadline);
    return std::nullopt;
}

void send_ready(const ReadyChannel &channel, std::chrono::milliseconds timeout) {
    if (channel.port)
        return send_ready(*channel.port);
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (auto fd = vsock_connect(channel.vsock_cid, channel.vsock_port, 1s)) {
            std::string_view message = "Ready\n";
            if (::send(fd.get(), message.data(), message.size(), MSG_NOSIGNAL) ==
                ssize_t(message.size()))
                return;
            throw SystemError("cannot write Ready to " + channel.describe(), errno);
        }
        if (Clock::now() >= deadline)
            throw SystemError("nobody listens on " + channel.describe(), ECONNREFUSED);
        std::this_thread::sleep_for(250ms);
    }
}

} // namespace machine::agent

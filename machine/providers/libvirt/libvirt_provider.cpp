#include "providers/libvirt/libvirt_provider.h"

#include "machine/errors.h"
#include "machine/undo_stack.h"
#include "platform/host.h"
#include "platform/unix_socket.h"
#include "providers/libvirt/domain_xml.h"
#include "providers/libvirt/libvirt_api.h"
#include "providers/libvirt/libvirt_channel.h"
#include "providers/libvirt/libvirt_connection.h"
#include "providers/libvirt/libvirt_names.h"
#include "providers/libvirt/live_xml.h"
#include "providers/libvirt/unused_volumes.h"
#include "providers/qemu/accelerator.h"
#include "providers/qemu/hostfwd.h"
#include "providers/qemu/ready_port.h"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace machine {

namespace {

using namespace std::chrono_literals;

// The connection a new machine is made on.
std::string new_machine_uri() {
    return libvirt_uri(std::getenv("MACHINE_LIBVIRT_URI"), platform::host_user_id() == 0);
}

// The connection a machine was made on.
std::string uri_of(const MachineConfig &config) {
    auto uri = config.provider_state.find("uri");
    return uri != config.provider_state.end() ? uri->second : new_machine_uri();
}

LibvirtConnection connect(const MachineConfig &config) {
    return LibvirtConnection(uri_of(config));
}

// A machine on another host: its channels come through libvirt, SSH through the forwarder.
bool remote(const MachineConfig &config) {
    return is_remote_uri(uri_of(config));
}

// What our <metadata> says of the machine: its data folder, one per machine of one user's store.
std::string owner_of(const Layout &layout) {
    return layout.data_dir().string();
}

// A domain of the machine's name that another program or another store defined is not ours to
// replace or remove.
void check_owner(const LibvirtDomainInfo &domain, const Layout &layout, const std::string &uri) {
    if (domain.owner != owner_of(layout))
        throw AlreadyExists(fmt::format("libvirt at {} has a domain {} that is not this machine's",
                                        uri, libvirt_domain_name(layout.name())),
                            "pick another machine name, or remove that domain (virsh undefine)");
}

// A base image file as a volume, uploaded once. A marker volume stands while the upload runs: a
// killed upload leaves it, and the next one starts again.
std::string upload_base(LibvirtConnection &libvirt, const std::string &file,
                        const std::string &format) {
    auto name = base_volume_name(file);
    auto marker = name + ".uploading";
    auto path = libvirt.volume_path(libvirt_pool, name);
    if (path && !libvirt.volume_path(libvirt_pool, marker))
        return *path;
    libvirt.create_volume(libvirt_pool, {marker, 0, "raw", "0600", "", ""});
    std::filesystem::path source(file);
    auto uploaded = libvirt.create_volume(
        libvirt_pool, {name, std::filesystem::file_size(source), format, "0644", "", ""}, nullptr,
        &source);
    libvirt.delete_volume(libvirt_pool, marker);
    return uploaded;
}

// An image that comes with its own kernel and initrd boots them directly.
bool boots_directly(const MachineConfig &config) {
    return !config.image.kernel.empty() && !config.image.initrd.empty();
}

// The image's files as base volumes: its disk first, then the kernel and initrd it boots with
// (when it has them), each with its format.
std::vector<std::pair<std::string, std::string>> image_files(const MachineConfig &config) {
    std::vector<std::pair<std::string, std::string>> files{
        {config.image.path, config.image.format}};
    if (boots_directly(config)) {
        files.emplace_back(config.image.kernel, "raw");
        files.emplace_back(config.image.initrd, "raw");
    }
    return files;
}

std::string required_volume(LibvirtConnection &libvirt, const std::string &name) {
    auto path = libvirt.volume_path(libvirt_pool, name);
    if (!path)
        throw NotFound(fmt::format("the storage volume {} is gone from libvirt's pool {} at {}",
                                   name, libvirt_pool, libvirt.uri()),
                       "remove the machine and make it again");
    return *path;
}

// The domain as the config says now (`set` changes CPUs and memory between boots).
LibvirtDomain domain_of(const MachineConfig &config, const Layout &layout,
                        LibvirtConnection &libvirt) {
    LibvirtDomain d;
    d.name = libvirt_domain_name(config.name);
    d.owner = owner_of(layout);
    d.kvm = host_accelerator(config.arch) == Accelerator::kvm;
    d.arch = config.arch;
    d.cpus = config.resources.cpus;
    d.memory_mib = config.resources.memory_mib;
    d.disk = required_volume(libvirt, overlay_volume_name(config.name));
    if (boots_directly(config)) {
        d.kernel = required_volume(libvirt, base_volume_name(config.image.kernel));
        d.initrd = required_volume(libvirt, base_volume_name(config.image.initrd));
        d.cmdline = config.image.kernel_cmdline;
    }
    if (config.image.provisioning == "ignition")
        d.ignition = required_volume(libvirt, config_volume_name(config.name));
    d.console_log =
        remote(config) ? remote_console_log(config.name) : layout.console_log().string();
    d.mounts = config.mounts;
    return d;
}

// The host end of a virtio-serial port of the running domain.
std::string channel_path(LibvirtConnection &libvirt, const std::string &domain,
                         const std::string &port) {
    auto path = channel_socket(libvirt.live_xml(domain), port);
    if (path.empty())
        throw NotFound(fmt::format("the domain {} has no channel {}", domain, port));
    return path;
}

// A channel of the running domain: its unix socket here, or through libvirt from another host
// (where only libvirt-qemu may open the socket).
platform::Fd open_port(const MachineConfig &config, const std::string &port) {
    auto libvirt = connect(config);
    auto domain = libvirt_domain_name(config.name);
    if (remote(config))
        return open_channel(std::move(libvirt), domain, port);
    return platform::connect_unix(channel_path(libvirt, domain, port));
}

bool active(LibvirtConnection &libvirt, const std::string &domain) {
    auto info = libvirt.domain(domain);
    return info && info->active;
}

// Published ports as hostfwd rules on the domain's user network, through libvirt's monitor
// passthrough, over one connection for the forwarder's life, opened again when libvirtd was
// restarted under it.
class LibvirtHostfwd : public PortPublisher {
public:
    explicit LibvirtHostfwd(MachineConfig config)
        : config_(std::move(config)), domain_(libvirt_domain_name(config_.name)) {}

    std::string add(const PublishedPort &port) override {
        monitor(hostfwd_remove(port, libvirt_netdev)); // a rule a killed forwarder left
        auto error = monitor(hostfwd_add(port, libvirt_netdev));
        if (error.empty())
            return {};
        return fmt::format("is it taken on the host? QEMU says: {}",
                           error.substr(0, error.find('\n')));
    }

    void remove(const PublishedPort &port) override {
        monitor(hostfwd_remove(port, libvirt_netdev));
    }

private:
    std::string monitor(const std::string &command_line) {
        if (libvirt_)
            try {
                return libvirt_->monitor(domain_, command_line);
            } catch (const Error &) {
                // the connection may be the one a restarted libvirtd dropped: once more, anew
            }
        libvirt_ = std::make_unique<LibvirtConnection>(connect(config_));
        return libvirt_->monitor(domain_, command_line);
    }

    MachineConfig config_;
    std::string domain_;
    std::unique_ptr<LibvirtConnection> libvirt_;
};

} // namespace

ProviderFeatures LibvirtProvider::features() const {
    ProviderFeatures f;
    f.image_formats = {"qcow2", "raw"};
    f.direct_kernel_boot = true;
    f.shares = {"virtiofs"};
    f.ready_channel = "virtio-serial";
    f.grow_disk = true;
    f.provisioning = {"ignition"};
    f.other_arch = true; // by TCG
    f.init_flags = {"connect"};
    f.host_address = "10.0.2.2"; // its user network, as QEMU's (domain_xml.cpp)
    return f;
}

void LibvirtProvider::check_host() const {
    // libvirt's client library; the daemon is the machine's URI's, asked when it is used.
    libvirt_api();
}

std::map<std::string, std::string> LibvirtProvider::host_facts() const {
    LibvirtConnection libvirt(new_machine_uri());
    return {{"Connection", libvirt.uri()},
            {"Libvirt", libvirt.library_version()},
            {"Hypervisor", libvirt.hypervisor()}};
}

ProviderFiles LibvirtProvider::files(const Layout &layout) const {
    // Volumes in our pool, as paths on the libvirt host (`virsh vol-list machine` lists them).
    std::filesystem::path pool = libvirt_pool_path(new_machine_uri(), platform::user_data_dir());
    return {pool / overlay_volume_name(layout.name()), pool / config_volume_name(layout.name())};
}

void LibvirtProvider::create(MachineConfig &config, const Layout &layout,
                             const ProvisioningPayload &payload) {
    if (!config.provider_state.count("uri")) // init's --connect, else the default
        config.provider_state["uri"] = new_machine_uri();
    auto uri = config.provider_state["uri"];
    if (is_remote_uri(uri) && !is_system_uri(uri))
        throw InvalidInput("--connect",
                           fmt::format("--connect {}: on another host, only libvirt's system "
                                       "instance is supported",
                                       uri),
                           "connect to qemu+ssh://USER@HOST/system (USER in HOST's libvirt group)");
    LibvirtConnection libvirt(uri);
    auto name = libvirt_domain_name(config.name);
    // What a killed init left is ours to clear; another's domain of this name is refused first.
    if (auto existing = libvirt.domain(name)) {
        check_owner(*existing, layout, uri);
        libvirt.destroy_domain(name);
        libvirt.undefine_domain(name);
    }
    UndoStack undo;
    undo.push([&] { remove(config, layout); });
    libvirt.ensure_pool(libvirt_pool, libvirt_pool_path(uri, platform::user_data_dir()));
    std::string base; // the disk's, which the overlay stands on
    for (const auto &[file, format] : image_files(config)) {
        auto path = upload_base(libvirt, file, format);
        if (file == config.image.path)
            base = path;
    }
    libvirt.create_volume(libvirt_pool,
                          {overlay_volume_name(config.name), config.resources.disk_gib << 30,
                           "qcow2", "0600", base, config.image.format});
    if (payload.kind == "ignition") // it holds the guest's SSH host key: 0600
        libvirt.create_volume(
            libvirt_pool,
            {config_volume_name(config.name), payload.ignition.size(), "raw", "0600", "", ""},
            &payload.ignition);
    libvirt.define_domain(domain_xml(domain_of(config, layout, libvirt)));
    undo.commit();
}

void LibvirtProvider::remove(const MachineConfig &config, const Layout &layout) {
    auto libvirt = connect(config);
    auto name = libvirt_domain_name(config.name);
    if (auto existing = libvirt.domain(name)) {
        check_owner(*existing, layout, libvirt.uri());
        libvirt.destroy_domain(name);
        libvirt.undefine_domain(name);
    }
    libvirt.delete_volume(libvirt_pool, overlay_volume_name(config.name));
    libvirt.delete_volume(libvirt_pool, config_volume_name(config.name));
}

void LibvirtProvider::prune_images(const MachineConfig &removed) {
    // Only the removed machine's bases: another client may be making a machine on this pool
    // right now, between uploading a base and standing on it. If it loses one here, its init
    // fails and is undone, or its start uploads it again (below); no machine already made does.
    auto libvirt = connect(removed);
    std::set<std::string> candidates;
    for (const auto &file : image_files(removed))
        candidates.insert(base_volume_name(file.first));
    auto domains = libvirt.domain_xmls();
    std::optional<Error> failed; // the others are still tried
    for (const auto &name : unused_base_volumes(candidates, libvirt.volumes(libvirt_pool), domains))
        try {
            libvirt.delete_volume(libvirt_pool, name);
        } catch (const Error &error) {
            if (!failed)
                failed = error;
        }
    if (failed)
        throw *failed;
}

MachineState LibvirtProvider::state(const MachineConfig &config, const Layout &) {
    // Asked again and again by the forwarder: one connection per URI, opened again when it was
    // dropped (libvirtd restarted; over qemu+ssh each new connection is another SSH login).
    auto uri = uri_of(config);
    std::lock_guard lock(mutex_);
    auto found = connections_.find(uri);
    if (found == connections_.end() || !found->second.alive())
        found = connections_.insert_or_assign(uri, LibvirtConnection(uri)).first;
    return active(found->second, libvirt_domain_name(config.name)) ? MachineState::running
                                                                   : MachineState::stopped;
}

std::unique_ptr<ReadySignal>
LibvirtProvider::start(const MachineConfig &config, const Layout &layout,
                       const std::function<void(const std::string &)> &notice) {
    auto libvirt = connect(config);
    auto name = libvirt_domain_name(config.name);
    auto existing = libvirt.domain(name);
    if (!existing)
        throw NotFound(fmt::format("libvirt at {} has no domain {}", libvirt.uri(), name),
                       "remove the machine and make it again");
    check_owner(*existing, layout, libvirt.uri());
    // A base another client's rm pruned while this machine was being made, or one deleted by
    // hand, comes back from the image cache: the same digest, so the same name and path. Only a
    // missing one: a marker standing beside a base may be another client's upload under way.
    for (const auto &[file, format] : image_files(config))
        if (std::filesystem::exists(file) &&
            !libvirt.volume_path(libvirt_pool, base_volume_name(file)))
            upload_base(libvirt, file, format);
    auto domain = domain_of(config, layout, libvirt);
    domain.uuid = existing->uuid;
    libvirt.define_domain(domain_xml(domain));
    if (!domain.kvm)
        if (auto warning = accelerator_warning(Accelerator::tcg); !warning.empty())
            notice(warning);
    libvirt.start_domain(name);
    UndoStack undo;
    undo.push([&] { libvirt.destroy_domain(name); });
    // SSH as the QEMU provider has it: the host's loopback port to the guest's 22.
    auto refused = libvirt.monitor(
        name, fmt::format("hostfwd_add {} tcp:127.0.0.1:{}-:22", libvirt_netdev, config.ssh.port));
    if (!refused.empty())
        throw HostNotReady(fmt::format("the SSH port 127.0.0.1:{} is taken: {}", config.ssh.port,
                                       refused.substr(0, refused.find('\n'))),
                           "stop what listens there, then start the machine again");
    // QEMU serves the port; a guest write waits until a host end is connected, so connecting
    // now, before the guest is up, loses nothing.
    auto ready = std::make_unique<ReadyPort>(open_port(config, "org.fedoraproject.port.0"));
    undo.commit();
    return ready;
}

void LibvirtProvider::stop(const MachineConfig &config, const Layout &,
                           std::chrono::seconds grace) {
    auto libvirt = connect(config);
    auto name = libvirt_domain_name(config.name);
    if (!active(libvirt, name))
        return;
    auto deadline = platform::Clock::now() + grace;
    try {
        libvirt.shutdown_domain(name);
        while (active(libvirt, name) && platform::Clock::now() < deadline)
            std::this_thread::sleep_for(200ms);
    } catch (const Error &) {
        // A guest that cannot be asked leaves only the last resort.
    }
    libvirt.destroy_domain(name);
}

void LibvirtProvider::grow_disk(const MachineConfig &config, const Layout &,
                                std::uint64_t disk_gib) {
    connect(config).resize_volume(libvirt_pool, overlay_volume_name(config.name), disk_gib << 30);
}

SshEndpoint LibvirtProvider::ssh_endpoint(const MachineConfig &config, const Layout &) const {
    // On another host the hostfwd rule listens on that host's loopback: the forwarder serves
    // the port here and carries it over machine-mux.
    return {"127.0.0.1", config.ssh.port, remote(config)};
}

platform::Fd LibvirtProvider::connect_agent(const MachineConfig &config, const Layout &) const {
    try {
        return open_port(config, "org.machine.mux.0");
    } catch (const SystemError &) {
        throw;
    } catch (const Error &error) { // libvirt or its host not answering: the link is not there
        throw SystemError("the machine-mux channel", ECONNREFUSED, error.what());
    }
}

std::vector<std::string> LibvirtProvider::shares_for(const MachineConfig &config) const {
    if (remote(config))
        return {};
    return features().shares;
}

std::unique_ptr<PortPublisher> LibvirtProvider::port_publisher(const MachineConfig &config,
                                                               const Layout &) const {
    return std::make_unique<LibvirtHostfwd>(config);
}

} // namespace machine

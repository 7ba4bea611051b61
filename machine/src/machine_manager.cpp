#include "machine/machine_manager.h"

#include "machine/api_ping.h"
#include "machine/awake_hold.h"
#include "machine/ca_certs.h"
#include "machine/connections.h"
#include "machine/console_watch.h"
#include "machine/disk_image.h"
#include "machine/docker_socket_link.h"
#include "machine/durations.h"
#include "machine/errors.h"
#include "machine/guest_mounts.h"
#include "machine/guest_user.h"
#include "machine/image_manifest.h"
#include "machine/image_prune.h"
#include "machine/image_store.h"
#include "machine/names.h"
#include "machine/printable.h"
#include "machine/sizes.h"
#include "machine/time_zones.h"
#include "machine/undo_stack.h"
#include "platform/atomic_file.h"
#include "platform/fault_point.h"
#include "platform/host.h"
#include "platform/process_runner.h"
#include "platform/process_table.h"
#include "platform/unix_socket.h"
#include "provisioning/provision.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <thread>

namespace machine {

namespace fs = std::filesystem;

namespace {

void validate_username(const std::string &username) {
    static const std::regex pattern("[a-z_][a-z0-9_-]{0,31}");
    if (!std::regex_match(username, pattern))
        throw InvalidInput(
            "--username", fmt::format("--username: \"{}\" is not a valid user name; use lower-case "
                                      "letters, digits, '_' and '-' (at most 32)",
                                      username));
}

// --idle-pause in seconds, where the provider can pause a VM.
std::int64_t idle_pause_seconds(const std::string &text, const Provider &provider) {
    auto seconds = parse_idle_pause(text).count();
    if (seconds > 0 && !provider.features().idle_pause)
        throw InvalidInput("--idle-pause",
                           fmt::format("--idle-pause: provider {} cannot pause a machine; "
                                       "use 0, or provider qemu",
                                       provider.name()));
    return seconds;
}

void validate_timezone(const std::string &timezone) {
    if (timezone == "local")
        return;
    if (!is_time_zone(timezone))
        throw InvalidInput("--timezone",
                           fmt::format("--timezone: \"{}\" is not a time zone; use e.g. "
                                       "Europe/Berlin, UTC or local",
                                       timezone));
}

std::vector<Mount> parse_volumes(const std::optional<std::vector<std::string>> &specs,
                                 const std::string &provider, bool can_share) {
    std::vector<Mount> mounts;
    if (specs && !specs->empty() && !can_share)
        throw InvalidInput("--volume", fmt::format("--volume: provider {} cannot share host "
                                                   "folders with this machine; leave out -v",
                                                   provider));
    if (!specs) {
        if (!can_share)
            return mounts; // nothing to share the home through: not shared, as podman does
        // (A home whose path could not go into the guest's config is simply not shared.)
        if (const char *home = std::getenv("HOME");
            home && *home == '/' && is_plain_text(home) && fs::is_directory(home))
            mounts.push_back({home, home, false});
        return mounts;
    }
    for (const auto &spec : *specs) {
        auto mount = parse_volume(spec);
        check_volume_host_path(mount);
        mounts.push_back(mount);
    }
    check_distinct_guest_paths(mounts);
    return mounts;
}

template <typename List, typename Item> bool contains(const List &list, const Item &item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// How host folders reach this machine's guest: what init chose, else the provider's best.
std::string share_type_of(const MachineConfig &config, const ProviderFeatures &features) {
    if (auto chosen = config.provider_state.find("mount_type");
        chosen != config.provider_state.end())
        return chosen->second;
    return features.shares.empty() ? "9p" : features.shares.front();
}

// What the guest finds that its config does not say, the same for init and for set.
provisioning::GuestDevices guest_devices(const MachineConfig &config,
                                         const ProviderFeatures &features) {
    return {share_type_of(config, features), config.provider_state.count("rosetta") > 0,
            features.host_address};
}

// --proxy's and --ca-certs' value: "" clears it.
void apply_network_options(MachineConfig &config, const std::optional<std::string> &proxy,
                           const std::optional<std::string> &ca_certs) {
    if (proxy) {
        auto url = checked_proxy_url(*proxy, "--proxy");
        config.proxy =
            url.empty() ? ProxySettings{} : ProxySettings{url, url, config.proxy.no_proxy};
    }
    if (ca_certs)
        config.ca_certs = ca_certs->empty() ? "" : read_ca_certs(*ca_certs, "--ca-certs");
}

bool loopback_port_taken(int port) {
    try {
        platform::listen_loopback("tcp", port); // closed at once
        return false;
    } catch (const SystemError &) {
        return true;
    }
}

// Two machines may hold one SSH port (each picked a free one at init, while the other's was free
// too), or another program took it since: this machine moves to a free one, as podman's does,
// and says so, naming the machine that has it.
void move_taken_ssh_port(MachineConfig &config, const SshEndpoint &ssh, const Store &store,
                         const std::function<void(const std::string &)> &notice) {
    bool ours = ssh.over_mux || ssh.host == "127.0.0.1";
    if (!ours || ssh.port != config.ssh.port || !loopback_port_taken(config.ssh.port))
        return;
    std::string holder = "another program";
    for (const auto &other : store.list())
        if (other.config && other.name != config.name && other.config->ssh.port == config.ssh.port)
            holder = fmt::format("machine \"{}\"", other.name);
    auto taken = config.ssh.port;
    config.ssh.port = platform::free_loopback_port();
    store.save(config);
    notice(fmt::format("SSH port {} is taken by {}; this machine now uses {}", taken, holder,
                       config.ssh.port));
}

// The cached files (by name) each machine uses; nothing when a machine's config cannot be read,
// or a killed init left a folder: such a machine may use any of them.
std::optional<std::map<std::string, std::set<std::string>>> images_by_machine(const Store &store) {
    // list() passes over a folder it cannot read: then nothing is known to be unused.
    for (const auto &folder : {store.dirs().config / "machines", store.dirs().data / "machines"}) {
        std::error_code ec;
        fs::directory_iterator probe(folder, ec);
        if (ec && ec != std::errc::no_such_file_or_directory)
            return std::nullopt;
    }
    std::map<std::string, std::set<std::string>> used;
    for (const auto &machine : store.list()) {
        if (!machine.config)
            return std::nullopt;
        auto &files = used[machine.name];
        for (const auto &file : {machine.config->image.path, machine.config->image.kernel,
                                 machine.config->image.initrd})
            if (!file.empty())
                files.insert(fs::path(file).filename().string());
    }
    return used;
}

// What the machines other than `except` use.
std::set<std::string> used_by_others(const std::map<std::string, std::set<std::string>> &used,
                                     const std::string &except) {
    std::set<std::string> in_use;
    for (const auto &[name, files] : used)
        if (name != except)
            in_use.insert(files.begin(), files.end());
    return in_use;
}

} // namespace

MachineManager::MachineManager(const Store &store, const ProviderRegistry &providers,
                               ProcessRunner &runner)
    : store_(store), providers_(providers), runner_(runner) {}

std::string MachineManager::default_image_path(const std::string &provider) const {
    // The user's own first, then what an install (or .ci/main) put in place for everyone.
    std::vector<fs::path> candidates{store_.dirs().data / "images" / "default"};
    if (const char *dir = std::getenv("MACHINE_IMAGE_DIR"); dir && *dir)
        candidates.insert(candidates.begin(), dir);
    candidates.push_back("/usr/local/share/machine/images/default");
    candidates.push_back("/usr/share/machine/images/default");
    auto file_in = [&](const fs::path &dir) {
        auto formats = read_image_manifest(dir).formats;
        auto named = formats.find(provider);
        return dir / (named != formats.end() ? named->second : std::string("disk.qcow2"));
    };
    for (const auto &dir : candidates)
        if (auto file = file_in(dir); fs::exists(file))
            return file.string();
    return file_in(candidates.front()).string();
}

DefaultProvider MachineManager::default_provider() const {
    return providers_.default_provider(runner_);
}

MachineConfig
MachineManager::validated_config(const InitOptions &options,
                                 std::optional<platform::FileLock> &image_hold) const {
    validate_machine_name(options.name);
    MachineConfig config;
    config.name = options.name;
    // The default was chosen by asking providers whether this host can run them: once is enough
    // (Hyper-V's answer costs a PowerShell start).
    bool host_ready = false;
    if (options.provider) {
        config.provider = *options.provider;
    } else {
        auto chosen = default_provider();
        config.provider = chosen.name;
        host_ready = chosen.host_ready;
    }
    auto &provider = this->provider(config.provider); // rejects an unknown provider
    auto features = provider.features();
    config.arch = platform::host_arch();

    int host_cpus = platform::host_cpu_count();
    config.resources.cpus =
        options.cpus ? parse_cpus(*options.cpus, host_cpus) : std::max(1, host_cpus / 2);
    if (options.memory)
        config.resources.memory_mib = parse_memory_mib(*options.memory);
    config.resources.disk_gib = options.disk_size ? parse_disk_gib(*options.disk_size) : 100;

    config.ssh.username = options.username.value_or("core");
    validate_username(config.ssh.username);
    config.timezone = options.timezone.value_or("local");
    validate_timezone(config.timezone);
    if (options.connect) {
        if (!contains(features.init_flags, "connect"))
            throw InvalidInput("--connect",
                               fmt::format("--connect: provider {} does not connect elsewhere; "
                                           "only libvirt does",
                                           provider.name()));
        if (options.connect->find("://") == std::string::npos)
            throw InvalidInput("--connect",
                               fmt::format("--connect: \"{}\" is not a libvirt URI; give one "
                                           "such as qemu+ssh://USER@HOST/system",
                                           printable(*options.connect)));
        config.provider_state["uri"] = *options.connect;
    }
    config.mounts =
        parse_volumes(options.volumes, provider.name(), !provider.shares_for(config).empty());
    if (options.mount_type && !contains(features.shares, *options.mount_type))
        throw InvalidInput(
            "--mount-type",
            features.shares.empty()
                ? fmt::format("--mount-type: provider {} cannot share host folders",
                              provider.name())
                : fmt::format("--mount-type: \"{}\" is not one provider {} offers here; "
                              "use {}",
                              printable(*options.mount_type), provider.name(),
                              fmt::join(features.shares, " or ")));
    if (!config.mounts.empty()) // how start serves them (provider.h)
        config.provider_state["mount_type"] =
            options.mount_type.value_or(share_type_of(config, features));
    config.rootful = options.rootful;
    if (options.proxy) // it replaces the host's HTTP_PROXY and HTTPS_PROXY, whatever they hold
        config.proxy.no_proxy = no_proxy_from_environment(options.environment);
    else
        config.proxy = proxy_from_environment(options.environment);
    auto cert_file = options.environment("SSL_CERT_FILE");
    if (!options.ca_certs && cert_file && !cert_file->empty())
        config.ca_certs = read_ca_certs(*cert_file, "SSL_CERT_FILE");
    apply_network_options(config, options.proxy, options.ca_certs);
    if (options.idle_pause)
        config.idle_pause_seconds = idle_pause_seconds(*options.idle_pause, provider);
    for (const auto &[flag, asked] : {std::pair<std::string, bool>{"rosetta", options.rosetta},
                                      std::pair<std::string, bool>{"nested", options.nested}}) {
        if (!asked)
            continue;
        if (!contains(features.init_flags, flag))
            throw InvalidInput("--" + flag,
                               fmt::format("--{}: provider {} does not offer it on this host", flag,
                                           provider.name()),
                               "`machine init --help` says which provider does");
        config.provider_state[flag] = "true"; // the provider's to read (provider.h)
    }
    if (options.provisioning && !contains(features.provisioning, *options.provisioning))
        throw InvalidInput("--provisioning",
                           fmt::format("--provisioning: \"{}\" is not one provider {} delivers; "
                                       "use {}",
                                       printable(*options.provisioning), provider.name(),
                                       fmt::join(features.provisioning, " or ")));
    // What this host lacks for the provider, before anything is downloaded or made.
    if (!host_ready)
        provider.check_host();

    // The store's folders are checked (a planted symlink refused) before anything goes in them.
    store_.check();
    // Last, since it may download or copy: the image, into the cache shared by all machines.
    bool use_default = !options.image || *options.image == "default";
    std::string source = use_default ? default_image_path(config.provider) : *options.image;
    if (use_default && !fs::exists(source))
        throw HostNotReady(fmt::format("no default guest image at {}", source),
                           "build it with `guest-image/build`, or pass --image PATH or URL");
    ImageStore images(image_cache());
    auto resolve = [&] {
        return images.resolve(source, options.image_sha256.value_or(""), options.image_progress);
    };
    // The cache held before the image is resolved, so no `rm` prunes it meanwhile; where there
    // is no cache yet, only once it is made (bad input creates nothing), and what a prune took
    // in between is resolved again.
    if (fs::is_directory(image_cache()))
        image_hold.emplace(hold_image_cache(image_cache()));
    auto image = resolve();
    if (!image_hold) {
        platform::fault_point("init:resolved");
        image_hold.emplace(hold_image_cache(image_cache()));
        if (!fs::exists(image.disk) || (!image.kernel.empty() && !fs::exists(image.kernel)) ||
            (!image.initrd.empty() && !fs::exists(image.initrd)))
            image = resolve();
    }
    std::uint64_t disk_bytes = config.resources.disk_gib << 30;
    if (disk_bytes < image.virtual_size)
        throw InvalidInput(
            "--disk-size",
            fmt::format("--disk-size: {} GiB is smaller than the image ({:.1f} GiB); "
                        "give at least {} GiB",
                        config.resources.disk_gib, double(image.virtual_size) / double(1ull << 30),
                        (image.virtual_size + (1ull << 30) - 1) >> 30));
    config.image.path = image.disk; // the cached base: the overlay is backed by it
    config.image.format = image.format;
    config.image.kernel = image.kernel;
    config.image.initrd = image.initrd;
    config.image.kernel_cmdline = image.kernel_cmdline;
    if (!image.arch.empty() && image.arch != config.arch) {
        if (!features.other_arch)
            throw InvalidInput("--image",
                               fmt::format("--image: an {} image, which provider {} cannot run on "
                                           "this {} host; give an {} image",
                                           image.arch, provider.name(), config.arch, config.arch));
        config.arch = image.arch; // emulated: slow, but it runs
    }
    if (!contains(features.image_formats, image.format))
        throw InvalidInput("--image",
                           fmt::format("--image: a {} disk, which provider {} does not boot; give "
                                       "it a {} image",
                                       image.format, provider.name(),
                                       fmt::join(features.image_formats, " or ")));
    config.image.provisioning = options.provisioning.value_or(
        image.provisioning.empty() ? std::string("ignition") : image.provisioning);
    if (!contains(features.provisioning, config.image.provisioning))
        throw InvalidInput("--provisioning",
                           fmt::format("--provisioning: the image wants \"{}\", which provider {} "
                                       "does not deliver; use {}",
                                       printable(config.image.provisioning), provider.name(),
                                       fmt::join(features.provisioning, " or ")));

    return config;
}

MachineConfig MachineManager::init(const InitOptions &options) {
    std::optional<platform::FileLock> image_hold; // until the config that names the image is saved
    auto config = validated_config(options, image_hold);
    auto layout = store_.layout(config.name);
    auto lock = store_.lock(config.name);
    platform::fault_point("init:locked");
    if (store_.exists(config.name))
        throw AlreadyExists(fmt::format("machine \"{}\" already exists", config.name),
                            "pick another name, or remove it with `machine rm`");
    auto &provider = this->provider(config.provider);

    // What a killed init left behind is ours to clear: we hold the lock and there is no config.
    fs::remove_all(layout.data_dir());
    UndoStack undo;
    platform::make_private_dir(layout.data_dir());
    undo.push([&] { fs::remove_all(layout.data_dir()); });
    platform::fault_point("init:data-dir");

    config.ssh.port = platform::free_loopback_port();
    config.ssh.uid = guest_user_uid();
    config.created = platform::now_unix();

    // The lifecycle renders the first-boot config; the provider delivers it its own way.
    auto features = provider.features();
    auto payload = provisioning::provision(config, layout, guest_devices(config, features));
    platform::fault_point("init:provisioning");
    provider.create(config, layout, payload);
    undo.push([&] { provider.remove(config, layout); });
    platform::fault_point("init:disk");

    store_.save(config); // last: from here on the machine exists
    platform::fault_point("init:config");
    undo.commit();
    image_hold.reset();
    // podman rewrites one shared file for every connection: one registration at a time.
    auto connections_lock =
        platform::FileLock::acquire(store_.dirs().config / "locks" / ".connections.lock");
    for (const auto &problem : register_connections(
             runner_, config.name, layout.api_socket().string(), config.name == "default"))
        warnings_.push_back("could not register the connection: " + problem);
    return config;
}

void MachineManager::clear_runtime(const Layout &layout) const {
    // Everything a boot left in the machine's private runtime folder: the forwarder's files (it
    // was stopped first) and the provider's sockets and pid files.
    std::error_code ignored;
    for (const auto &entry : fs::directory_iterator(layout.runtime_dir(), ignored))
        platform::remove_runtime_file(entry.path());
}

StartResult MachineManager::start(const std::string &name, const StartOptions &options) {
    auto lock =
        store_.lock_existing(name); // a second `start` waits here, then finds the machine running
    auto config = store_.load(name);
    auto layout = store_.layout(name);
    auto &provider = provider_of(config);
    auto state = state_of(config);
    if (state == MachineState::running) {
        if (restart_dead_forwarder(layout, options.forwarder))
            options.notice("the API forwarder was not running; starting it again");
        if (guest_folders_unmounted(layout)) // a `stop --suspend` killed halfway
            set_guest_mounts(config, provider.ssh_endpoint(config, layout), layout, true);
        if (options.docker_socket)
            options.notice(claim_docker_socket(docker_socket_path, layout.api_socket()));
        return StartResult::already_running;
    }
    if (!config.mounts.empty() && provider.features().shares.empty())
        throw InvalidInput("mounts",
                           fmt::format("provider {} cannot share host folders, and this machine "
                                       "has {}",
                                       provider.name(), config.mounts.size()),
                           "`machine rm` and `init` the machine again without -v");
    provider.check_host();
    for (const auto &mount : config.mounts)
        if (!fs::is_directory(mount.host_path))
            throw InvalidInput("mounts",
                               fmt::format("host folder {} (shared as {}) does not exist",
                                           mount.host_path, mount.guest_path),
                               "create it, or `machine rm` and `init` the machine again");

    platform::make_private_dir(layout.runtime_dir()); // refuses a planted one before any use
    // A forwarder of the last boot may linger (QEMU was killed; it exits when it notices).
    stop_forwarder(layout);
    if (state == MachineState::starting) // its `start` died (we hold the lock): boot afresh
        provider.stop(config, layout, std::chrono::seconds(0));
    clear_runtime(layout);
    move_taken_ssh_port(config, provider.ssh_endpoint(config, layout), store_, options.notice);
    UndoStack undo;
    options.progress("booting");
    auto ready = provider.start(config, layout, options.notice);
    undo.push([&] {
        provider.stop(config, layout, std::chrono::seconds(0));
        clear_runtime(layout);
    });
    platform::fault_point("start:launched");
    AwakeHold awake(config, layout); // the forwarder it starts must not pause it before SSH
    auto deadline = platform::Clock::now() + options.timeout;
    wait_until_ready(config, layout, *ready, options, deadline);
    if (!options.forwarder.program.empty()) {
        options.progress("forwarding the API socket");
        start_forwarder(layout, options.forwarder);
        undo.push([&] { stop_forwarder(layout); });
    }
    wait_for_ssh(config, layout, options, deadline);
    if (!options.forwarder.program.empty())
        wait_for_api(config, layout, options, deadline);
    if (ready->resumed()) // saved with its folders unmounted
        set_guest_mounts(config, provider.ssh_endpoint(config, layout), layout, true);
    platform::write_file_atomically(layout.ready_marker(), "");
    config.last_up = platform::now_unix();
    store_.save(config);
    platform::fault_point("start:ready");
    if (options.docker_socket && !options.forwarder.program.empty())
        options.notice(claim_docker_socket(docker_socket_path, layout.api_socket()));
    options.progress("ready");
    undo.commit();
    return StartResult::started;
}

bool MachineManager::revive_forwarder(const std::string &name, const Command &forwarder) {
    auto layout = store_.layout(name);
    auto lock = platform::FileLock::try_acquire(layout.lock_file());
    if (!lock.held())
        return false;
    return state_of(store_.load(name)) == MachineState::running &&
           restart_dead_forwarder(layout, forwarder);
}

bool MachineManager::restart_dead_forwarder(const Layout &layout, const Command &forwarder) const {
    if (forwarder.program.empty() || forwarder_pid(layout) != 0)
        return false;
    start_forwarder(layout, forwarder);
    return true;
}

namespace {

[[noreturn]] void fail_start(const MachineConfig &config, const Layout &layout,
                             const std::string &what) {
    throw Timeout(fmt::format("machine \"{}\" {}; see the console log {}", config.name, what,
                              layout.console_log().string()));
}

} // namespace

void MachineManager::wait_until_ready(const MachineConfig &config, const Layout &layout,
                                      ReadySignal &ready, const StartOptions &options,
                                      platform::Clock::time_point deadline) const {
    using namespace std::chrono_literals;
    auto &provider = provider_of(config);
    auto fail = [&](const std::string &what) { fail_start(config, layout, what); };
    // The guest says Ready once sshd and the podman socket are up. Check the VM is still alive
    // between short waits, so a crash is reported at once, not at the timeout.
    ConsoleWatch console(layout.console_log());
    bool booting = false, provisioning = false;
    for (;;) {
        if (platform::Clock::now() >= deadline)
            fail(fmt::format("did not become ready within {} s", options.timeout.count()));
        if (provider.state(config, layout) == MachineState::stopped)
            fail("stopped while booting");
        console.poll();
        if (console.agent_failure())
            fail("could not be provisioned: " + *console.agent_failure());
        if (console.agent_started() && !provisioning) {
            provisioning = true;
            options.progress("provisioning");
        }
        auto event = ready.wait(std::min(deadline, platform::Clock::now() + 500ms));
        if (!booting) { // the guest's channel is there once the hypervisor set the machine up
            booting = true;
            platform::fault_point("start:booting");
        }
        if (event == ReadySignal::Event::ready)
            break;
        if (event == ReadySignal::Event::closed)
            fail("closed its ready channel without saying Ready");
    }
}

void MachineManager::wait_for_ssh(const MachineConfig &config, const Layout &layout,
                                  const StartOptions &options,
                                  platform::Clock::time_point deadline) const {
    using namespace std::chrono_literals;
    // Ready means sshd runs; its endpoint must answer too before we call it up. A provider
    // without SSH (WSL) is up with Ready: its API goes over machine-mux alone.
    auto ssh = provider_of(config).ssh_endpoint(config, layout);
    if (ssh.host.empty())
        return;
    options.progress("waiting for SSH");
    while (!platform::tcp_port_answers(ssh.host, ssh.port, 1s)) {
        if (platform::Clock::now() >= deadline)
            fail_start(config, layout, "said Ready but SSH does not answer");
        std::this_thread::sleep_for(200ms);
    }
}

void MachineManager::wait_for_api(const MachineConfig &config, const Layout &layout,
                                  const StartOptions &options,
                                  platform::Clock::time_point deadline) const {
    using namespace std::chrono_literals;
    // Ready means the API's socket accepts; the engine behind it starts on the guest's first
    // connection and may not answer yet. A client's first call must not wait for it: the docker
    // CLI gives its version check 2 s, then speaks a version podman refuses.
    options.progress("waiting for the API");
    for (;;) {
        try {
            if (api_answers(layout.api_socket(), 5s))
                return;
        } catch (const SystemError &) { // the forwarder is between two links
        }
        if (platform::Clock::now() >= deadline)
            fail_start(config, layout, "said Ready but its API does not answer");
        std::this_thread::sleep_for(200ms);
    }
}

void MachineManager::start_forwarder(const Layout &layout, const Command &command) const {
    using namespace std::chrono_literals;
    platform::remove_runtime_file(layout.api_socket());
    int pid = platform::spawn_detached(command, layout.forwarder_log());
    platform::write_file_atomically(layout.forwarder_pid_file(), std::to_string(pid) + "\n");
    auto deadline = platform::Clock::now() + 30s;
    for (;;) {
        try {
            platform::connect_unix(layout.api_socket());
            return;
        } catch (const SystemError &) {
        }
        if (!platform::child_running(pid) || platform::Clock::now() >= deadline)
            throw HostNotReady("the API forwarder did not start; see " +
                               layout.forwarder_log().string());
        std::this_thread::sleep_for(50ms);
    }
}

int MachineManager::forwarder_pid(const Layout &layout) const {
    auto pid = platform::read_pid_file(layout.forwarder_pid_file());
    // Only our forwarder: the pid could have been reused by anything by now.
    if (pid > 0 && platform::process_alive(pid) &&
        platform::process_has_argument(pid, "__forwarder", false) &&
        platform::process_has_argument(pid, layout.name(), false))
        return pid;
    return 0;
}

void MachineManager::stop_forwarder(const Layout &layout) const {
    if (auto pid = forwarder_pid(layout))
        platform::kill_process(pid);
    platform::remove_runtime_file(layout.forwarder_pid_file());
    platform::remove_runtime_file(layout.api_socket());
    release_docker_socket(docker_socket_path, layout.api_socket());
}

void MachineManager::stop(const std::string &name, std::chrono::seconds grace) {
    auto lock = store_.lock_existing(name);
    auto config = store_.load(name);
    auto layout = store_.layout(name);
    stop_forwarder(layout);
    platform::fault_point("stop:forwarder");
    provider_of(config).stop(config, layout, grace);
    platform::fault_point("stop:stopped");
    clear_runtime(layout);
}

void MachineManager::suspend(const std::string &name) {
    auto lock = store_.lock_existing(name);
    auto config = store_.load(name);
    auto layout = store_.layout(name);
    auto &provider = provider_of(config);
    if (!provider.features().suspend)
        throw InvalidInput("suspend",
                           fmt::format("provider {} cannot suspend a machine", provider.name()),
                           "`machine stop " + name + "` without --suspend");
    if (state_of(config) != MachineState::running)
        throw WrongState(fmt::format("machine \"{}\" is not running: nothing to suspend", name),
                         "`machine start " + name + "` boots it");
    auto ssh = provider.ssh_endpoint(config, layout);
    AwakeHold awake(config, layout); // SSH cannot reach a VM paused at idle
    set_guest_mounts(config, ssh, layout, false);
    stop_forwarder(layout);
    platform::fault_point("suspend:forwarder");
    try {
        provider.suspend(config, layout);
    } catch (const Error &) {
        // The VM runs on, as it was but for its forwarder (which the next start or list brings
        // back); the reason it could not be saved is what the user needs to read.
        try {
            set_guest_mounts(config, ssh, layout, true);
        } catch (const Error &) {
        }
        throw;
    }
    clear_runtime(layout);
}

void MachineManager::remove(const std::string &name, bool force) {
    auto lock = store_.lock_existing(name);
    auto layout = store_.layout(name);
    std::optional<MachineConfig> config;
    if (store_.exists(name)) {
        try {
            config = store_.load(name);
            provider_of(*config);
        } catch (const Error &) {
            // Unreadable, or of a provider this build lacks: still removable, since everything it
            // owns is named by the layout.
            config.reset();
        }
    } else if (!fs::exists(layout.data_dir())) {
        throw NotFound(fmt::format("machine \"{}\" does not exist", name),
                       "see `machine list` for the machines there are");
    }
    if (config && state_of(*config) != MachineState::stopped) {
        if (!force)
            throw WrongState(fmt::format("machine \"{}\" is running", name),
                             "stop it first with `machine stop " + name + "`, or use --force");
        stop_forwarder(layout);
        provider_of(*config).stop(*config, layout, std::chrono::seconds(10));
        platform::fault_point("rm:stopped");
    }

    // The config goes first: once it is gone the machine no longer lists as usable, and what a
    // kill leaves after this point lists as broken and a second `rm` finishes the job. So the
    // files go last: while the data folder is there, `rm` can be run again.
    fs::remove(layout.config_file());
    platform::fault_point("rm:config");
    {
        auto connections_lock =
            platform::FileLock::acquire(store_.dirs().config / "locks" / ".connections.lock");
        unregister_connections(runner_, name);
    }
    platform::fault_point("rm:connections");
    if (config)
        provider_of(*config).remove(*config, layout);
    fs::remove_all(layout.runtime_dir());
    fs::remove_all(layout.data_dir());
    platform::fault_point("rm:data");
    prune_images(config ? &*config : nullptr);
}

fs::path MachineManager::image_cache() const {
    return store_.dirs().data / "images" / "cache";
}

std::vector<fs::path> MachineManager::images_freed_by_removing(const std::string &name) const {
    auto used = images_by_machine(store_);
    if (!used || !used->count(name))
        return {};
    std::vector<fs::path> freed;
    for (const auto &file : unused_cached_images(image_cache(), used_by_others(*used, name)))
        if (used->at(name).count(file.filename().string()))
            freed.push_back(file);
    return freed;
}

void MachineManager::prune_images(const MachineConfig *removed) {
    // The machine is gone already: what fails here is said, and `rm` still succeeds.
    try {
        auto lock = try_lock_image_cache(image_cache());
        if (!lock)
            return; // an init is using the cache: a later `rm` prunes
        // Unknown (a machine that cannot be read may use any image): none of the cache goes.
        if (auto used = images_by_machine(store_))
            for (const auto &file :
                 unused_cached_images(image_cache(), used_by_others(*used, ""))) {
                std::error_code ec;
                fs::remove(file, ec);
                if (ec)
                    warnings_.push_back(fmt::format("could not remove the unused image {}: {}",
                                                    file.string(), ec.message()));
            }
        // Judged by what the provider's own host holds, whatever this host's machines are.
        if (removed)
            provider_of(*removed).prune_images(*removed);
    } catch (const Error &error) {
        warnings_.push_back(std::string("could not look for unused images: ") + error.what());
    }
}

MachineConfig MachineManager::set(const std::string &name, const SetOptions &options) {
    auto lock = store_.lock_existing(name);
    auto config = store_.load(name);
    if (state_of(config) != MachineState::stopped)
        throw WrongState(fmt::format("machine \"{}\" is running; `set` needs it stopped", name),
                         "stop it first with `machine stop " + name + "`");
    // Checked before anything is parsed or changed: such a provider keeps them for all its
    // machines at once (WSL: one VM for every distribution).
    auto &provider = provider_of(config);
    if ((options.cpus || options.memory || options.disk_size) &&
        !provider.features().set_resources) {
        std::string flag = options.cpus ? "--cpus" : options.memory ? "--memory" : "--disk-size";
        throw InvalidInput(flag, fmt::format("{}: provider {} cannot change CPUs, memory or disk "
                                             "size per machine; it sets them for all at once",
                                             flag, provider.name()));
    }
    auto updated = config;
    if (options.cpus)
        updated.resources.cpus = parse_cpus(*options.cpus, platform::host_cpu_count());
    if (options.memory)
        updated.resources.memory_mib = parse_memory_mib(*options.memory);
    if (options.disk_size) {
        updated.resources.disk_gib = parse_disk_gib(*options.disk_size);
        if (updated.resources.disk_gib < config.resources.disk_gib)
            throw InvalidInput("--disk-size",
                               fmt::format("--disk-size: {} GiB is smaller than the current {} "
                                           "GiB; a disk can only grow",
                                           updated.resources.disk_gib, config.resources.disk_gib));
    }
    if (options.rootful)
        updated.rootful = *options.rootful;
    if (options.idle_pause)
        updated.idle_pause_seconds = idle_pause_seconds(*options.idle_pause, provider);
    auto features = provider.features();
    if ((options.proxy || options.ca_certs) &&
        (!features.update_payload || config.image.provisioning != "ignition")) {
        std::string flag = options.proxy ? "--proxy" : "--ca-certs";
        throw InvalidInput(flag,
                           fmt::format("{}: provider {} gives the guest its config at the first "
                                       "boot only, so it cannot change after init",
                                       flag, provider.name()),
                           "`machine rm` and `init` the machine again with " + flag);
    }
    apply_network_options(updated, options.proxy, options.ca_certs);
    // Rendered before anything changes: a key gone missing stops `set` here.
    auto layout = store_.layout(name);
    std::optional<ProvisioningPayload> payload;
    if (updated.proxy != config.proxy || updated.ca_certs != config.ca_certs)
        payload = provisioning::render_payload(updated, layout, guest_devices(updated, features));

    if (updated.resources.disk_gib > config.resources.disk_gib) {
        if (!features.grow_disk)
            throw InvalidInput(
                "--disk-size",
                fmt::format("--disk-size: provider {} cannot grow a disk", provider.name()));
        provider.grow_disk(config, layout, updated.resources.disk_gib);
    }
    // The guest's new config goes first: a `set` killed before the save leaves a guest told what
    // was asked, and the same `set` again finishes the job.
    if (payload) {
        provider.update_payload(updated, layout, *payload);
        platform::fault_point("set:payload");
    }
    store_.save(updated);
    return updated;
}

MachineState MachineManager::state_of(const MachineConfig &config) const {
    auto layout = store_.layout(config.name);
    auto state = provider_of(config).state(config, layout);
    if (state == MachineState::running && !fs::exists(layout.ready_marker()))
        return MachineState::starting;
    return state;
}

std::vector<MachineStatus> MachineManager::list() const {
    std::vector<MachineStatus> statuses;
    for (auto &stored : store_.list()) {
        MachineStatus status{stored.name, stored.config, MachineState::stopped, false,
                             stored.problem};
        if (status.config) {
            try {
                status.state = state_of(*status.config);
                status.suspended = suspended(*status.config, status.state);
            } catch (const Error &e) {
                status.problem = e.what();
                status.config.reset();
            }
        }
        statuses.push_back(std::move(status));
    }
    return statuses;
}

Provider &MachineManager::provider(const std::string &name, const std::string &field) const {
    auto &made = made_[name];
    if (!made)
        made = providers_.make(name, runner_, field);
    return *made;
}

Provider &MachineManager::provider_of(const MachineConfig &config) const {
    return provider(config.provider, "provider");
}

MachineStatus MachineManager::status(const std::string &name) const {
    auto config = store_.load(name);
    auto state = state_of(config);
    return {name, config, state, suspended(config, state), {}};
}

bool MachineManager::suspended(const MachineConfig &config, MachineState state) const {
    return state == MachineState::stopped &&
           provider_of(config).suspended(config, store_.layout(config.name));
}

} // namespace machine

#include "providers/wsl/wsl_provider.h"

#include "machine/errors.h"
#include "platform/atomic_file.h"
#include "platform/host.h"
#include "providers/wsl/agent_ready.h"
#include "providers/wsl/wsl_commands.h"
#include "providers/wsl/wsl_conf.h"
#include "providers/wsl/wsl_files.h"
#include "providers/wsl/wsl_ignition.h"
#include "providers/wsl/wsl_list.h"

#include <cerrno>
#include <fmt/format.h>
#include <thread>

namespace machine {

namespace {

using namespace std::chrono_literals;

// How long wsl.exe may take to have the distribution running once asked to run something in it.
constexpr auto boot_limit = 60s;

// The name create() recorded; machines keep theirs should the naming ever change.
std::string distribution_of(const MachineConfig &config) {
    auto recorded = config.provider_state.find("distribution");
    return recorded != config.provider_state.end() ? recorded->second
                                                   : wsl_distribution(config.name);
}

// WSL forwards what listens on the distribution's localhost to the host's by itself, and keeps no
// forwards of ours: nothing to add, nothing left over to remove.
class WslPortPublisher : public PortPublisher {
public:
    std::string add(const PublishedPort &) override { return {}; }
    void remove(const PublishedPort &) override {}
};

// The last lines of the console log, for an error message.
std::string log_tail(const std::filesystem::path &log) {
    std::string text;
    try {
        text = platform::read_file(log);
    } catch (const Error &) {
        return {};
    }
    constexpr std::size_t tail = 2000;
    return text.size() > tail ? text.substr(text.size() - tail) : text;
}

} // namespace

WslHost WslHost::here() {
    return {platform::host_os(), platform::find_program(std::string(wsl_program))};
}

WslProvider::WslProvider(ProcessRunner &runner, Spawn spawn, WslHost host)
    : runner_(runner), spawn_(std::move(spawn)), host_(std::move(host)) {}

std::unique_ptr<platform::StdioProcess>
WslProvider::spawn_stdio_process(const Command &command, const std::filesystem::path &log) {
    return std::make_unique<platform::StdioProcess>(command, log);
}

ProviderFeatures WslProvider::features() const {
    ProviderFeatures f;
    f.image_formats = {"tar"}; // a root filesystem: WSL brings the kernel and makes the disk
    f.direct_kernel_boot = false;
    f.shares = {}; // WSL mounts the Windows drives itself, under /mnt ([automount])
    f.ready_channel = "stdio";
    f.grow_disk = false;
    f.provisioning = {"ignition"};
    f.set_resources = false; // CPUs, memory and disk are WSL's, for all distributions at once
    return f;
}

void WslProvider::check_host() const {
    if (host_.os != platform::HostOs::windows)
        throw HostNotReady(fmt::format("provider wsl runs on Windows only, and this host is {}",
                                       host_.os == platform::HostOs::macos ? "macOS" : "Linux"),
                           "use --provider qemu here");
    if (host_.wsl_exe.empty())
        throw HostNotReady("WSL is not installed here: no wsl.exe on PATH",
                           "install it with `wsl --install` in an administrator PowerShell, "
                           "restart Windows, then try again");
}

std::map<std::string, std::string> WslProvider::host_facts() const {
    return {{"WSL", host_.wsl_exe.empty() ? std::string("not installed (no wsl.exe on PATH)")
                                          : host_.wsl_exe.string()}};
}

ProviderFiles WslProvider::files(const Layout &layout) const {
    WslFiles files(layout);
    return {files.disk, files.ignition};
}

bool WslProvider::running(const std::string &distribution) const {
    // No running distribution at all is a non-zero exit with a message: the list decides.
    return wsl_lists(runner_.run(wsl_list_running()).out, distribution);
}

bool WslProvider::registered(const std::string &distribution) const {
    return wsl_lists(runner_.run(wsl_list_all()).out, distribution);
}

void WslProvider::create(MachineConfig &config, const Layout &layout,
                         const ProvisioningPayload &payload) {
    if (payload.kind != "ignition")
        throw InvalidInput("--provisioning",
                           fmt::format("--provisioning: provider wsl applies Ignition only, not "
                                       "\"{}\"",
                                       payload.kind));
    auto distribution = wsl_distribution(config.name);
    // An earlier attempt may have left a half-made distribution: start from nothing.
    if (registered(distribution))
        runner_.check(wsl_unregister(distribution));
    try {
        import_and_provision(config, layout, payload);
    } catch (...) {
        // The distribution is WSL's, outside the machine's folder: the lifecycle's undo (which
        // removes that folder) would not find it.
        try {
            if (registered(distribution))
                runner_.run(wsl_unregister(distribution));
        } catch (const Error &) {
        }
        throw;
    }
}

void WslProvider::import_and_provision(MachineConfig &config, const Layout &layout,
                                       const ProvisioningPayload &payload) {
    auto distribution = wsl_distribution(config.name);
    WslFiles files(layout);
    std::filesystem::remove_all(files.install_dir);
    std::filesystem::create_directories(files.install_dir);
    runner_.check(wsl_import(distribution, files.install_dir.string(), config.image.path));
    config.provider_state["distribution"] = distribution;

    // This first start has no systemd yet (the image has no wsl.conf); the next one reads it.
    runner_.check(wsl_setup(distribution, render_wsl_conf(config.ssh.username)));
    runner_.check(wsl_terminate(distribution));

    // The agent, as the guest's own would at first boot: users, keys, files, units. Kept for
    // every start, which applies it again (a no-op when nothing changed), as fw_cfg does.
    auto ignition = wsl_ignition(payload.ignition);
    platform::write_file_atomically(files.ignition, ignition, 0600);
    runner_.check(wsl_provision(distribution, ignition, false));
    runner_.check(wsl_terminate(distribution)); // `init` leaves a machine stopped
}

void WslProvider::remove(const MachineConfig &config, const Layout &layout) {
    auto distribution = distribution_of(config);
    if (registered(distribution))
        runner_.check(wsl_unregister(distribution)); // deletes its disk too
    WslFiles files(layout);
    std::filesystem::remove_all(files.install_dir);
    std::filesystem::remove(files.ignition);
}

MachineState WslProvider::state(const MachineConfig &config, const Layout &) {
    return running(distribution_of(config)) ? MachineState::running : MachineState::stopped;
}

std::unique_ptr<ReadySignal> WslProvider::start(const MachineConfig &config, const Layout &layout,
                                                const std::function<void(const std::string &)> &) {
    auto distribution = distribution_of(config);
    auto ignition = platform::read_file(WslFiles(layout).ignition);
    auto command = wsl_provision(distribution, ignition, true);
    std::filesystem::remove(layout.console_log()); // this boot's only
    auto agent = spawn_(command, layout.console_log());

    // wsl.exe starts the distribution before it runs the agent; once it is listed, the
    // lifecycle's state() sees it running and waits for the agent's Ready.
    auto deadline = platform::Clock::now() + boot_limit;
    while (!running(distribution)) {
        if (!agent->running())
            throw ProcessFailed(command.display(), agent->exit_code(),
                                log_tail(layout.console_log()));
        if (platform::Clock::now() >= deadline)
            throw Timeout(fmt::format("WSL did not start {} within {} s; see {}", distribution,
                                      boot_limit.count(), layout.console_log().string()));
        std::this_thread::sleep_for(100ms);
    }
    return std::make_unique<AgentReady>(std::move(agent), layout.console_log());
}

void WslProvider::stop(const MachineConfig &config, const Layout &, std::chrono::seconds) {
    // WSL has no power-off of one distribution short of --terminate, which ends it at once.
    auto distribution = distribution_of(config);
    if (running(distribution))
        runner_.check(wsl_terminate(distribution));
}

void WslProvider::grow_disk(const MachineConfig &, const Layout &, std::uint64_t) {
    throw InvalidInput("--disk-size", "--disk-size: provider wsl cannot grow a disk");
}

SshEndpoint WslProvider::ssh_endpoint(const MachineConfig &, const Layout &) const {
    return {};
}

std::optional<Command> WslProvider::login_command(const MachineConfig &config,
                                                  const std::string &user,
                                                  const std::string &command_line) const {
    return wsl_login(distribution_of(config), user, command_line);
}

platform::Fd WslProvider::connect_agent(const MachineConfig &config, const Layout &) const {
    auto distribution = distribution_of(config);
    // wsl.exe would boot a stopped distribution to run the agent: a link is for a running one.
    if (!running(distribution))
        throw SystemError(fmt::format("WSL distribution {} is not running", distribution),
                          ECONNREFUSED);
    std::lock_guard lock(link_mutex_);
    link_.reset();
    link_ = spawn_(wsl_mux_stdio(distribution), {});
    return link_->take_stream();
}

std::unique_ptr<PortPublisher> WslProvider::port_publisher(const MachineConfig &,
                                                           const Layout &) const {
    return std::make_unique<WslPortPublisher>();
}

} // namespace machine

#include "providers/apple/krunkit_provider.h"

#include "machine/errors.h"
#include "platform/process_runner.h"
#include "platform/process_table.h"

#include <filesystem>
#include <thread>

namespace machine {

namespace {

using namespace std::chrono_literals;

std::filesystem::path or_name(const std::filesystem::path &found, const char *name) {
    return found.empty() ? std::filesystem::path(name) : found;
}

} // namespace

ProviderFeatures KrunkitProvider::features() const {
    auto f = apple_features();
    f.init_flags = {"nested"}; // krunkit ignores it where the Mac cannot (before M3, macOS 15)
    return f;
}

void KrunkitProvider::check_host() const {
    check_macos();
    if (host_.arch != "aarch64")
        throw HostNotReady("krunkit runs on Apple Silicon only, and this Mac has an Intel CPU",
                           "use --provider applehv");
    if (host_.krunkit.empty())
        throw HostNotReady("krunkit is not installed here: no krunkit on PATH or in podman's "
                           "folders",
                           "install it: brew tap slp/krunkit && brew install krunkit (podman's "
                           "installer brings it too)");
    if (host_.gvproxy.empty())
        throw HostNotReady("gvproxy is not installed here: krunkit machines get their network "
                           "from it",
                           "install podman (its installer and `brew install podman` bring "
                           "gvproxy), or put gvproxy on PATH");
}

std::map<std::string, std::string> KrunkitProvider::host_facts() const {
    return {{"krunkit", host_.krunkit.string()}, {"gvproxy", host_.gvproxy.string()}};
}

SshEndpoint KrunkitProvider::ssh_endpoint(const MachineConfig &config, const Layout &) const {
    return {"127.0.0.1", config.ssh.port};
}

Command KrunkitProvider::launch_command(const AppleVm &vm) const {
    return krunkit_command(or_name(host_.krunkit, "krunkit"), vm);
}

void KrunkitProvider::start_network(const MachineConfig &config, const AppleFiles &files) {
    auto command = gvproxy_command(or_name(host_.gvproxy, "gvproxy"),
                                   {files.gvproxy_socket, files.gvproxy_pid, config.ssh.port});
    std::error_code ignored;
    std::filesystem::remove(files.gvproxy_log, ignored); // this boot's only
    int pid = platform::spawn_detached(command, files.gvproxy_log);
    // krunkit attaches to gvproxy's socket as it starts: wait until gvproxy made it (and its pid
    // file, by which it is ended).
    auto deadline = platform::Clock::now() + 10s;
    while (!std::filesystem::exists(files.gvproxy_socket) ||
           platform::read_pid_file(files.gvproxy_pid) != pid) {
        if (!platform::child_running(pid))
            throw ProcessFailed(command.display(), 1,
                                "see " + files.gvproxy_log.string() + " for why");
        if (platform::Clock::now() >= deadline) {
            platform::kill_process(pid);
            throw Timeout("gvproxy did not make its socket within 10 s; see " +
                          files.gvproxy_log.string());
        }
        std::this_thread::sleep_for(20ms);
    }
}

void KrunkitProvider::stop_network(const AppleFiles &files) {
    // Only our gvproxy: the pid file could name a reused pid by now.
    auto pid = platform::read_pid_file(files.gvproxy_pid);
    if (pid > 0 && platform::process_alive(pid) &&
        platform::process_has_argument(pid, files.gvproxy_socket.string(), true))
        platform::kill_process(pid);
}

} // namespace machine

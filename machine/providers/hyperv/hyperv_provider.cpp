#include "providers/hyperv/hyperv_provider.h"

#include "machine/errors.h"
#include "machine/printable.h"
#include "providers/hyperv/hvsock_ready.h"
#include "providers/hyperv/hvsock_registration.h"
#include "providers/hyperv/hvsock_service.h"
#include "providers/hyperv/hyperv_names.h"
#include "providers/hyperv/hyperv_scripts.h"
#include "providers/hyperv/kvp_items.h"
#include "providers/hyperv/kvp_script.h"
#include "providers/hyperv/powershell_script.h"
#include "providers/hyperv/vm_state.h"

#include <cerrno>
#include <filesystem>
#include <fmt/format.h>

namespace machine {

namespace {

namespace fs = std::filesystem;

// The last non-empty line a script printed, trimmed (PowerShell ends lines with \r\n).
std::string last_line(const std::string &out) {
    auto end = out.find_last_not_of(" \t\r\n");
    if (end == std::string::npos)
        return {};
    auto start = out.find_last_of("\r\n", end);
    return out.substr(start == std::string::npos ? 0 : start + 1,
                      end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// The VM's id as create() recorded it; "" before that. The config is a file a user can edit: an
// id of another shape is refused before it goes near a script.
std::string vm_id_of(const MachineConfig &config, const Layout &layout) {
    auto found = config.provider_state.find("vm_id");
    if (found == config.provider_state.end())
        return {};
    if (!is_vm_id(found->second))
        throw CorruptConfig(layout.config_file().string(), "provider.state.vm_id",
                            "\"" + printable(found->second) + "\" is not a Hyper-V VM id");
    return found->second;
}

std::string required_vm_id(const MachineConfig &config, const Layout &layout) {
    auto id = vm_id_of(config, layout);
    if (id.empty())
        throw NotFound(
            fmt::format("machine \"{}\" has no Hyper-V VM: its init did not finish", config.name),
            "remove it with `machine rm -f " + config.name + "` and init it again");
    return id;
}

std::size_t kvp_items_of(const MachineConfig &config) {
    auto found = config.provider_state.find("kvp_items");
    if (found == config.provider_state.end())
        return 0;
    try {
        return std::stoul(found->second);
    } catch (const std::exception &) {
        return 0; // removing the VM removes its items anyway
    }
}

// A copy, not a differencing disk on the cached image: a child VHDX would need the cache's
// file left unchanged for ever and readable by every VM's account. Written beside, then renamed,
// so that a killed init leaves no half-made disk under the final name.
void copy_image(const std::string &image, const fs::path &disk) {
    auto partial = disk;
    partial += ".partial";
    try {
        fs::remove(partial);
        fs::copy_file(image, partial);
        fs::rename(partial, disk);
    } catch (const fs::filesystem_error &e) {
        throw SystemError("cannot copy the image " + image + " to " + disk.string(),
                          e.code().value(), e.code().message());
    }
}

// Published ports reach a Hyper-V guest only through machine-mux: with no network adapter there
// is nothing a host-side rule could forward to.
class NoPortPublisher : public PortPublisher {
public:
    std::string add(const PublishedPort &) override {
        return "Hyper-V machines publish ports only through the guest agent (machine-mux)";
    }
    void remove(const PublishedPort &) override {}
};

} // namespace

HyperVProvider::HyperVProvider(ProcessRunner &runner)
    : HyperVProvider(runner, platform::host_hvsock(), platform::host_os()) {}

ProcessResult HyperVProvider::run(const std::string &script) const {
    auto command = powershell_command(script);
    auto result = runner_.run(command);
    if (result.exit_code != 0) {
        auto err = result.err; // PowerShell ends its lines with \r\n: no \r in our message
        std::erase(err, '\r');
        throw ProcessFailed(
            fmt::format("Hyper-V step \"{}\" ({})", ps_script_step(script), command.program),
            result.exit_code, err);
    }
    return result;
}

ProviderFeatures HyperVProvider::features() const {
    ProviderFeatures f;
    f.image_formats = {"vhdx"};
    f.direct_kernel_boot = false; // Hyper-V boots a Generation 2 VM by its UEFI firmware only
    f.shares = {};                // none yet: podman's are 9p over hvsock, served by the host
    f.ready_channel = "hvsock";
    f.grow_disk = true;
    f.provisioning = {"ignition"};
    return f;
}

void HyperVProvider::check_host() const {
    if (host_ != platform::HostOs::windows)
        throw HostNotReady("Hyper-V needs a Windows host, and this one runs " +
                               platform::host_os_name(),
                           "use another provider here, e.g. --provider qemu");
    auto result = runner_.run(powershell_command(check_host_script()));
    if (result.exit_code == 3)
        throw HostNotReady("Hyper-V is not enabled here (no Hyper-V PowerShell module)",
                           "enable it in an administrator's PowerShell, then restart Windows: "
                           "Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V "
                           "-All (Windows Pro, Enterprise or Education)");
    auto why = last_line(result.err);
    if (result.exit_code != 0)
        throw HostNotReady(
            "Hyper-V does not let this user manage VMs: " +
                (why.empty() ? fmt::format("Get-VMHost failed with exit code {}", result.exit_code)
                             : printable(why)),
            "join the Hyper-V Administrators group in an administrator's "
            "PowerShell, then sign out and in again: Add-LocalGroupMember -SID "
            "S-1-5-32-578 -Member $env:USERNAME");
}

std::map<std::string, std::string> HyperVProvider::host_facts() const {
    return {};
}

ProviderFiles HyperVProvider::files(const Layout &layout) const {
    return {HyperVNames(layout).disk, {}}; // the Ignition config lives in the VM's KVP items
}

void HyperVProvider::create(MachineConfig &config, const Layout &layout,
                            const ProvisioningPayload &payload) {
    if (payload.kind != "ignition" && payload.kind != "none")
        throw InvalidInput("provisioning", fmt::format("provider hyperv delivers Ignition, not {}",
                                                       printable(payload.kind)));
    HyperVNames names(layout);
    config.provider_state.erase("vm_id"); // a new VM, whatever an earlier attempt recorded
    config.provider_state.erase("kvp_items");
    copy_image(config.image.path, names.disk);
    try {
        auto id =
            last_line(run(create_vm_script({names.vm_name, names.vm_notes, names.disk.string(),
                                            config.resources.cpus, config.resources.memory_mib,
                                            config.resources.disk_gib}))
                          .out);
        if (!is_vm_id(id))
            throw ProtocolError("Hyper-V made a VM but printed \"" + printable(id) +
                                "\" where its id belongs");
        config.provider_state["vm_id"] = id;
        if (payload.kind == "ignition") {
            auto items = ignition_kvp_items(payload.ignition);
            run(add_kvp_items_script(id, items));
            config.provider_state["kvp_items"] = std::to_string(items.size());
        }
    } catch (const Error &) {
        // The manager undoes only a create that returned: what this one made, it takes back.
        try {
            remove(config, layout);
        } catch (const Error &) {
        }
        throw;
    }
}

void HyperVProvider::remove(const MachineConfig &config, const Layout &layout) {
    HyperVNames names(layout);
    run(remove_vm_script(vm_id_of(config, layout), names.vm_name, names.vm_notes,
                         kvp_items_of(config)));
    std::error_code error;
    if (!fs::remove(names.disk, error) && error) // a disk already gone is no error
        throw SystemError("cannot remove " + names.disk.string(), error.value(), error.message());
}

MachineState HyperVProvider::state(const MachineConfig &config, const Layout &layout) {
    auto id = vm_id_of(config, layout);
    if (id.empty())
        return MachineState::stopped;
    return parse_vm_state(run(vm_state_script(id)).out);
}

std::unique_ptr<ReadySignal>
HyperVProvider::start(const MachineConfig &config, const Layout &layout,
                      const std::function<void(const std::string &)> &notice) {
    auto id = required_vm_id(config, layout);
    auto services = machine_hvsock_services();
    if (last_line(run(hvsock_services_check_script(services)).out) != "registered") {
        notice(hvsock_elevation_notice());
        try {
            run(register_hvsock_services_script(services));
        } catch (const ProcessFailed &e) {
            throw HostNotReady(std::string("the hvsock services are not registered: ") + e.what(),
                               "run `machine start` again and let Windows' prompt go ahead, or "
                               "run it once in an administrator's PowerShell");
        }
    }
    // Listening before the VM starts: the guest's Ready can come at once.
    auto ready =
        std::make_unique<HvsockReady>(hvsock_.listen(id, hvsock_service_id(hvsock_ready_port)));
    run(start_vm_script(
        id, {config.resources.cpus, config.resources.memory_mib, layout.console_log().string()}));
    return ready;
}

void HyperVProvider::stop(const MachineConfig &config, const Layout &layout,
                          std::chrono::seconds grace) {
    auto id = vm_id_of(config, layout);
    if (!id.empty())
        run(stop_vm_script(id, grace));
}

void HyperVProvider::grow_disk(const MachineConfig &, const Layout &layout,
                               std::uint64_t disk_gib) {
    run(resize_disk_script(HyperVNames(layout).disk.string(), disk_gib));
}

SshEndpoint HyperVProvider::ssh_endpoint(const MachineConfig &, const Layout &) const {
    // None: the VM has no network adapter, so no TCP path reaches its sshd (podman's Hyper-V
    // machines get one from gvproxy over hvsock; this tool has no such network). The API and
    // published ports travel over machine-mux; an empty host says "no SSH" to the lifecycle.
    return {};
}

platform::Fd HyperVProvider::connect_agent(const MachineConfig &config,
                                           const Layout &layout) const {
    auto id = vm_id_of(config, layout);
    if (id.empty())
        throw SystemError(
            fmt::format("machine \"{}\" has no Hyper-V VM to connect to", config.name), ENOENT);
    return hvsock_.connect(id, hvsock_service_id(hvsock_mux_port));
}

std::unique_ptr<PortPublisher> HyperVProvider::port_publisher(const MachineConfig &,
                                                              const Layout &) const {
    return std::make_unique<NoPortPublisher>();
}

} // namespace machine

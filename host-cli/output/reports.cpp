#include "output/reports.h"

#include "machine/durations.h"
#include "output/humanize.h"
#include "platform/api_pipe.h"
#include "platform/host.h"

namespace machine::cli {

namespace {

bool is_default(const std::string &name) {
    return name == default_machine_name;
}

std::string last_up_text(const MachineStatus &s, std::int64_t now) {
    if (s.state == MachineState::running)
        return "Currently running";
    if (s.state == MachineState::starting)
        return "Currently starting";
    if (s.suspended) // its guest's time stands still since then; `start` resumes it
        return "Currently suspended";
    return s.config->last_up == 0 ? "Never" : time_ago(s.config->last_up, now);
}

} // namespace

nlohmann::json list_json_row(const MachineStatus &s, const Store &store) {
    if (!s.config)
        return {{"Name", s.name}, {"Problem", s.problem}};
    const auto &c = *s.config;
    return {
        {"Name", c.name},
        {"Default", is_default(c.name)},
        {"Created", rfc3339(c.created)},
        {"Running", s.state == MachineState::running},
        {"Starting", s.state == MachineState::starting},
        {"Suspended", s.suspended}, // ours
        {"LastUp", c.last_up == 0 ? "" : rfc3339(c.last_up)},
        {"VMType", c.provider},
        {"CPUs", c.resources.cpus},
        {"Memory", std::to_string(c.resources.memory_mib << 20)},
        {"DiskSize", std::to_string(c.resources.disk_gib << 30)},
        {"Port", c.ssh.port},
        {"RemoteUsername", c.ssh.username},
        {"IdentityPath", c.ssh.identity_path},
        {"UserModeNetworking", true},
        {"Socket", store.layout(c.name).api_socket().string()},
    };
}

nlohmann::json list_display_row(const MachineStatus &s, std::int64_t now) {
    if (!s.config)
        return {{"Name", s.name},        {"Default", false},    {"Created", "-"},
                {"Running", false},      {"Starting", false},   {"Suspended", false},
                {"LastUp", "Broken"},    {"VMType", "-"},       {"CPUs", "-"},
                {"Memory", "-"},         {"DiskSize", "-"},     {"Port", "-"},
                {"RemoteUsername", "-"}, {"IdentityPath", "-"}, {"Problem", s.problem}};
    const auto &c = *s.config;
    return {
        {"Name", is_default(c.name) ? c.name + "*" : c.name},
        {"Default", is_default(c.name)},
        {"Created", time_ago(c.created, now)},
        {"Running", s.state == MachineState::running},
        {"Starting", s.state == MachineState::starting},
        {"Suspended", s.suspended},
        {"LastUp", last_up_text(s, now)},
        {"VMType", c.provider},
        {"CPUs", c.resources.cpus},
        {"Memory", bytes_size(c.resources.memory_mib << 20)},
        {"DiskSize", bytes_size(c.resources.disk_gib << 30)},
        {"Port", c.ssh.port},
        {"RemoteUsername", c.ssh.username},
        {"IdentityPath", c.ssh.identity_path},
        {"Problem", ""},
    };
}

const char *list_table_format() {
    return "table {{.Name}}\t{{.VMType}}\t{{.Created}}\t{{.LastUp}}\t{{.CPUs}}\t{{.Memory}}\t{{."
           "DiskSize}}";
}

nlohmann::json list_headers() {
    return {{"VMType", "VM TYPE"}, {"CPUs", "CPUS"}, {"LastUp", "LAST UP"}};
}

nlohmann::json inspect_json(const MachineStatus &s, const Store &store, const Provider &provider) {
    const auto &c = *s.config;
    auto layout = store.layout(c.name);
    auto files = provider.files(layout);
    auto shares = provider.features().shares;
    nlohmann::json mounts = nlohmann::json::array();
    for (const auto &m : c.mounts)
        mounts.push_back({{"Source", m.host_path},
                          {"Target", m.guest_path},
                          {"ReadOnly", m.read_only},
                          {"Type", shares.empty() ? "" : shares.front()}});
    return {
        {"ConfigPath", {{"Path", layout.config_file().string()}}},
        {"ConnectionInfo",
         {{"PodmanSocket", {{"Path", layout.api_socket().string()}}},
          // Windows' clients' own transport, as podman reports it there
          {"PodmanPipe", platform::host_os() == platform::HostOs::windows
                             ? nlohmann::json{{"Path", platform::api_pipe_name(c.name)}}
                             : nlohmann::json(nullptr)}}},
        {"Created", rfc3339(c.created)},
        {"Image",
         {{"ImagePath", {{"Path", files.disk.string()}}},
          {"BaseImage", c.image.path},
          {"Format", c.image.format},
          {"Provisioning", c.image.provisioning},
          {"IgnitionFilePath", {{"Path", files.provisioning.string()}}}}},
        {"LastUp", c.last_up == 0 ? "" : rfc3339(c.last_up)},
        {"Name", c.name},
        {"Resources",
         {{"CPUs", c.resources.cpus},
          {"DiskSize", c.resources.disk_gib},
          {"Memory", c.resources.memory_mib}}},
        {"SSHConfig",
         {{"IdentityPath", c.ssh.identity_path},
          {"Port", c.ssh.port},
          {"RemoteUsername", c.ssh.username}}},
        {"State", to_string(s.state)},
        {"Suspended", s.suspended}, // ours: `stop --suspend` saved it, `start` resumes it
        {"UserModeNetworking", true},
        {"Rootful", c.rootful},
        {"Mounts", mounts},
        {"Timezone", c.timezone},
        {"IdlePause", format_duration(std::chrono::seconds(c.idle_pause_seconds))}, // ours
        {"VMType", c.provider},
    };
}

nlohmann::json info_json(const std::vector<MachineStatus> &machines, const Store &store,
                         const Provider &provider, const std::string &why_provider) {
    std::string current, state;
    for (const auto &m : machines)
        if (m.config && m.state != MachineState::stopped) {
            current = m.name;
            state = to_string(m.state);
        }
    nlohmann::json host = {{"Arch", platform::host_arch()},
                           {"OS", platform::host_os_name()},
                           {"CPUs", platform::host_cpu_count()},
                           {"Memory", std::to_string(platform::host_memory_mib() << 20)},
                           {"VMType", provider.name()},
                           {"VMTypeReason", why_provider},
                           {"CurrentMachine", current},
                           {"MachineState", state},
                           {"DefaultMachine", default_machine_name},
                           {"NumberOfMachines", machines.size()},
                           {"MachineConfigDir", (store.dirs().config / "machines").string()},
                           {"MachineDataDir", (store.dirs().data / "machines").string()},
                           {"MachineRuntimeDir", store.dirs().runtime.string()}};
    for (const auto &[key, value] : provider.host_facts()) // e.g. the accelerator
        host[key] = value;
    return {
        {"Host", host},
        {"Version", {{"Version", MACHINE_VERSION}}},
    };
}

} // namespace machine::cli

#include "providers/qemu/saved_state.h"

#include "machine/errors.h"
#include "platform/atomic_file.h"
#include "platform/fault_point.h"
#include "platform/file_io.h"
#include "platform/process_runner.h"
#include "platform/sha256.h"
#include "providers/qemu/qmp_client.h"

#include <thread>

namespace machine {

namespace {

using namespace std::chrono_literals;

const std::string state_fd_name = "saved-state";

std::filesystem::path partial(const QemuFiles &files) {
    auto path = files.saved_state;
    path += ".partial";
    return path;
}

// Migration leaves the guest's RAM out: it is shared, in the machine's memory file.
void ignore_shared_ram(QmpClient &qmp) {
    qmp.execute("migrate-set-capabilities",
                {{"capabilities",
                  nlohmann::json::array({{{"capability", "x-ignore-shared"}, {"state", true}}})}});
}

// Waits for the migration either way goes to finish; throws when it fails.
void wait_for_migration(QmpClient &qmp, std::chrono::seconds limit) {
    auto deadline = platform::Clock::now() + limit;
    for (;;) {
        auto info = qmp.execute("query-migrate");
        auto status = info.value("status", "");
        if (status == "completed")
            return;
        if (status == "failed" || status == "cancelled")
            throw QmpError("QEMU's migration " + status + ": " + info.value("error-desc", ""));
        if (platform::Clock::now() >= deadline)
            throw Timeout("QEMU did not save or load the machine's state in time");
        std::this_thread::sleep_for(20ms);
    }
}

} // namespace

std::string launch_fingerprint(const Command &launch, const std::string &qemu_version) {
    platform::Sha256 hash;
    for (const auto &part : {qemu_version, launch.program}) {
        hash.update(part.data(), part.size());
        hash.update("\n", 1);
    }
    for (const auto &arg : launch.args) {
        hash.update(arg.data(), arg.size());
        hash.update("\n", 1);
    }
    return hash.hex_digest();
}

void save_vm(const QemuFiles &files, int pid, const std::string &fingerprint) {
    std::filesystem::remove(files.saved_from); // a state is only whole with its fingerprint
    auto state = platform::create_with_mode(partial(files), 0600);
    QmpClient qmp(files.qmp_socket, 10s);
    ignore_shared_ram(qmp);
    qmp.execute_with_file("getfd", {{"fdname", state_fd_name}}, state.get());
    qmp.execute("migrate", {{"uri", "fd:" + state_fd_name}});
    wait_for_migration(qmp, 300s);
    platform::fault_point("suspend:saved");
    platform::flush_to_disk(state.get());
    {
        // The RAM's last writes, on the disk before the state that needs them says it is whole.
        auto memory = platform::open_for_reading(files.memory);
        platform::flush_to_disk(memory.get());
    }
    try {
        qmp.execute("quit");
    } catch (const QmpError &) { // it may close the monitor before it answers
    }
    for (auto deadline = platform::Clock::now() + 30s; platform::process_alive(pid);) {
        if (platform::Clock::now() >= deadline)
            platform::kill_process(pid);
        std::this_thread::sleep_for(50ms);
    }
    platform::fault_point("suspend:ended");
    std::filesystem::rename(partial(files), files.saved_state);
    platform::write_file_atomically(files.saved_from, fingerprint); // the commit
}

std::optional<std::string> saved_state_mismatch(const QemuFiles &files,
                                                const std::function<std::string()> &fingerprint) {
    if (!std::filesystem::exists(files.saved_state) && !std::filesystem::exists(partial(files)))
        return std::nullopt;
    if (!std::filesystem::exists(files.saved_from))
        return "a suspend that did not finish";
    if (!std::filesystem::exists(files.memory))
        return "its memory file is gone";
    if (platform::read_file(files.saved_from) != fingerprint())
        return "QEMU, the image or the machine's settings changed since";
    return "";
}

bool has_saved_state(const QemuFiles &files) {
    return std::filesystem::exists(files.saved_state) && std::filesystem::exists(files.saved_from);
}

void load_vm(const QemuFiles &files) {
    auto state = platform::open_for_reading(files.saved_state);
    // QEMU wrote its pid file before it made its monitor: a moment to listen.
    std::optional<QmpClient> connected;
    for (auto deadline = platform::Clock::now() + 30s; !connected;) {
        try {
            connected.emplace(files.qmp_socket, 10s);
        } catch (const SystemError &) {
            if (platform::Clock::now() >= deadline)
                throw;
            std::this_thread::sleep_for(20ms);
        }
    }
    auto &qmp = *connected;
    ignore_shared_ram(qmp);
    qmp.execute_with_file("getfd", {{"fdname", state_fd_name}}, state.get());
    qmp.execute("migrate-incoming", {{"uri", "fd:" + state_fd_name}});
    wait_for_migration(qmp, 120s);
    if (qmp.execute("query-status").value("status", "") != "running")
        qmp.execute("cont");
    std::filesystem::remove(files.saved_from);
    std::filesystem::remove(files.saved_state);
}

void discard_saved_state(const QemuFiles &files) {
    for (const auto &file : {files.saved_from, files.saved_state, partial(files), files.memory})
        std::filesystem::remove(file);
}

} // namespace machine

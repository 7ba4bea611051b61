#include "provisioning/agent/agent.h"

#include "provisioning/agent/apply.h"
#include "provisioning/agent/config_source.h"
#include "provisioning/agent/errors.h"
#include "provisioning/agent/files.h"
#include "provisioning/agent/grow.h"
#include "provisioning/agent/ignition.h"
#include "provisioning/agent/plan.h"
#include "provisioning/agent/text.h"

#include <unistd.h>

namespace machine::agent {

namespace {

constexpr unsigned marker_mode = 0644;

// Runs a step whose failure must not cost the machine its Ready (growing the filesystem,
// starting units whose failure the readiness checks would name anyway, recording the marker
// after Ready went out): the failure is logged on the console instead.
template <typename Step> void non_fatal(const Log &log, const std::string &what, Step &&step) {
    try {
        step();
    } catch (const AgentError &error) {
        log.error("could not " + what + ": " + error.what());
    }
}

Readiness readiness_for(const Config &config, const Applier &applier) {
    auto api = podman_api(config);
    if (!api)
        return {};
    if (api->rootful)
        return {std::string(rootful_podman_socket)};
    auto user = applier.user(api->user);
    if (!user)
        throw ApplyError(config.users.front().field,
                         "user " + quote(api->user) + " is missing from /etc/passwd");
    if (user->uid == 0)
        return {std::string(rootful_podman_socket)};
    return {"/run/user/" + std::to_string(user->uid) + "/podman/podman.sock"};
}

// systemd set the running hostname from /etc/hostname before the agent wrote it.
void apply_hostname(const ApplyResult &result, const Root &root, System &system, const Log &log) {
    if (!result.written_files.count(std::string(hostname_path)))
        return;
    auto name =
        std::string(trim(split(read_file(root.host(hostname_path)).value_or(""), '\n').front()));
    if (name.empty())
        return;
    non_fatal(log, "set the hostname", [&] {
        system.set_hostname(name);
        log.info("set the hostname to " + name);
    });
}

Readiness provision(const FoundConfig &found, const Root &root, System &system, const Log &log) {
    auto config = parse_ignition(found.text);
    for (const auto &field : config.skipped)
        log.info("skipping unsupported Ignition field " + field);

    Applier applier(root, system, ::geteuid() == 0);
    auto result = applier.apply(make_plan(config));
    for (const auto &change : result.changes)
        log.info(change);
    for (const auto &note : result.notes)
        log.info(note);
    if (result.changes.empty()) {
        log.info("the system already matches the Ignition config from " + found.from);
        return readiness_for(config, applier);
    }
    log.info("applied the Ignition config from " + found.from + ": " +
             std::to_string(result.changes.size()) +
             (result.changes.size() == 1 ? " change" : " changes"));
    apply_hostname(result, root, system, log);

    system.run({"systemctl", "daemon-reload"});
    Argv start{"systemctl", "start", "--no-block"};
    for (const auto &unit : enabled_units(config))
        if (result.changed_units.count(unit))
            start.push_back(unit);
    if (start.size() > 3) {
        std::vector<std::string> units(start.begin() + 3, start.end());
        non_fatal(log, "start " + join(units, ", "), [&] {
            system.run(start);
            log.info("started " + join(units, ", "));
        });
    }
    return readiness_for(config, applier);
}

std::vector<Check> readiness_checks(const Readiness &readiness, const Root &root,
                                    const ReadyChannel &ready) {
    std::vector<Check> checks;
    checks.push_back(
        {"sshd on 127.0.0.1:" + std::to_string(ssh_port), [] { return tcp_accepts(ssh_port); }});
    if (!readiness.podman_socket.empty()) {
        auto socket = root.host(readiness.podman_socket);
        // Its socket accepting is enough: systemd holds the connection while the engine starts,
        // and this first one starts it, so it comes up while the host sets up its end (`machine
        // start` waits for its first answer before it returns).
        checks.push_back({"the podman API socket " + readiness.podman_socket,
                          [socket] { return unix_socket_accepts(socket); }});
    }
    if (auto port = ready.port) // a vsock host is waited for as Ready is sent
        checks.push_back({"the ready port " + port->string(),
                          [port] { return stat_path(*port, true).has_value(); }});
    return checks;
}

} // namespace

void run_agent(const Options &options, System &system, const Log &log) {
    Root root(options.root);
    auto ready = ready_channel(options, root);
    auto marker = root.host(marker_path);

    log.milestone("started");
    Readiness readiness;
    auto previous = read_file(marker);
    // A host that serves the config over vsock has it up before the guest boots: a provisioned
    // machine asks briefly, a new one as long as it would wait for anything.
    auto vsock_wait =
        previous ? std::chrono::milliseconds(2000) : std::chrono::milliseconds(options.timeout);
    if (auto config = find_config(options, root, vsock_wait)) {
        readiness = provision(*config, root, system, log);
    } else if (previous) {
        log.info("no Ignition config this boot; provisioned before, so only checking readiness");
        readiness = parse_marker(*previous);
    } else {
        throw NotProvisioned("no Ignition config (fw_cfg, a seed disk, Hyper-V KVP, vsock) and "
                             "this machine was never "
                             "provisioned");
    }
    notify_systemd("READY=1\nSTATUS=provisioned; waiting for sshd and the podman socket");

    if (options.wait) {
        auto checks = readiness_checks(readiness, root, ready);
        std::vector<std::string> names;
        for (const auto &check : checks)
            names.push_back(check.description);
        log.info("waiting for " + join(names, ", "));
        wait_until_ready(std::move(checks), options.timeout);
    }
    send_ready(ready, options.timeout);
    log.info("sent Ready to " + ready.describe());
    notify_systemd("STATUS=ready");

    non_fatal(log, "record " + marker.string(), [&] {
        auto contents = render_marker(readiness);
        if (read_file(marker) != contents) {
            make_parents(marker);
            write_atomically(marker, contents, marker_mode, std::nullopt);
        }
    });

    // After Ready: under software emulation resize2fs costs seconds of CPU the boot needs, and
    // a machine with its image-sized filesystem works meanwhile (the resize is online).
    if (root.is_system_root()) {
        non_fatal(log, "grow the root filesystem", [&] { log.info(grow_root_filesystem(system)); });
    } else {
        log.info("not growing the root filesystem under --root " + root.dir().string());
    }
}

} // namespace machine::agent

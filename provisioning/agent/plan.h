#pragma once
// The pure half of the agent: a parsed Config becomes an ordered list of actions, each of them
// idempotent ("ensure this is so"), which apply.h carries out under a root prefix. Order, as
// Ignition's: users first (files may belong to them), then storage nodes parents-first, then
// units (their files and links last, so a unit written by storage.files can be enabled).
#include "provisioning/agent/ignition.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace machine::agent {

// Every action carries `field`, the config field it came from, for error messages, and `unit`,
// the systemd unit it belongs to (empty for storage nodes), so the agent knows what to start.

// The user exists (useradd -m when missing) and belongs to `groups`.
struct EnsureUser {
    std::string field;
    std::string name;
    std::optional<std::uint32_t> uid;
    std::vector<std::string> groups;
};

// A 65536-id range in /etc/subuid and /etc/subgid, for rootless podman (not for root).
struct EnsureSubordinateIds {
    std::string field;
    std::string user;
};

// ~/.ssh (0700) and ~/.ssh/authorized_keys (0600), owned by the user, hold `keys`.
struct EnsureAuthorizedKeys {
    std::string field;
    std::string user;
    std::vector<std::string> keys;
};

struct EnsureDirectory {
    std::string field;
    std::string path;
    unsigned mode = 0755;
    bool overwrite = false;
    Owner user, group;
};

// Without `contents` an existing file keeps its bytes (only mode and owner are applied) and a
// missing one is created empty. With `overwrite` false an existing file with other contents is
// left as it is.
struct EnsureFile {
    std::string field;
    std::string path;
    std::optional<std::string> contents;
    unsigned mode = 0644;
    bool overwrite = false;
    Owner user, group;
    std::string unit;
};

struct EnsureLink {
    std::string field;
    std::string path;
    std::string target;
    bool hard = false;
    bool overwrite = false;
    Owner user, group;
    std::string unit;
};

// Removes the symlink at `path` if it points to `target` (unmasking: "-> /dev/null").
struct RemoveLink {
    std::string field;
    std::string path;
    std::string target;
    std::string unit;
};

// The links `systemctl enable` would make, from the [Install] section of the unit file
// found at apply time (/etc/systemd/system, then /lib and /usr/lib/systemd/system).
struct EnableUnit {
    std::string field;
    std::string unit;
};

struct DisableUnit {
    std::string field;
    std::string unit;
};

using Action = std::variant<EnsureUser, EnsureSubordinateIds, EnsureAuthorizedKeys, EnsureDirectory,
                            EnsureFile, EnsureLink, RemoveLink, EnableUnit, DisableUnit>;
using Plan = std::vector<Action>;

Plan make_plan(const Config &config);

// One line per action, for logs and tests: "file /etc/hostname 0644 root:root".
std::string describe(const Action &action);

// Which podman API socket says "ready": rootful when the config enables podman.socket
// system-wide, otherwise the rootless socket of the first user (none without users).
struct PodmanApi {
    bool rootful = false;
    std::string user; // the rootless user; empty when rootful
    bool operator==(const PodmanApi &) const = default;
};
std::optional<PodmanApi> podman_api(const Config &config);

// The units the config enables (and does not mask), in config order.
std::vector<std::string> enabled_units(const Config &config);

} // namespace machine::agent

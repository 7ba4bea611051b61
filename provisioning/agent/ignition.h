#pragma once
// The Ignition v3 subset the agent applies, parsed into plain values. Parsing is pure: it
// decodes every data: URL and checks every type, path, mode and name up front, so a malformed
// config fails (ConfigError naming the field) before anything on the system changes.
//
//   ignition.version           "3.x.y" (other majors are rejected)
//   passwd.users[]             name, uid, groups[], sshAuthorizedKeys[]
//   storage.directories[]      path, mode, overwrite, user, group
//   storage.files[]            path, mode, overwrite, user, group, contents.source (data: only)
//   storage.links[]            path, target, hard, overwrite, user, group
//   systemd.units[]            name, enabled, mask, contents, dropins[] {name, contents}
// user/group objects are {id} or {name}. Any other field with a non-empty value is listed in
// `Config::skipped` ("kernelArguments", "storage.disks", "passwd.users[0].passwordHash").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace machine::agent {

// The owner of a node: by id, or by name (resolved at apply time); neither means root.
struct Owner {
    std::optional<std::uint32_t> id;
    std::string name;
    bool operator==(const Owner &) const = default;
};

struct User {
    std::string field; // "passwd.users[0]", for messages
    std::string name;
    std::optional<std::uint32_t> uid;
    std::vector<std::string> groups;
    std::vector<std::string> ssh_authorized_keys;
};

struct Directory {
    std::string field;
    std::string path; // absolute and normalized: no "..", ".", "//" or trailing "/"
    std::optional<unsigned> mode;
    bool overwrite = false;
    Owner user, group;
};

struct File {
    std::string field;
    std::string path;
    std::optional<unsigned> mode;
    bool overwrite = false;
    Owner user, group;
    std::optional<std::string> contents; // decoded; none means "no source given"
};

struct Link {
    std::string field;
    std::string path;
    std::string target;
    bool hard = false;
    bool overwrite = false;
    Owner user, group;
};

struct Dropin {
    std::string name; // ends with ".conf"
    std::optional<std::string> contents;
};

struct Unit {
    std::string field;
    std::string name;
    std::optional<bool> enabled;
    std::optional<bool> mask;
    std::optional<std::string> contents;
    std::vector<Dropin> dropins;
};

struct Config {
    std::string version;
    std::vector<User> users;
    std::vector<Directory> directories;
    std::vector<File> files;
    std::vector<Link> links;
    std::vector<Unit> units;
    std::vector<std::string> skipped; // fields present and not applied
};

// Throws ConfigError naming the field at fault.
Config parse_ignition(std::string_view text);

} // namespace machine::agent

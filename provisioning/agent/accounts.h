#pragma once
// The account files the agent reads and extends, as text in and data out, so every rule is
// tested without root: /etc/passwd, /etc/group, /etc/subuid + /etc/subgid, authorized_keys.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace machine::agent {

struct PasswdEntry {
    std::string name;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::string home;
    std::string shell;
};

struct GroupEntry {
    std::string name;
    std::uint32_t gid = 0;
    std::vector<std::string> members;
};

// A subordinate id range of /etc/subuid or /etc/subgid: "owner:start:count".
struct SubidRange {
    std::string owner; // a user name or a uid in decimal
    std::uint64_t start = 0;
    std::uint64_t count = 0;
};

// Lines that do not parse (comments, NIS "+" lines, damage) are skipped: not ours to judge.
std::vector<PasswdEntry> parse_passwd(std::string_view text);
std::vector<GroupEntry> parse_group(std::string_view text);
std::vector<SubidRange> parse_subids(std::string_view text);

std::optional<PasswdEntry> find_user(const std::vector<PasswdEntry> &users, std::string_view name);
std::optional<GroupEntry> find_group(const std::vector<GroupEntry> &groups, std::string_view name);

// True when `user` (name or uid) already owns a range.
bool has_subids(const std::vector<SubidRange> &ranges, std::string_view user, std::uint32_t uid);

// The lowest start >= `first` whose `count` ids overlap no existing range: rootless podman's
// usual 100000:65536 for the first user, the next free block for the others.
std::uint64_t free_subid_start(const std::vector<SubidRange> &ranges, std::uint64_t count = 65536,
                               std::uint64_t first = 100000);

// `existing` authorized_keys text with each of `keys` appended unless a line already holds it;
// the user's own lines are kept (keys are added, never removed). Ends with a newline.
std::string merge_authorized_keys(std::string_view existing, const std::vector<std::string> &keys);

// A name useradd takes and no argv can mistake for a flag: [A-Za-z_][A-Za-z0-9_.-]*$?, at most
// 32 characters.
bool valid_account_name(std::string_view name);

} // namespace machine::agent

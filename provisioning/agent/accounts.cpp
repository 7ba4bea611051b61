#include "provisioning/agent/accounts.h"

#include "provisioning/agent/text.h"

#include <algorithm>
#include <charconv>

namespace machine::agent {

namespace {

constexpr std::size_t max_name_length = 32;

template <typename Number> std::optional<Number> number(std::string_view text) {
    Number value{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// Non-empty lines that are not comments.
std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    for (auto line : split(text, '\n')) {
        line = trim(line);
        if (!line.empty() && line.front() != '#')
            out.push_back(line);
    }
    return out;
}

} // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
    std::vector<PasswdEntry> users;
    for (auto line : lines(text)) {
        auto fields = split(line, ':');
        if (fields.size() != 7)
            continue;
        auto uid = number<std::uint32_t>(fields[2]);
        auto gid = number<std::uint32_t>(fields[3]);
        if (fields[0].empty() || !uid || !gid)
            continue;
        users.push_back(
            {std::string(fields[0]), *uid, *gid, std::string(fields[5]), std::string(fields[6])});
    }
    return users;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
    std::vector<GroupEntry> groups;
    for (auto line : lines(text)) {
        auto fields = split(line, ':');
        if (fields.size() != 4)
            continue;
        auto gid = number<std::uint32_t>(fields[2]);
        if (fields[0].empty() || !gid)
            continue;
        GroupEntry group{std::string(fields[0]), *gid, {}};
        if (!fields[3].empty())
            for (auto member : split(fields[3], ','))
                if (!trim(member).empty())
                    group.members.emplace_back(trim(member));
        groups.push_back(std::move(group));
    }
    return groups;
}

std::vector<SubidRange> parse_subids(std::string_view text) {
    std::vector<SubidRange> ranges;
    for (auto line : lines(text)) {
        auto fields = split(line, ':');
        if (fields.size() != 3)
            continue;
        auto start = number<std::uint64_t>(fields[1]);
        auto count = number<std::uint64_t>(fields[2]);
        if (fields[0].empty() || !start || !count)
            continue;
        ranges.push_back({std::string(fields[0]), *start, *count});
    }
    return ranges;
}

std::optional<PasswdEntry> find_user(const std::vector<PasswdEntry> &users, std::string_view name) {
    for (const auto &user : users)
        if (user.name == name)
            return user;
    return std::nullopt;
}

std::optional<GroupEntry> find_group(const std::vector<GroupEntry> &groups, std::string_view name) {
    for (const auto &group : groups)
        if (group.name == name)
            return group;
    return std::nullopt;
}

bool has_subids(const std::vector<SubidRange> &ranges, std::string_view user, std::uint32_t uid) {
    auto uid_text = std::to_string(uid);
    return std::any_of(ranges.begin(), ranges.end(), [&](const SubidRange &range) {
        return range.owner == user || range.owner == uid_text;
    });
}

std::uint64_t free_subid_start(const std::vector<SubidRange> &ranges, std::uint64_t count,
                               std::uint64_t first) {
    auto start = first;
    for (bool moved = true; moved;) {
        moved = false;
        for (const auto &range : ranges) {
            bool overlaps = start < range.start + range.count && range.start < start + count;
            if (overlaps) {
                start = range.start + range.count;
                moved = true;
            }
        }
    }
    return start;
}

std::string merge_authorized_keys(std::string_view existing, const std::vector<std::string> &keys) {
    std::string out(existing);
    if (!out.empty() && out.back() != '\n')
        out += '\n';
    auto present = lines(existing);
    for (const auto &key : keys) {
        auto wanted = trim(key);
        bool found = std::any_of(present.begin(), present.end(),
                                 [&](std::string_view line) { return line == wanted; });
        if (!found) {
            out += wanted;
            out += '\n';
            present.push_back(wanted);
        }
    }
    return out;
}

bool valid_account_name(std::string_view name) {
    if (name.empty() || name.size() > max_name_length)
        return false;
    if (name.back() == '$')
        name.remove_suffix(1);
    auto letter = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    if (name.empty() || !letter(name.front()))
        return false;
    return std::all_of(name.begin(), name.end(), [&](char c) {
        return letter(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
    });
}

} // namespace machine::agent

#include "provisioning/agent/plan.h"

#include "provisioning/agent/text.h"
#include "provisioning/agent/unit_file.h"

#include <algorithm>

namespace machine::agent {

namespace {

constexpr unsigned default_file_mode = 0644;
constexpr unsigned default_directory_mode = 0755;
constexpr unsigned unit_file_mode = 0644;

template <typename... Ts> struct Overloaded : Ts... { using Ts::operator()...; };
template <typename... Ts> Overloaded(Ts...) -> Overloaded<Ts...>;

std::string owner_text(const Owner &owner) {
    if (owner.id)
        return std::to_string(*owner.id);
    return owner.name.empty() ? "root" : owner.name;
}

std::string ownership_text(const Owner &user, const Owner &group) {
    return owner_text(user) + ":" + owner_text(group);
}

std::size_t depth(const std::string &path) {
    return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

void plan_unit(const Unit &unit, Plan &plan) {
    const auto path = std::string(admin_unit_directory) + "/" + unit.name;
    if (unit.mask == true) {
        plan.push_back(
            EnsureLink{unit.field + ".mask", path, "/dev/null", false, true, {}, {}, unit.name});
    } else {
        if (unit.mask == false)
            plan.push_back(RemoveLink{unit.field + ".mask", path, "/dev/null", unit.name});
        if (unit.contents)
            plan.push_back(EnsureFile{unit.field + ".contents",
                                      path,
                                      unit.contents,
                                      unit_file_mode,
                                      true,
                                      {},
                                      {},
                                      unit.name});
    }
    for (std::size_t i = 0; i < unit.dropins.size(); ++i) {
        const auto &dropin = unit.dropins[i];
        if (dropin.contents)
            plan.push_back(EnsureFile{unit.field + ".dropins[" + std::to_string(i) + "]",
                                      path + ".d/" + dropin.name,
                                      dropin.contents,
                                      unit_file_mode,
                                      true,
                                      {},
                                      {},
                                      unit.name});
    }
    if (unit.mask != true && unit.enabled == true)
        plan.push_back(EnableUnit{unit.field + ".enabled", unit.name});
    if (unit.mask != true && unit.enabled == false)
        plan.push_back(DisableUnit{unit.field + ".enabled", unit.name});
}

} // namespace

Plan make_plan(const Config &config) {
    Plan plan;
    for (const auto &user : config.users) {
        plan.push_back(EnsureUser{user.field, user.name, user.uid, user.groups});
        if (user.name != "root" && user.uid != 0u)
            plan.push_back(EnsureSubordinateIds{user.field, user.name});
        if (!user.ssh_authorized_keys.empty())
            plan.push_back(EnsureAuthorizedKeys{user.field + ".sshAuthorizedKeys", user.name,
                                                user.ssh_authorized_keys});
    }

    // Parents before children whatever the config's order, as Ignition does.
    std::vector<std::pair<std::size_t, Action>> nodes;
    for (const auto &d : config.directories)
        nodes.emplace_back(depth(d.path),
                           EnsureDirectory{d.field, d.path, d.mode.value_or(default_directory_mode),
                                           d.overwrite, d.user, d.group});
    for (const auto &f : config.files)
        nodes.emplace_back(depth(f.path), EnsureFile{f.field, f.path, f.contents,
                                                     f.mode.value_or(default_file_mode),
                                                     f.overwrite, f.user, f.group, ""});
    for (const auto &l : config.links)
        nodes.emplace_back(depth(l.path), EnsureLink{l.field, l.path, l.target, l.hard, l.overwrite,
                                                     l.user, l.group, ""});
    std::stable_sort(nodes.begin(), nodes.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    for (auto &node : nodes)
        plan.push_back(std::move(node.second));

    for (const auto &unit : config.units)
        plan_unit(unit, plan);
    return plan;
}

std::string describe(const Action &action) {
    return std::visit(
        Overloaded{
            [](const EnsureUser &a) {
                auto text = "user " + a.name;
                if (a.uid)
                    text += " uid " + std::to_string(*a.uid);
                if (!a.groups.empty())
                    text += " groups " + join(a.groups, ",");
                return text;
            },
            [](const EnsureSubordinateIds &a) { return "subordinate ids for " + a.user; },
            [](const EnsureAuthorizedKeys &a) {
                return "authorized keys for " + a.user + " (" + std::to_string(a.keys.size()) +
                       (a.keys.size() == 1 ? " key)" : " keys)");
            },
            [](const EnsureDirectory &a) {
                return "directory " + a.path + " " + octal(a.mode) + " " +
                       ownership_text(a.user, a.group);
            },
            [](const EnsureFile &a) {
                return "file " + a.path + " " + octal(a.mode) + " " +
                       ownership_text(a.user, a.group) +
                       (a.contents ? " (" + std::to_string(a.contents->size()) + " bytes)"
                                   : " (no contents)");
            },
            [](const EnsureLink &a) {
                return std::string(a.hard ? "hard link " : "symlink ") + a.path + " -> " + a.target;
            },
            [](const RemoveLink &a) { return "remove " + a.path + " if -> " + a.target; },
            [](const EnableUnit &a) { return "enable " + a.unit; },
            [](const DisableUnit &a) { return "disable " + a.unit; },
        },
        action);
}

std::optional<PodmanApi> podman_api(const Config &config) {
    for (const auto &unit : config.units)
        if (unit.name == "podman.socket" && unit.enabled == true && unit.mask != true)
            return PodmanApi{true, ""};
    if (config.users.empty())
        return std::nullopt;
    return PodmanApi{false, config.users.front().name};
}

std::vector<std::string> enabled_units(const Config &config) {
    std::vector<std::string> names;
    for (const auto &unit : config.units)
        if (unit.enabled == true && unit.mask != true)
            names.push_back(unit.name);
    return names;
}

} // namespace machine::agent

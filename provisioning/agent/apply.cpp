#include "provisioning/agent/apply.h"

#include "provisioning/agent/errors.h"
#include "provisioning/agent/text.h"
#include "provisioning/agent/unit_file.h"

#include <algorithm>
#include <unistd.h>

namespace machine::agent {

namespace fs = std::filesystem;

namespace {

constexpr unsigned home_mode = 0755;
constexpr unsigned ssh_directory_mode = 0700;
constexpr unsigned authorized_keys_mode = 0600;
constexpr unsigned account_file_mode = 0644;
constexpr std::uint64_t subid_count = 65536;
constexpr int max_symlink_hops = 8;

std::string ownership_text(Ownership owner) {
    return std::to_string(owner.uid) + ":" + std::to_string(owner.gid);
}

bool is_directory(const struct stat &st) {
    return S_ISDIR(st.st_mode);
}
bool is_regular(const struct stat &st) {
    return S_ISREG(st.st_mode);
}
bool is_symlink(const struct stat &st) {
    return S_ISLNK(st.st_mode);
}

} // namespace

Applier::Applier(Root root, System &system, bool manage_ownership)
    : root_(std::move(root)), system_(system), manage_ownership_(manage_ownership) {}

ApplyResult Applier::apply(const Plan &plan) {
    result_ = {};
    for (const auto &action : plan)
        std::visit([this](const auto &a) { run(a); }, action);
    return std::move(result_);
}

void Applier::changed(const std::string &what, const std::string &unit) {
    result_.changes.push_back(what);
    if (!unit.empty())
        result_.changed_units.insert(unit);
}

void Applier::created_parents(const fs::path &path, const std::string &unit) {
    for (const auto &parent : make_parents(path))
        changed("created directory " + root_.guest(parent), unit);
}

std::optional<PasswdEntry> Applier::user(const std::string &name) const {
    return find_user(parse_passwd(read_file(root_.host("/etc/passwd")).value_or("")), name);
}

std::optional<Ownership> Applier::resolve(const Owner &user, const Owner &group,
                                          const std::string &field) const {
    Ownership owner;
    if (user.id) {
        owner.uid = *user.id;
    } else if (!user.name.empty()) {
        auto entry = this->user(user.name);
        if (!entry)
            throw ApplyError(field + ".user.name",
                             "no user " + quote(user.name) + " in /etc/passwd");
        owner.uid = entry->uid;
    }
    if (group.id) {
        owner.gid = *group.id;
    } else if (!group.name.empty()) {
        auto entry =
            find_group(parse_group(read_file(root_.host("/etc/group")).value_or("")), group.name);
        if (!entry)
            throw ApplyError(field + ".group.name",
                             "no group " + quote(group.name) + " in /etc/group");
        owner.gid = entry->gid;
    }
    if (!manage_ownership_)
        return std::nullopt;
    return owner;
}

void Applier::fix_attributes(const fs::path &path, const struct stat &st,
                             const std::string &guest_path, std::optional<unsigned> mode,
                             std::optional<Ownership> owner, const std::string &unit) {
    bool symlink = is_symlink(st);
    bool chowned = false;
    // Owner first: chown clears the set-id bits that the mode may then set again.
    if (owner && (st.st_uid != owner->uid || st.st_gid != owner->gid)) {
        change_owner(path, *owner, symlink);
        changed("changed the owner of " + guest_path + " to " + ownership_text(*owner), unit);
        chowned = true;
    }
    if (!mode || symlink)
        return;
    if ((st.st_mode & 07777) != *mode) {
        change_mode(path, *mode);
        changed("changed the mode of " + guest_path + " to " + octal(*mode), unit);
    } else if (chowned && (*mode & 06000) != 0) {
        change_mode(path, *mode);
    }
}

void Applier::run(const EnsureUser &action) {
    auto groups = parse_group(read_file(root_.host("/etc/group")).value_or(""));
    for (std::size_t i = 0; i < action.groups.size(); ++i)
        if (!find_group(groups, action.groups[i]))
            throw ApplyError(action.field + ".groups[" + std::to_string(i) + "]",
                             "group " + quote(action.groups[i]) + " does not exist");

    auto existing = user(action.name);
    if (!existing) {
        Argv argv{"useradd", "--create-home", "--shell", "/bin/bash"};
        // A group named after the user (left by an earlier account) becomes its primary group.
        if (find_group(groups, action.name))
            argv.insert(argv.end(), {"--gid", action.name});
        else
            argv.push_back("--user-group");
        if (action.uid)
            argv.insert(argv.end(), {"--uid", std::to_string(*action.uid)});
        if (!action.groups.empty())
            argv.insert(argv.end(), {"--groups", join(action.groups, ",")});
        argv.push_back(action.name);
        system_.run(argv);
        changed("created user " + action.name);
        return;
    }
    if (action.uid && existing->uid != *action.uid)
        note("user " + action.name + " exists with uid " + std::to_string(existing->uid) +
             ", not " + std::to_string(*action.uid) + ": left as it is");
    std::vector<std::string> missing;
    for (const auto &name : action.groups) {
        auto group = *find_group(groups, name);
        bool member = group.gid == existing->gid ||
                      std::find(group.members.begin(), group.members.end(), action.name) !=
                          group.members.end();
        if (!member)
            missing.push_back(name);
    }
    if (!missing.empty()) {
        system_.run({"usermod", "--append", "--groups", join(missing, ","), action.name});
        changed("added " + action.name + " to " + join(missing, ", "));
    }
}

void Applier::run(const EnsureSubordinateIds &action) {
    auto entry = user(action.user);
    if (!entry)
        throw ApplyError(action.field + ".name", "user " + quote(action.user) +
                                                     " is missing from /etc/passwd after useradd");
    if (entry->uid == 0)
        return;
    constexpr std::pair<const char *, const char *> files[] = {{"/etc/subuid", "uids"},
                                                               {"/etc/subgid", "gids"}};
    for (const auto &[file, kind] : files) {
        auto path = root_.host(file);
        auto st = stat_path(path, true);
        auto text = read_file(path).value_or("");
        auto ranges = parse_subids(text);
        if (has_subids(ranges, entry->name, entry->uid))
            continue;
        auto start = free_subid_start(ranges, subid_count);
        if (!text.empty() && text.back() != '\n')
            text += '\n';
        text +=
            entry->name + ":" + std::to_string(start) + ":" + std::to_string(subid_count) + "\n";
        created_parents(path, {});
        write_atomically(path, text, st ? st->st_mode & 07777 : account_file_mode,
                         st && manage_ownership_ ? std::optional(Ownership{st->st_uid, st->st_gid})
                                                 : std::nullopt);
        changed("added subordinate " + std::string(kind) + " " + std::to_string(start) + "-" +
                std::to_string(start + subid_count - 1) + " for " + entry->name);
    }
}

void Applier::run(const EnsureAuthorizedKeys &action) {
    auto entry = user(action.user);
    if (!entry)
        throw ApplyError(action.field, "user " + quote(action.user) +
                                           " is missing from /etc/passwd after useradd");
    if (entry->home.empty() || entry->home.front() != '/')
        throw ApplyError(action.field, "user " + quote(action.user) + " has no home directory");
    std::optional<Ownership> owner;
    if (manage_ownership_)
        owner = Ownership{entry->uid, entry->gid};

    auto home = root_.host(entry->home);
    if (!stat_path(home, true)) {
        created_parents(home, {});
        make_directory(home, home_mode);
        if (owner)
            change_owner(home, *owner);
        changed("created directory " + entry->home);
    }

    // The home belongs to the user: never write through a link they could have planted.
    auto ssh_guest = (entry->home == "/" ? "" : entry->home) + "/.ssh";
    auto ssh = root_.host(ssh_guest);
    auto st = stat_path(ssh);
    if (st && !is_directory(*st))
        throw ApplyError(action.field, ssh_guest + " is not a directory (" +
                                           (is_symlink(*st) ? "a symlink" : "a file") +
                                           "): not writing keys through it");
    if (!st) {
        make_directory(ssh, ssh_directory_mode);
        if (owner)
            change_owner(ssh, *owner);
        changed("created directory " + ssh_guest);
    } else {
        fix_attributes(ssh, *st, ssh_guest, ssh_directory_mode, owner, {});
    }

    auto keys_guest = ssh_guest + "/authorized_keys";
    auto keys = root_.host(keys_guest);
    auto keys_st = stat_path(keys);
    if (keys_st && is_directory(*keys_st))
        throw ApplyError(action.field, keys_guest + " is a directory");
    std::string existing;
    if (keys_st && is_regular(*keys_st))
        existing = read_file(keys).value_or("");
    auto merged = merge_authorized_keys(existing, action.keys);
    if (!keys_st || !is_regular(*keys_st) || merged != existing) {
        write_atomically(keys, merged, authorized_keys_mode, owner);
        changed("wrote " + keys_guest);
    } else {
        fix_attributes(keys, *keys_st, keys_guest, authorized_keys_mode, owner, {});
    }
}

void Applier::run(const EnsureDirectory &action) {
    auto owner = resolve(action.user, action.group, action.field);
    auto path = root_.host(action.path);
    // A symlink to a directory counts as the directory (e.g. /var/run -> /run).
    auto st = stat_path(path, true);
    if (!st || !is_directory(*st)) {
        if (auto node = stat_path(path)) {
            if (!action.overwrite)
                throw ApplyError(action.field + ".path",
                                 action.path + " exists and is not a directory (set overwrite to "
                                               "replace it)");
            remove_file(path);
            changed("removed " + action.path);
        }
        created_parents(path, {});
        make_directory(path, action.mode);
        if (owner)
            change_owner(path, *owner);
        changed("created directory " + action.path + " " + octal(action.mode));
        return;
    }
    fix_attributes(path, *st, action.path, action.mode, owner, {});
}

void Applier::run(const EnsureFile &action) {
    auto owner = resolve(action.user, action.group, action.field);
    auto path = root_.host(action.path);
    auto st = stat_path(path);
    if (st && is_directory(*st))
        throw ApplyError(action.field + ".path", action.path + " is a directory");
    if (st && is_regular(*st)) {
        if (!action.contents) {
            fix_attributes(path, *st, action.path, action.mode, owner, action.unit);
            return;
        }
        if (read_file(path) == action.contents) {
            fix_attributes(path, *st, action.path, action.mode, owner, action.unit);
            return;
        }
    }
    if (st && !action.overwrite) {
        note("kept " + action.path + " as it is, unlike the config (overwrite is false)");
        return;
    }
    created_parents(path, action.unit);
    write_atomically(path, action.contents.value_or(""), action.mode, owner);
    changed("wrote " + action.path, action.unit);
    result_.written_files.insert(action.path);
}

void Applier::ensure_symlink(const std::string &guest_path, const std::string &target,
                             bool overwrite, std::optional<Ownership> owner,
                             const std::string &field, const std::string &unit) {
    auto path = root_.host(guest_path);
    auto st = stat_path(path);
    if (st && is_symlink(*st) && link_target(path) == target) {
        fix_attributes(path, *st, guest_path, std::nullopt, owner, unit);
        return;
    }
    if (st && is_directory(*st))
        throw ApplyError(field, guest_path + " is a directory, not a link");
    if (st && !overwrite) {
        note("kept " + guest_path + " as it is, unlike the config (overwrite is false)");
        return;
    }
    created_parents(path, unit);
    symlink_atomically(target, path);
    if (owner && !(*owner == Ownership{::geteuid(), ::getegid()}))
        change_owner(path, *owner, true);
    changed("linked " + guest_path + " -> " + target, unit);
}

void Applier::run(const EnsureLink &action) {
    auto owner = resolve(action.user, action.group, action.field);
    if (!action.hard) {
        ensure_symlink(action.path, action.target, action.overwrite, owner, action.field + ".path",
                       action.unit);
        return;
    }
    auto path = root_.host(action.path);
    auto target = root_.host(action.target);
    auto target_st = stat_path(target);
    if (!target_st || is_directory(*target_st))
        throw ApplyError(action.field + ".target",
                         action.target + (target_st ? " is a directory" : " does not exist"));
    auto st = stat_path(path);
    if (st && st->st_dev == target_st->st_dev && st->st_ino == target_st->st_ino)
        return;
    if (st && is_directory(*st))
        throw ApplyError(action.field + ".path", action.path + " is a directory, not a link");
    if (st && !action.overwrite) {
        note("kept " + action.path + " as it is, unlike the config (overwrite is false)");
        return;
    }
    created_parents(path, action.unit);
    hardlink_atomically(target, path);
    changed("linked " + action.path + " to " + action.target, action.unit);
}

void Applier::run(const RemoveLink &action) {
    auto path = root_.host(action.path);
    if (link_target(path) == action.target) {
        remove_file(path);
        changed("removed " + action.path + " (-> " + action.target + ")", action.unit);
    }
}

std::optional<Applier::FoundUnit> Applier::find_unit(const std::string &name) const {
    auto instance_of = template_of(name);
    for (const auto &candidate : {name, instance_of}) {
        if (candidate.empty())
            continue;
        for (const auto &directory : unit_directories) {
            auto guest_path = directory + "/" + candidate;
            // Follow links by hand, so absolute targets stay under the root prefix.
            auto path = root_.host(guest_path);
            for (int hop = 0; hop < max_symlink_hops; ++hop) {
                auto target = link_target(path);
                if (!target)
                    break;
                if (*target == "/dev/null")
                    return FoundUnit{guest_path, "", true};
                path = target->front() == '/' ? root_.host(*target) : path.parent_path() / *target;
            }
            auto st = stat_path(path, true);
            if (st && is_regular(*st))
                return FoundUnit{guest_path, read_file(path).value_or("")};
        }
    }
    return std::nullopt;
}

void Applier::run(const EnableUnit &action) {
    auto unit = find_unit(action.unit);
    if (!unit)
        throw ApplyError(action.field, "cannot enable " + action.unit + ": no unit file in " +
                                           join(unit_directories, ", "));
    if (unit->masked)
        throw ApplyError(action.field,
                         "cannot enable " + action.unit + ": it is masked (" + unit->path + ")");
    auto install = parse_install_section(unit->contents);
    auto links = enable_links(action.unit, unit->path, install);
    if (links.empty())
        note(action.unit + " has no WantedBy=, RequiredBy= or Alias= to enable it by");
    if (!install.also.empty())
        note("not enabling " + join(install.also, ", ") + " (Also= of " + action.unit + ")");
    std::optional<Ownership> root_owner;
    if (manage_ownership_)
        root_owner = Ownership{};
    for (const auto &link : links)
        ensure_symlink(link.path, link.target, true, root_owner, action.field, action.unit);
}

void Applier::run(const DisableUnit &action) {
    auto unit = find_unit(action.unit);
    if (!unit || unit->masked)
        return;
    for (const auto &link :
         enable_links(action.unit, unit->path, parse_install_section(unit->contents))) {
        auto path = root_.host(link.path);
        if (auto st = stat_path(path); st && is_symlink(*st)) {
            remove_file(path);
            changed("removed " + link.path, action.unit);
        }
    }
}

} // namespace machine::agent

#include "provisioning/agent/ignition.h"

#include "provisioning/agent/accounts.h"
#include "provisioning/agent/data_url.h"
#include "provisioning/agent/errors.h"
#include "provisioning/agent/text.h"
#include "provisioning/agent/unit_file.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace machine::agent {

namespace {

using nlohmann::json;

constexpr std::uint64_t max_id = 4294967294u; // (uint32_t)-1 means "no id" to the kernel
constexpr std::uint64_t max_mode = 07777;

std::string member_field(const std::string &field, const std::string &key) {
    return field.empty() ? key : field + "." + key;
}

std::string index_field(const std::string &field, std::size_t index) {
    return field + "[" + std::to_string(index) + "]";
}

[[noreturn]] void wrong_type(const json &value, const std::string &field, const char *expected) {
    throw ConfigError(field, std::string("expected ") + expected + ", got " + value.type_name());
}

// A value that would change nothing if it were applied: null, false, "", [] or {}.
bool empty_value(const json &value) {
    if (value.is_string())
        return value.get_ref<const std::string &>().empty();
    if (value.is_boolean())
        return !value.get<bool>();
    return value.is_null() || ((value.is_array() || value.is_object()) && value.empty());
}

std::string as_string(const json &value, const std::string &field) {
    if (!value.is_string())
        wrong_type(value, field, "a string");
    return value.get<std::string>();
}

bool as_bool(const json &value, const std::string &field) {
    if (!value.is_boolean())
        wrong_type(value, field, "true or false");
    return value.get<bool>();
}

std::uint64_t as_unsigned(const json &value, const std::string &field, std::uint64_t max) {
    if (!value.is_number_integer())
        wrong_type(value, field, "an integer");
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() > max)
        throw ConfigError(field,
                          value.dump() + " is out of range (0 to " + std::to_string(max) + ")");
    return value.get<std::uint64_t>();
}

const json &as_array(const json &value, const std::string &field) {
    if (!value.is_array())
        wrong_type(value, field, "an array");
    return value;
}

// A JSON object being read: remembers the members asked for, so the rest can be reported as
// skipped once the object is done.
class Object {
public:
    Object(const json &value, std::string field, std::vector<std::string> &skipped)
        : value_(value), field_(std::move(field)), skipped_(skipped) {
        if (!value_.is_object())
            wrong_type(value_, field_, "an object");
    }

    // The member `key`, or nullptr when it is absent or null.
    const json *get(const std::string &key) {
        used_.insert(key);
        auto it = value_.find(key);
        return it == value_.end() || it->is_null() ? nullptr : &*it;
    }

    const json &require(const std::string &key) {
        auto value = get(key);
        if (!value)
            throw ConfigError(field(key), "missing");
        return *value;
    }

    std::string field(const std::string &key) const { return member_field(field_, key); }

    void skip_the_rest() {
        for (auto it = value_.begin(); it != value_.end(); ++it)
            if (!used_.count(it.key()) && !empty_value(it.value()))
                skipped_.push_back(field(it.key()));
    }

private:
    const json &value_;
    std::string field_;
    std::vector<std::string> &skipped_;
    std::set<std::string> used_;
};

bool digits(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// "3.0.0" to "3.5.0", and "3.5.0-experimental".
bool supported_version(std::string_view version) {
    auto dash = version.find('-');
    auto parts = split(version.substr(0, dash), '.');
    return parts.size() == 3 && parts[0] == "3" && digits(parts[1]) && digits(parts[2]);
}

// Absolute, with "." and empty components dropped; ".." is refused so no path leaves the root.
std::string parse_path(const json &value, const std::string &field) {
    auto path = as_string(value, field);
    if (path.empty() || path.front() != '/')
        throw ConfigError(field, quote(path) + " is not an absolute path");
    if (path.find('\0') != std::string::npos)
        throw ConfigError(field, quote(path) + " contains a NUL byte");
    std::string normal;
    for (auto part : split(path, '/')) {
        if (part.empty() || part == ".")
            continue;
        if (part == "..")
            throw ConfigError(field, quote(path) + " must not contain \"..\"");
        normal += '/';
        normal += part;
    }
    if (normal.empty())
        throw ConfigError(field, "\"/\" itself cannot be a file, directory or link");
    return normal;
}

unsigned parse_mode(const json &value, const std::string &field) {
    if (!value.is_number_integer())
        wrong_type(value, field, "an integer (the decimal value of the mode: 420 is 0644)");
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() > max_mode)
        throw ConfigError(field, value.dump() +
                                     " is not a permission mode (give the decimal value of the "
                                     "octal mode, 0 to 4095: 420 is 0644)");
    return static_cast<unsigned>(value.get<std::uint64_t>());
}

std::string parse_account_name(const json &value, const std::string &field) {
    auto name = as_string(value, field);
    if (!valid_account_name(name))
        throw ConfigError(
            field, quote(name) + " is not a valid user or group name ([A-Za-z_][A-Za-z0-9_.-]*, "
                                 "at most 32 characters)");
    return name;
}

Owner parse_owner(const json &value, const std::string &field, std::vector<std::string> &skipped) {
    Object object(value, field, skipped);
    Owner owner;
    if (auto id = object.get("id"))
        owner.id = static_cast<std::uint32_t>(as_unsigned(*id, object.field("id"), max_id));
    if (auto name = object.get("name"))
        owner.name = parse_account_name(*name, object.field("name"));
    object.skip_the_rest();
    return owner;
}

void parse_ownership(Object &object, Owner &user, Owner &group, std::vector<std::string> &skipped) {
    if (auto value = object.get("user"))
        user = parse_owner(*value, object.field("user"), skipped);
    if (auto value = object.get("group"))
        group = parse_owner(*value, object.field("group"), skipped);
}

void parse_ignition_section(const json &value, Config &config) {
    Object object(value, "ignition", config.skipped);
    const auto &version = object.require("version");
    config.version = as_string(version, "ignition.version");
    if (!supported_version(config.version))
        throw ConfigError("ignition.version", "unsupported version " + quote(config.version) +
                                                  " (the agent reads Ignition 3.x.y)");
    object.skip_the_rest();
}

User parse_user(const json &value, const std::string &field, Config &config) {
    Object object(value, field, config.skipped);
    User user;
    user.field = field;
    user.name = parse_account_name(object.require("name"), object.field("name"));
    if (auto uid = object.get("uid"))
        user.uid = static_cast<std::uint32_t>(as_unsigned(*uid, object.field("uid"), max_id));
    if (auto groups = object.get("groups")) {
        const auto &list = as_array(*groups, object.field("groups"));
        for (std::size_t i = 0; i < list.size(); ++i)
            user.groups.push_back(
                parse_account_name(list[i], index_field(object.field("groups"), i)));
    }
    if (auto keys = object.get("sshAuthorizedKeys")) {
        const auto &list = as_array(*keys, object.field("sshAuthorizedKeys"));
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto key_field = index_field(object.field("sshAuthorizedKeys"), i);
            auto key = as_string(list[i], key_field);
            if (key.find_first_of("\r\n", 0) != std::string::npos ||
                key.find('\0') != std::string::npos)
                throw ConfigError(key_field, "a key must be a single line");
            if (trim(key).empty())
                throw ConfigError(key_field, "empty key");
            user.ssh_authorized_keys.emplace_back(trim(key));
        }
    }
    object.skip_the_rest();
    return user;
}

void parse_passwd_section(const json &value, Config &config) {
    Object object(value, "passwd", config.skipped);
    std::set<std::string> names;
    if (auto users = object.get("users")) {
        const auto &list = as_array(*users, "passwd.users");
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto user = parse_user(list[i], index_field("passwd.users", i), config);
            if (!names.insert(user.name).second)
                throw ConfigError(user.field + ".name",
                                  "user " + quote(user.name) + " is listed twice");
            config.users.push_back(std::move(user));
        }
    }
    object.skip_the_rest();
}

Directory parse_directory(const json &value, const std::string &field, Config &config) {
    Object object(value, field, config.skipped);
    Directory directory;
    directory.field = field;
    directory.path = parse_path(object.require("path"), object.field("path"));
    if (auto mode = object.get("mode"))
        directory.mode = parse_mode(*mode, object.field("mode"));
    if (auto overwrite = object.get("overwrite"))
        directory.overwrite = as_bool(*overwrite, object.field("overwrite"));
    parse_ownership(object, directory.user, directory.group, config.skipped);
    object.skip_the_rest();
    return directory;
}

std::optional<std::string> parse_contents(const json &value, const std::string &field,
                                          Config &config) {
    Object object(value, field, config.skipped);
    std::optional<std::string> contents;
    if (auto compression = object.get("compression")) {
        auto name = as_string(*compression, object.field("compression"));
        if (!name.empty())
            throw ConfigError(object.field("compression"),
                              "compressed contents (" + quote(name) + ") are not supported");
    }
    if (auto source = object.get("source"))
        contents =
            decode_data_url(as_string(*source, object.field("source")), object.field("source"));
    object.skip_the_rest();
    return contents;
}

File parse_file(const json &value, const std::string &field, Config &config) {
    Object object(value, field, config.skipped);
    File file;
    file.field = field;
    file.path = parse_path(object.require("path"), object.field("path"));
    if (auto mode = object.get("mode"))
        file.mode = parse_mode(*mode, object.field("mode"));
    if (auto overwrite = object.get("overwrite"))
        file.overwrite = as_bool(*overwrite, object.field("overwrite"));
    parse_ownership(object, file.user, file.group, config.skipped);
    if (auto contents = object.get("contents"))
        file.contents = parse_contents(*contents, object.field("contents"), config);
    object.skip_the_rest();
    return file;
}

Link parse_link(const json &value, const std::string &field, Config &config) {
    Object object(value, field, config.skipped);
    Link link;
    link.field = field;
    link.path = parse_path(object.require("path"), object.field("path"));
    if (auto hard = object.get("hard"))
        link.hard = as_bool(*hard, object.field("hard"));
    const auto &target = object.require("target");
    if (link.hard) {
        link.target = parse_path(target, object.field("target"));
    } else {
        link.target = as_string(target, object.field("target"));
        if (link.target.empty() || link.target.find('\0') != std::string::npos)
            throw ConfigError(object.field("target"), "a link needs a non-empty target");
    }
    if (auto overwrite = object.get("overwrite"))
        link.overwrite = as_bool(*overwrite, object.field("overwrite"));
    parse_ownership(object, link.user, link.group, config.skipped);
    object.skip_the_rest();
    return link;
}

// Ignition refuses two nodes at one path; so does the agent, naming both.
class PathRegistry {
public:
    void add(const std::string &path, const std::string &field) {
        auto [it, inserted] = fields_.emplace(path, field);
        if (!inserted)
            throw ConfigError(field + ".path", quote(path) + " is also given by " + it->second);
    }

private:
    std::map<std::string, std::string> fields_;
};

void parse_storage_section(const json &value, Config &config) {
    Object object(value, "storage", config.skipped);
    PathRegistry paths;
    if (auto directories = object.get("directories")) {
        const auto &list = as_array(*directories, "storage.directories");
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto directory =
                parse_directory(list[i], index_field("storage.directories", i), config);
            paths.add(directory.path, directory.field);
            config.directories.push_back(std::move(directory));
        }
    }
    if (auto files = object.get("files")) {
        const auto &list = as_array(*files, "storage.files");
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto file = parse_file(list[i], index_field("storage.files", i), config);
            paths.add(file.path, file.field);
            config.files.push_back(std::move(file));
        }
    }
    if (auto links = object.get("links")) {
        const auto &list = as_array(*links, "storage.links");
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto link = parse_link(list[i], index_field("storage.links", i), config);
            paths.add(link.path, link.field);
            config.links.push_back(std::move(link));
        }
    }
    object.skip_the_rest();
}

Dropin parse_dropin(const json &value, const std::string &field, Config &config) {
    Object object(value, field, config.skipped);
    Dropin dropin;
    dropin.name = as_string(object.require("name"), object.field("name"));
    bool plain = !dropin.name.empty() && dropin.name.front() != '.' &&
                 dropin.name.find('/') == std::string::npos &&
                 dropin.name.find('\0') == std::string::npos;
    if (!plain || dropin.name.size() <= 5 ||
        dropin.name.compare(dropin.name.size() - 5, 5, ".conf") != 0)
        throw ConfigError(object.field("name"),
                          quote(dropin.name) + " is not a drop-in name (NAME.conf, no '/')");
    if (auto contents = object.get("contents"))
        dropin.contents = as_string(*contents, object.field("contents"));
    object.skip_the_rest();
    return dropin;
}

Unit parse_unit(const json &value, const std::string &field, Config &config) {
    Object object(value, field, config.skipped);
    Unit unit;
    unit.field = field;
    unit.name = as_string(object.require("name"), object.field("name"));
    if (!valid_unit_name(unit.name))
        throw ConfigError(object.field("name"),
                          quote(unit.name) + " is not a unit name (e.g. foo.service)");
    if (auto enabled = object.get("enabled"))
        unit.enabled = as_bool(*enabled, object.field("enabled"));
    if (auto mask = object.get("mask"))
        unit.mask = as_bool(*mask, object.field("mask"));
    if (auto contents = object.get("contents"))
        unit.contents = as_string(*contents, object.field("contents"));
    if (auto dropins = object.get("dropins")) {
        const auto &list = as_array(*dropins, object.field("dropins"));
        std::set<std::string> names;
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto dropin_field = index_field(object.field("dropins"), i);
            auto dropin = parse_dropin(list[i], dropin_field, config);
            if (!names.insert(dropin.name).second)
                throw ConfigError(dropin_field + ".name",
                                  "drop-in " + quote(dropin.name) + " is listed twice");
            unit.dropins.push_back(std::move(dropin));
        }
    }
    if (unit.mask == true && unit.enabled == true)
        throw ConfigError(object.field("mask"), "a unit cannot be both masked and enabled");
    if (unit.mask == true && unit.contents)
        throw ConfigError(object.field("mask"), "a masked unit cannot have contents");
    object.skip_the_rest();
    return unit;
}

void parse_systemd_section(const json &value, Config &config) {
    Object object(value, "systemd", config.skipped);
    std::set<std::string> names;
    if (auto units = object.get("units")) {
        const auto &list = as_array(*units, "systemd.units");
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto unit = parse_unit(list[i], index_field("systemd.units", i), config);
            if (!names.insert(unit.name).second)
                throw ConfigError(unit.field + ".name",
                                  "unit " + quote(unit.name) + " is listed twice");
            config.units.push_back(std::move(unit));
        }
    }
    object.skip_the_rest();
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: ..." without
// the bracketed prefix.
std::string parse_error_text(const std::string &what) {
    auto end = what.find("] ");
    return end == std::string::npos ? what : what.substr(end + 2);
}

} // namespace

Config parse_ignition(std::string_view text) {
    if (trim(text).empty())
        throw ConfigError("", "the config is empty");
    json document;
    try {
        document = json::parse(text.begin(), text.end());
    } catch (const json::parse_error &error) {
        throw ConfigError("", "not valid JSON: " + parse_error_text(error.what()));
    } catch (
        const json::out_of_range &error) { // a number too large for a double (found by fuzzing)
        throw ConfigError("", std::string("not valid JSON: ") + error.what());
    }
    if (!document.is_object())
        throw ConfigError("", std::string("expected a JSON object at the top level, got ") +
                                  document.type_name());
    Config config;
    Object top(document, "", config.skipped);
    auto ignition = top.get("ignition");
    if (!ignition)
        throw ConfigError("ignition.version", "missing (the agent reads Ignition 3.x.y)");
    parse_ignition_section(*ignition, config);
    if (auto passwd = top.get("passwd"))
        parse_passwd_section(*passwd, config);
    if (auto storage = top.get("storage"))
        parse_storage_section(*storage, config);
    if (auto systemd = top.get("systemd"))
        parse_systemd_section(*systemd, config);
    top.skip_the_rest();
    return config;
}

} // namespace machine::agent

#include "machine/config_file.h"

#include "machine/ca_certs.h"
#include "machine/durations.h"
#include "machine/errors.h"
#include "machine/guest_user.h"
#include "machine/sizes.h"

#include <fmt/format.h>
#include <set>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace machine {

namespace {

// Reads one YAML mapping strictly: every key must be read exactly once, and `finish` reports any
// key nobody asked for. Field paths ("resources.cpus") name the culprit in errors.
class StrictMap {
public:
    StrictMap(const YAML::Node &node, std::string path, const std::string &file)
        : node_(node), path_(std::move(path)), file_(file) {
        if (!node_.IsMap())
            fail(path_.empty() ? "(top level)" : path_, "must be a mapping");
    }

    template <typename T> T get(const std::string &key) {
        auto child = find(key);
        if (!child.IsScalar())
            fail(field(key), "must be a single value");
        try {
            return child.as<T>();
        } catch (const YAML::Exception &) {
            fail(field(key), fmt::format("has the wrong type (\"{}\")", child.Scalar()));
        }
    }

    StrictMap map(const std::string &key) { return StrictMap(find(key), field(key), file_); }

    // Every key of this mapping (for maps whose keys are data, not a schema).
    std::vector<std::string> keys() const {
        std::vector<std::string> keys;
        for (const auto &entry : node_)
            if (entry.first.IsScalar())
                keys.push_back(entry.first.Scalar());
        return keys;
    }

    YAML::Node sequence(const std::string &key) {
        auto child = find(key);
        if (!child.IsSequence())
            fail(field(key), "must be a list");
        return child;
    }

    void finish() const {
        std::set<std::string> keys;
        for (const auto &entry : node_) {
            if (!entry.first.IsScalar())
                fail(path_.empty() ? "(top level)" : path_, "has a key that is not a plain name");
            auto key = entry.first.Scalar();
            if (!keys.insert(key).second)
                fail(field(key), "is given twice");
            if (!seen_.count(key))
                fail(field(key), "is not a known key");
        }
    }

    [[noreturn]] void fail(const std::string &field, const std::string &problem) const {
        throw CorruptConfig(file_, field, problem);
    }

    std::string field(const std::string &key) const {
        return path_.empty() ? key : path_ + "." + key;
    }

private:
    YAML::Node find(const std::string &key) {
        auto child = node_[key];
        if (!child.IsDefined() || child.IsNull())
            fail(field(key), "is missing");
        seen_.insert(key);
        return child;
    }

    YAML::Node node_;
    std::string path_;
    const std::string &file_;
    std::set<std::string> seen_;
};

} // namespace

std::string config_to_yaml(const MachineConfig &c) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "schema_version" << YAML::Value << config_schema_version;
    out << YAML::Key << "name" << YAML::Value << c.name;
    out << YAML::Key << "provider" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << c.provider;
    out << YAML::Key << "state" << YAML::Value;
    if (c.provider_state.empty())
        out << YAML::Flow; // "state: {}"
    out << YAML::BeginMap;
    for (const auto &[key, value] : c.provider_state)
        out << YAML::Key << key << YAML::Value << value;
    out << YAML::EndMap;
    out << YAML::EndMap;
    out << YAML::Key << "arch" << YAML::Value << c.arch;
    out << YAML::Key << "resources" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "cpus" << YAML::Value << c.resources.cpus;
    out << YAML::Key << "memory_mib" << YAML::Value << c.resources.memory_mib;
    out << YAML::Key << "disk_gib" << YAML::Value << c.resources.disk_gib;
    out << YAML::EndMap;
    out << YAML::Key << "image" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "path" << YAML::Value << c.image.path;
    out << YAML::Key << "format" << YAML::Value << c.image.format;
    out << YAML::Key << "kernel" << YAML::Value << c.image.kernel;
    out << YAML::Key << "initrd" << YAML::Value << c.image.initrd;
    out << YAML::Key << "kernel_cmdline" << YAML::Value << c.image.kernel_cmdline;
    out << YAML::Key << "provisioning" << YAML::Value << c.image.provisioning;
    out << YAML::EndMap;
    out << YAML::Key << "ssh" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "username" << YAML::Value << c.ssh.username;
    out << YAML::Key << "port" << YAML::Value << c.ssh.port;
    out << YAML::Key << "identity_path" << YAML::Value << c.ssh.identity_path;
    out << YAML::Key << "host_key_fingerprint" << YAML::Value << c.ssh.host_key_fingerprint;
    out << YAML::Key << "uid" << YAML::Value << c.ssh.uid;
    out << YAML::EndMap;
    out << YAML::Key << "mounts" << YAML::Value << YAML::BeginSeq;
    for (const auto &m : c.mounts) {
        out << YAML::BeginMap;
        out << YAML::Key << "host_path" << YAML::Value << m.host_path;
        out << YAML::Key << "guest_path" << YAML::Value << m.guest_path;
        out << YAML::Key << "read_only" << YAML::Value << m.read_only;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "rootful" << YAML::Value << c.rootful;
    out << YAML::Key << "timezone" << YAML::Value << c.timezone;
    out << YAML::Key << "idle_pause_seconds" << YAML::Value << c.idle_pause_seconds;
    out << YAML::Key << "proxy" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "http" << YAML::Value << c.proxy.http;
    out << YAML::Key << "https" << YAML::Value << c.proxy.https;
    out << YAML::Key << "no_proxy" << YAML::Value << c.proxy.no_proxy;
    out << YAML::EndMap;
    out << YAML::Key << "ca_certs" << YAML::Value;
    if (c.ca_certs.empty())
        out << "";
    else
        out << YAML::Literal << c.ca_certs;
    out << YAML::Key << "created" << YAML::Value << c.created;
    out << YAML::Key << "last_up" << YAML::Value << c.last_up;
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

MachineConfig config_from_yaml(const std::string &text, const std::string &file) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception &e) {
        throw CorruptConfig(file, fmt::format("line {}", e.mark.line + 1), "is not valid YAML");
    }
    if (!root.IsDefined() || root.IsNull())
        throw CorruptConfig(file, "(top level)", "is empty");

    StrictMap top(root, "", file);
    auto version = top.get<int>("schema_version");
    if (version < 1 || version > config_schema_version)
        top.fail("schema_version", fmt::format("is {}; this version of machine reads 1 to {}",
                                               version, config_schema_version));
    MachineConfig c;
    c.name = top.get<std::string>("name");
    if (version >= 2) {
        auto provider = top.map("provider");
        c.provider = provider.get<std::string>("name");
        auto state = provider.map("state");
        for (const auto &key : state.keys())
            c.provider_state[key] = state.get<std::string>(key);
        state.finish();
        provider.finish();
    } else {
        c.provider = top.get<std::string>("provider");
    }
    c.arch = top.get<std::string>("arch");

    auto resources = top.map("resources");
    c.resources.cpus = resources.get<int>("cpus");
    c.resources.memory_mib = resources.get<std::uint64_t>("memory_mib");
    c.resources.disk_gib = resources.get<std::uint64_t>("disk_gib");
    resources.finish();

    auto image = top.map("image");
    c.image.path = image.get<std::string>("path");
    c.image.format = image.get<std::string>("format");
    c.image.kernel = image.get<std::string>("kernel");
    c.image.initrd = image.get<std::string>("initrd");
    c.image.kernel_cmdline = image.get<std::string>("kernel_cmdline");
    c.image.provisioning = image.get<std::string>("provisioning");
    image.finish();

    auto ssh = top.map("ssh");
    c.ssh.username = ssh.get<std::string>("username");
    c.ssh.port = ssh.get<int>("port");
    c.ssh.identity_path = ssh.get<std::string>("identity_path");
    c.ssh.host_key_fingerprint = ssh.get<std::string>("host_key_fingerprint");
    c.ssh.uid = version >= 2 ? ssh.get<int>("uid") : guest_user_uid();
    ssh.finish();

    auto mounts = top.sequence("mounts");
    for (std::size_t i = 0; i < mounts.size(); ++i) {
        StrictMap m(mounts[i], fmt::format("mounts[{}]", i), file);
        c.mounts.push_back({m.get<std::string>("host_path"), m.get<std::string>("guest_path"),
                            m.get<bool>("read_only")});
        m.finish();
    }
    c.rootful = top.get<bool>("rootful");
    c.timezone = top.get<std::string>("timezone");
    if (version >= 3)
        c.idle_pause_seconds = top.get<std::int64_t>("idle_pause_seconds");
    if (version >= 4) {
        auto proxy = top.map("proxy");
        c.proxy.http = proxy.get<std::string>("http");
        c.proxy.https = proxy.get<std::string>("https");
        c.proxy.no_proxy = proxy.get<std::string>("no_proxy");
        proxy.finish();
        c.ca_certs = top.get<std::string>("ca_certs");
    }
    c.created = top.get<std::int64_t>("created");
    c.last_up = top.get<std::int64_t>("last_up");
    top.finish();

    if (c.resources.cpus < 1 || c.resources.cpus > 1024)
        top.fail("resources.cpus", "must be from 1 to 1024");
    if (c.resources.memory_mib < min_memory_mib || c.resources.memory_mib > max_memory_mib)
        top.fail("resources.memory_mib",
                 fmt::format("must be from {} to {}", min_memory_mib, max_memory_mib));
    if (c.resources.disk_gib < 1 || c.resources.disk_gib > max_disk_gib)
        top.fail("resources.disk_gib", fmt::format("must be from 1 to {}", max_disk_gib));
    if (c.ssh.port < 0 || c.ssh.port > 65535)
        top.fail("ssh.port", "must be from 0 to 65535");
    if (c.ssh.uid < 1 || c.ssh.uid > 65535)
        top.fail("ssh.uid", "must be from 1 to 65535");
    if (c.image.provisioning != "ignition" && c.image.provisioning != "cloud-init" &&
        c.image.provisioning != "none")
        top.fail("image.provisioning", "must be ignition, cloud-init or none");
    if (c.idle_pause_seconds != 0 && (c.idle_pause_seconds < min_idle_pause.count() ||
                                      c.idle_pause_seconds > max_idle_pause.count()))
        top.fail("idle_pause_seconds", fmt::format("must be 0 or from {} to {}",
                                                   min_idle_pause.count(), max_idle_pause.count()));
    try { // the same checks as at init: these values go into the guest's shell profile
        if (checked_proxy_url(c.proxy.http, "proxy.http") != c.proxy.http ||
            checked_proxy_url(c.proxy.https, "proxy.https") != c.proxy.https ||
            checked_no_proxy(c.proxy.no_proxy, "proxy.no_proxy") != c.proxy.no_proxy)
            throw InvalidInput("proxy", "is not in the form init writes");
    } catch (const InvalidInput &e) {
        top.fail(e.field(), e.what());
    }
    if (!c.ca_certs.empty() && count_ca_certs(c.ca_certs) == 0)
        top.fail("ca_certs", "holds no PEM certificate");
    if (c.arch != "x86_64" && c.arch != "aarch64")
        top.fail("arch", "must be x86_64 or aarch64");
    return c;
}

} // namespace machine

#include "grammar.h"

#include <map>
#include <set>
#include <sstream>

namespace machine::test {

namespace {

using Options = std::vector<std::pair<std::string, std::string>>;

[[noreturn]] void fail(const std::string &why) {
    throw GrammarError(why);
}

std::vector<std::string> split(const std::string &text, char separator) {
    std::vector<std::string> parts;
    std::istringstream in(text);
    for (std::string part; std::getline(in, part, separator);)
        parts.push_back(part);
    if (!text.empty() && text.back() == separator)
        parts.push_back("");
    return parts;
}

std::uint64_t number(const std::string &text, const std::string &what) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        fail("invalid value \"" + text + "\" for " + what);
    return std::stoull(text);
}

void check_mac(const std::string &mac) {
    auto bytes = split(mac, ':');
    if (bytes.size() != 6)
        fail("address " + mac + ": invalid MAC address");
    for (const auto &byte : bytes)
        if (byte.size() != 2 ||
            byte.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            fail("address " + mac + ": invalid MAC address");
}

std::string unix_uri(const std::string &uri) {
    if (uri.rfind("unix://", 0) != 0 || uri.size() == 7)
        fail("invalid restful URI " + uri + " (the fake serves unix:// only)");
    return uri.substr(7);
}

// vfkit: options split at ',', each at its first '='; empty ones skipped.
Options vfkit_options(const std::vector<std::string> &parts) {
    Options options;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        if (parts[i].empty())
            continue;
        auto equals = parts[i].find('=');
        options.emplace_back(parts[i].substr(0, equals),
                             equals == std::string::npos ? "" : parts[i].substr(equals + 1));
    }
    return options;
}

void vfkit_device(FakeVm &vm, const std::string &spec) {
    auto parts = split(spec, ',');
    auto type = parts.empty() ? std::string() : parts[0];
    auto options = vfkit_options(parts);
    auto unknown = [&](const std::string &key) {
        fail("unknown option for " + type + " devices: " + key);
    };
    if (type == "virtio-blk" || type == "nvme") {
        std::string path;
        for (const auto &[key, value] : options)
            if (key == "path")
                path = value;
            else if (key != "deviceId" && key != "type")
                unknown(key);
        if (path.empty())
            fail(type + " needs a path");
        vm.disks.push_back(path);
    } else if (type == "virtio-rng") {
        if (!options.empty())
            fail("unknown options for virtio-rng devices");
    } else if (type == "virtio-net") {
        int backends = 0;
        for (const auto &[key, value] : options) {
            if (key == "nat") {
                if (!value.empty())
                    fail("unexpected value for virtio-net 'nat' option: " + value);
                vm.network = "nat";
                ++backends;
            } else if (key == "unixSocketPath") {
                vm.network = value;
                ++backends;
            } else if (key == "mac") {
                check_mac(value);
            } else {
                unknown(key);
            }
        }
        if (backends != 1)
            fail("one of 'nat' or 'fd' or 'unixSocketPath' must be set");
    } else if (type == "virtio-serial") {
        for (const auto &[key, value] : options)
            if (key == "logFilePath")
                vm.console_log = value;
            else if (key != "stdio" && key != "pty")
                unknown(key);
        if (vm.console_log.empty())
            fail("one of 'logFilePath', 'stdio' or 'pty' must be set");
    } else if (type == "virtio-vsock") {
        FakeVsock vsock;
        for (const auto &[key, value] : options)
            if (key == "port")
                vsock.port = std::uint32_t(number(value, "virtio-vsock port"));
            else if (key == "socketURL")
                vsock.socket = value;
            else if (key == "listen")
                vsock.listen = true;
            else if (key == "connect")
                vsock.listen = false;
            else
                unknown(key);
        if (vsock.port == 0 || vsock.socket.empty())
            fail("virtio-vsock needs both a port and a socket URL");
        vm.vsock.push_back(vsock);
    } else if (type == "virtio-fs") {
        FakeShare share;
        for (const auto &[key, value] : options)
            if (key == "sharedDir")
                share.dir = value;
            else if (key == "mountTag")
                share.tag = value;
            else
                unknown(key);
        if (share.dir.empty())
            fail("virtio-fs needs the path to the directory to share");
        if (share.tag.size() > 36) // Apple's VZVirtioFileSystemDeviceConfiguration.validateTag
            fail("virtio-fs mount tag \"" + share.tag + "\" is longer than 36 bytes");
        vm.shares.push_back(share);
    } else if (type == "rosetta") {
        std::string tag;
        for (const auto &[key, value] : options)
            if (key == "mountTag")
                tag = value;
            else if (key != "install" && key != "ignore-if-missing")
                unknown(key);
        if (tag.empty())
            fail("rosetta shares require a mount tag to be specified");
        vm.rosetta = true;
    } else {
        fail("unknown device type: " + type);
    }
}

void vfkit_bootloader(FakeVm &vm, const std::string &spec) {
    auto parts = split(spec, ',');
    if (parts.empty() || parts[0] != "efi")
        fail("the fake boots efi only, not \"" + spec + "\"");
    for (const auto &[key, value] : vfkit_options(parts))
        if (key == "variable-store")
            vm.efi_store = value;
        else if (key == "create" && value.empty())
            vm.efi_create = true;
        else
            fail("unknown option for efi bootloader: " + key);
    if (vm.efi_store.empty())
        fail("missing variable-store for efi bootloader");
}

// krunkit: options split at ',', then at every '=' (more than one is an error), no repeats.
std::map<std::string, std::string> krunkit_options(const std::string &rest) {
    std::map<std::string, std::string> options;
    for (const auto &arg : split(rest, ',')) {
        auto parts = split(arg, '=');
        if (parts.size() > 2)
            fail("invalid argument format: " + arg);
        if (!options.emplace(parts.empty() ? "" : parts[0], parts.size() == 2 ? parts[1] : "")
                 .second)
            fail("argument " + arg + " is only expected once");
    }
    return options;
}

std::string take(std::map<std::string, std::string> &options, const std::string &device,
                 const std::string &key) {
    auto found = options.find(key);
    if (found == options.end())
        fail(device + " is missing argument: " + key);
    auto value = found->second;
    options.erase(found);
    return value;
}

void no_more(const std::map<std::string, std::string> &options, const std::string &device) {
    if (!options.empty())
        fail("unknown " + device + " arguments: " + options.begin()->first);
}

void krunkit_device(FakeVm &vm, const std::string &spec) {
    auto comma = spec.find(',');
    auto type = spec.substr(0, comma);
    auto rest = comma == std::string::npos ? std::string() : spec.substr(comma + 1);
    if (type == "virtio-rng")
        return; // krunkit takes it and adds nothing
    auto options = krunkit_options(rest);
    if (type == "virtio-blk") {
        vm.disks.push_back(take(options, type, "path"));
        if (options.count("format") && options["format"] != "raw" && options["format"] != "qcow2")
            fail("unsupported disk image format");
        options.erase("format");
    } else if (type == "virtio-serial") {
        vm.console_log = take(options, type, "logFilePath");
    } else if (type == "virtio-vsock") {
        FakeVsock vsock;
        vsock.port = std::uint32_t(number(take(options, type, "port"), "port argument"));
        vsock.socket = take(options, type, "socketURL");
        bool connect = options.erase("connect") > 0, listen = options.erase("listen") > 0;
        if (connect && listen)
            fail("virtio-vsock argument \"listen\" and \"connect\" are mutually exclusive");
        vsock.listen = !connect;
        vm.vsock.push_back(vsock);
    } else if (type == "virtio-net") {
        check_mac(take(options, type, "mac"));
        if (!options.count("unixSocketPath"))
            fail("virtio-net device is missing \"type\" or \"unixSocketPath\" (the fake takes "
                 "unixSocketPath)");
        vm.network = take(options, type, "unixSocketPath");
    } else if (type == "virtio-fs") {
        vm.shares.push_back({take(options, type, "sharedDir"), take(options, type, "mountTag")});
    } else {
        fail("invalid virtio device label specified: " + type);
    }
    no_more(options, type);
}

// Walks `--flag value` pairs; `on_flag` returns false for a flag it does not know.
template <typename OnFlag>
void walk(const std::vector<std::string> &args, const std::set<std::string> &switches,
          OnFlag on_flag) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto &flag = args[i];
        if (switches.count(flag)) {
            on_flag(flag, std::string());
            continue;
        }
        if (flag.rfind("--", 0) != 0)
            fail("unexpected argument \"" + flag + "\"");
        if (i + 1 >= args.size())
            fail("flag needs an argument: " + flag);
        on_flag(flag, args[++i]);
    }
}

} // namespace

FakeVm parse_vfkit(const std::vector<std::string> &args) {
    FakeVm vm;
    walk(args, {"--gui", "--nested"}, [&](const std::string &flag, const std::string &value) {
        if (flag == "--cpus")
            vm.cpus = int(number(value, flag));
        else if (flag == "--memory")
            vm.memory_mib = number(value, flag);
        else if (flag == "--bootloader")
            vfkit_bootloader(vm, value);
        else if (flag == "--device")
            vfkit_device(vm, value);
        else if (flag == "--restful-uri")
            vm.rest_socket = unix_uri(value);
        else if (flag == "--nested")
            vm.nested = true;
        else if (flag != "--pidfile" && flag != "--log-level" && flag != "--gui")
            fail("unknown flag: " + flag);
    });
    if (vm.efi_store.empty())
        fail("missing bootloader configuration");
    return vm;
}

FakeVm parse_krunkit(const std::vector<std::string> &args) {
    FakeVm vm;
    bool cpus = false, memory = false;
    walk(args, {"--gui", "--nested"}, [&](const std::string &flag, const std::string &value) {
        if (flag == "--cpus") {
            vm.cpus = int(number(value, flag));
            cpus = vm.cpus <= 255; // a u8
        } else if (flag == "--memory") {
            vm.memory_mib = number(value, flag);
            memory = true;
        } else if (flag == "--device") {
            krunkit_device(vm, value);
        } else if (flag == "--restful-uri") {
            vm.rest_socket = unix_uri(value);
        } else if (flag == "--nested") {
            vm.nested = true;
        } else if (flag != "--bootloader" && flag != "--pidfile" && flag != "--log-file" &&
                   flag != "--krun-log-level" && flag != "--gui") {
            fail("unexpected argument '" + flag + "' found");
        }
    });
    if (!cpus || !memory)
        fail("the following required arguments were not provided: --cpus <CPUS> --memory <MEMORY>");
    return vm;
}

} // namespace machine::test

#include "provisioning/agent/options.h"

#include "provisioning/agent/errors.h"

#include <charconv>
#include <string_view>

namespace machine::agent {

namespace {

constexpr long max_timeout_seconds = 24 * 60 * 60;

std::chrono::seconds parse_seconds(std::string_view text) {
    long value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 1 ||
        value > max_timeout_seconds)
        throw UsageError("--timeout: " + std::string(text) +
                         " is not a number of seconds (1 to 86400)");
    return std::chrono::seconds(value);
}

std::uint32_t parse_cid(std::string_view text) {
    std::uint32_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        throw UsageError("--vsock-cid: " + std::string(text) + " is not a vsock CID (a number)");
    return value;
}

} // namespace

Options parse_options(int argc, const char *const argv[]) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        std::string_view flag = arg;
        std::optional<std::string_view> inline_value;
        if (auto equals = arg.find('=');
            arg.substr(0, 2) == "--" && equals != std::string_view::npos) {
            flag = arg.substr(0, equals);
            inline_value = arg.substr(equals + 1);
        }
        auto value = [&]() -> std::string {
            if (inline_value)
                return std::string(*inline_value);
            if (i + 1 >= argc)
                throw UsageError(std::string(flag) + " needs a value");
            return argv[++i];
        };
        auto no_value = [&] {
            if (inline_value)
                throw UsageError(std::string(flag) + " takes no value");
        };
        if (flag == "--config") {
            options.config = value();
        } else if (flag == "--root") {
            options.root = value();
            if (options.root.empty())
                throw UsageError("--root needs a directory");
        } else if (flag == "--ready-port") {
            options.ready_port = value();
        } else if (flag == "--timeout") {
            options.timeout = parse_seconds(value());
        } else if (flag == "--serve-api") {
            no_value();
            options.serve_api = true;
        } else if (flag == "--mux-port") {
            options.mux_port = value();
        } else if (flag == "--vsock-cid") {
            options.vsock_cid = parse_cid(value());
        } else if (flag == "--mux-stdio") {
            no_value();
            options.mux_stdio = true;
        } else if (flag == "--no-wait") {
            no_value();
            options.wait = false;
        } else if (flag == "--help" || flag == "-h") {
            no_value();
            options.help = true;
        } else {
            throw UsageError("unknown argument " + std::string(arg));
        }
    }
    return options;
}

std::string usage() {
    return "usage: machine-agent [--config FILE] [--root DIR] [--ready-port PATH] [--no-wait]\n"
           "                     [--timeout SECONDS]\n"
           "       machine-agent --serve-api [--root DIR] [--mux-port PATH]\n"
           "       machine-agent --mux-stdio [--root DIR]\n"
           "Applies the Ignition config from QEMU's fw_cfg (or the host's vsock port 1024), grows\n"
           "the root filesystem and writes \"Ready\" to the virtio-serial port (or the host's "
           "vsock\n"
           "port 1025) once sshd and the podman socket are up.\n"
           "  --config FILE      read the config from FILE instead of fw_cfg\n"
           "  --root DIR         apply under DIR (a dry run for useradd, systemctl, resize2fs)\n"
           "  --ready-port PATH  write Ready to PATH\n"
           "  --no-wait          send Ready without waiting for sshd and the podman socket\n"
           "  --timeout SECONDS  how long to wait for them (default 120)\n"
           "  --serve-api        serve the host's API forwarder on the machine-mux port\n"
           "  --mux-port PATH    the port to serve on\n"
           "  --mux-stdio        serve one API forwarder on stdin and stdout, until it goes\n"
           "  --vsock-cid N      the host's vsock CID (default 2; tests: 1, vsock_loopback)\n";
}

} // namespace machine::agent

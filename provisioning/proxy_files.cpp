#include "provisioning/proxy_files.h"

#include <cctype>
#include <fmt/format.h>

namespace machine::provisioning {

namespace {

// Each variable in both cases: curl reads only the lower-case http_proxy, Go both.
std::vector<std::pair<std::string, std::string>> variables(const ProxySettings &p) {
    std::vector<std::pair<std::string, std::string>> vars;
    for (const auto &[name, value] : {std::pair<std::string, std::string>{"HTTP_PROXY", p.http},
                                      {"HTTPS_PROXY", p.https},
                                      {"NO_PROXY", p.no_proxy}}) {
        if (value.empty())
            continue;
        std::string lower;
        for (char c : name)
            lower += char(std::tolower(static_cast<unsigned char>(c)));
        vars.emplace_back(name, value);
        vars.emplace_back(lower, value);
    }
    return vars;
}

// Values are checked URLs and host lists (proxy_settings.h): no quote, backslash, `$` or space,
// so plain quoting is exact in both a systemd setting and a shell.
std::string systemd_defaults(const ProxySettings &p) {
    std::string text = "# The host's proxy, given at `machine init`.\n[Manager]\n";
    auto vars = variables(p);
    if (vars.empty())
        return text;
    text += "DefaultEnvironment=";
    for (std::size_t i = 0; i < vars.size(); ++i)
        text += fmt::format("{}\"{}={}\"", i ? " " : "", vars[i].first, vars[i].second);
    return text + "\n";
}

std::string profile_script(const ProxySettings &p) {
    std::string text = "# The host's proxy, given at `machine init`.\n";
    for (const auto &[name, value] : variables(p))
        text += fmt::format("export {}='{}'\n", name, value);
    return text;
}

} // namespace

std::vector<GuestFile> proxy_files(const GuestSettings &s) {
    std::vector<GuestFile> files = {
        {"/etc/systemd/system.conf.d/50-machine-proxy.conf", mode_0644, systemd_defaults(s.proxy)},
        {"/etc/systemd/user.conf.d/50-machine-proxy.conf", mode_0644, systemd_defaults(s.proxy)},
        {"/etc/profile.d/machine-proxy.sh", mode_0644, profile_script(s.proxy)}};
    // Written empty when there are none, so that `set --ca-certs ""` takes them away.
    files.push_back({ca_certs_path, mode_0644, s.ca_certs});
    files.push_back({ca_certs_for_go_path, mode_0644, s.ca_certs});
    return files;
}

std::string ca_certs_unit() {
    return fmt::format("[Unit]\n"
                       "Description=Trust the CA certificates given at machine init\n"
                       "Before=podman.service\n\n"
                       "[Service]\n"
                       "Type=oneshot\n"
                       "ExecCondition=/bin/test {} -nt /etc/ssl/certs/ca-certificates.crt\n"
                       "ExecStart=/usr/sbin/update-ca-certificates\n\n"
                       "[Install]\n"
                       "WantedBy=multi-user.target\n",
                       ca_certs_path);
}

} // namespace machine::provisioning

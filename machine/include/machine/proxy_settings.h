#pragma once
// The proxy a machine's engine and image pulls go through: HTTP_PROXY, HTTPS_PROXY and NO_PROXY,
// as `init` found them in the host's environment or was given them (--proxy). Every value is
// checked to be a plain URL or host list, since it is written into the guest's shell profile and
// systemd's environment.
#include <functional>
#include <optional>
#include <string>

namespace machine {

struct ProxySettings {
    std::string http;     // HTTP_PROXY
    std::string https;    // HTTPS_PROXY
    std::string no_proxy; // NO_PROXY: hosts, domains (.corp) and CIDRs, comma-separated

    bool empty() const { return http.empty() && https.empty() && no_proxy.empty(); }
    bool operator==(const ProxySettings &) const = default;
};

using EnvironmentLookup = std::function<std::optional<std::string>(const std::string &name)>;

// The host's proxy variables, upper case before lower case as Go's clients (podman) read them.
// InvalidInput names the variable whose value is no proxy URL or host list.
ProxySettings proxy_from_environment(const EnvironmentLookup &lookup);

// NO_PROXY (or no_proxy) alone, for --proxy, which replaces the other two.
std::string no_proxy_from_environment(const EnvironmentLookup &lookup);

// A proxy URL as typed ("proxy:3128" means http://proxy:3128), checked and made whole; `field`
// names the flag or variable in the InvalidInput. Empty stays empty.
std::string checked_proxy_url(const std::string &value, const std::string &field);

// A NO_PROXY list, checked; spaces around its items are dropped.
std::string checked_no_proxy(const std::string &value, const std::string &field);

// The settings as the guest must see them: a proxy on the host's loopback (localhost, 127.0.0.0/8,
// ::1) is the host, which the guest reaches at `host_address` (the provider's; unchanged when
// empty).
ProxySettings proxy_for_guest(const ProxySettings &settings, const std::string &host_address);

} // namespace machine

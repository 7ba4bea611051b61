#include "machine/proxy_settings.h"

#include "machine/errors.h"
#include "machine/printable.h"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace machine {

namespace {

// Characters a URL or host list may hold here: none that a shell, a systemd unit or a quoted
// string would read as more than text.
bool url_safe(const std::string &text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) ||
               std::string_view("-._~:/?#[]@!&()*+,;=%").find(char(c)) != std::string_view::npos;
    });
}

struct UrlParts {
    std::string scheme, userinfo, host, port, rest;
};

// scheme://[userinfo@]host[:port][/rest]; the host of an IPv6 address keeps its brackets.
std::optional<UrlParts> split_url(const std::string &url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos)
        return std::nullopt;
    UrlParts parts;
    parts.scheme = url.substr(0, scheme_end);
    auto authority = url.substr(scheme_end + 3);
    auto slash = authority.find('/');
    if (slash != std::string::npos) {
        parts.rest = authority.substr(slash);
        authority.resize(slash);
    }
    if (auto at = authority.rfind('@'); at != std::string::npos) {
        parts.userinfo = authority.substr(0, at + 1);
        authority.erase(0, at + 1);
    }
    auto colon = authority.rfind(':');
    if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
        parts.port = authority.substr(colon + 1);
        authority.resize(colon);
    }
    parts.host = authority;
    return parts;
}

bool loopback_host(const std::string &host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]";
}

} // namespace

std::string checked_proxy_url(const std::string &value, const std::string &field) {
    if (value.empty())
        return value;
    auto url = value.find("://") == std::string::npos ? "http://" + value : value;
    auto bad = [&](const std::string &why) {
        return InvalidInput(
            field, fmt::format("{}: \"{}\" is not a proxy URL: {}", field, printable(value), why),
            "give one such as http://proxy.example:3128");
    };
    if (!url_safe(url))
        throw bad("it holds a character a URL does not");
    auto parts = split_url(url);
    static const char *schemes[] = {"http", "https", "socks5", "socks5h"};
    if (std::find(std::begin(schemes), std::end(schemes), parts->scheme) == std::end(schemes))
        throw bad("the scheme must be http, https, socks5 or socks5h");
    if (parts->host.empty())
        throw bad("it names no host");
    if (!parts->port.empty()) {
        bool digits = parts->port.size() <= 5 &&
                      std::all_of(parts->port.begin(), parts->port.end(),
                                  [](unsigned char c) { return std::isdigit(c) != 0; });
        if (!digits || std::stoi(parts->port) < 1 || std::stoi(parts->port) > 65535)
            throw bad("the port must be from 1 to 65535");
    }
    return url;
}

std::string checked_no_proxy(const std::string &value, const std::string &field) {
    std::string list;
    std::size_t start = 0;
    while (start <= value.size()) {
        auto end = std::min(value.find(',', start), value.size());
        auto item = value.substr(start, end - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) {
            if (!url_safe(item) || item.find_first_of("@?#&;=") != std::string::npos)
                throw InvalidInput(field,
                                   fmt::format("{}: \"{}\" is not a host, domain or address "
                                               "range",
                                               field, printable(item)),
                                   "give a list such as localhost,.corp.example,10.0.0.0/8");
            list += (list.empty() ? "" : ",") + item;
        }
        start = end + 1;
    }
    return list;
}

namespace {

// The first of the two spellings that is set, and its name.
std::pair<std::string, std::string> variable(const EnvironmentLookup &lookup,
                                             const std::string &upper, const std::string &lower) {
    for (const auto &name : {upper, lower})
        if (auto value = lookup(name); value && !value->empty())
            return {name, *value};
    return {upper, ""};
}

} // namespace

std::string no_proxy_from_environment(const EnvironmentLookup &lookup) {
    auto [name, value] = variable(lookup, "NO_PROXY", "no_proxy");
    return checked_no_proxy(value, name);
}

ProxySettings proxy_from_environment(const EnvironmentLookup &lookup) {
    auto [http_name, http] = variable(lookup, "HTTP_PROXY", "http_proxy");
    auto [https_name, https] = variable(lookup, "HTTPS_PROXY", "https_proxy");
    return {checked_proxy_url(http, http_name), checked_proxy_url(https, https_name),
            no_proxy_from_environment(lookup)};
}

ProxySettings proxy_for_guest(const ProxySettings &settings, const std::string &host_address) {
    auto rewrite = [&](const std::string &url) {
        auto parts = split_url(url);
        if (host_address.empty() || !parts || !loopback_host(parts->host))
            return url;
        return parts->scheme + "://" + parts->userinfo + host_address +
               (parts->port.empty() ? "" : ":" + parts->port) + parts->rest;
    };
    return {rewrite(settings.http), rewrite(settings.https), settings.no_proxy};
}

} // namespace machine

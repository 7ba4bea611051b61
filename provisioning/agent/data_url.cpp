#include "provisioning/agent/data_url.h"

#include "provisioning/agent/errors.h"
#include "provisioning/agent/text.h"

namespace machine::agent {

namespace {

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

} // namespace

std::string percent_decode(std::string_view text, const std::string &field) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
        int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
        if (high < 0 || low < 0)
            throw ConfigError(field, "bad percent-encoding " + quote(text.substr(i, 3)) +
                                         " at offset " + std::to_string(i) + " of the data");
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

std::string base64_decode(std::string_view text, const std::string &field) {
    std::string out;
    out.reserve(text.size() / 4 * 3);
    unsigned buffer = 0;
    int bits = 0;
    std::size_t digits = 0;
    bool padding = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            padding = true;
            continue;
        }
        int value = base64_value(c);
        if (value < 0)
            throw ConfigError(field, "invalid base64 character " + quote(std::string(1, c)) +
                                         " at offset " + std::to_string(i) + " of the data");
        if (padding)
            throw ConfigError(field, "base64 data goes on after its '=' padding");
        buffer = ((buffer << 6) | static_cast<unsigned>(value)) & 0xffffu;
        bits += 6;
        ++digits;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xffu);
        }
    }
    if (digits % 4 == 1)
        throw ConfigError(field, "truncated base64 data (" + std::to_string(digits) +
                                     " digits cannot encode whole bytes)");
    return out;
}

std::string decode_data_url(std::string_view url, const std::string &field) {
    constexpr std::string_view scheme = "data:";
    if (url.size() < scheme.size() || !equals_ignoring_case(url.substr(0, scheme.size()), scheme))
        throw ConfigError(field, quote(url) +
                                     " is not a data: URL (the only source the agent supports: "
                                     "it fetches nothing)");
    auto comma = url.find(',', scheme.size());
    if (comma == std::string_view::npos)
        throw ConfigError(field, "data: URL without the ',' that starts its data");
    auto parameters = split(url.substr(scheme.size(), comma - scheme.size()), ';');
    bool base64 = parameters.size() > 1 && equals_ignoring_case(trim(parameters.back()), "base64");
    auto data = percent_decode(url.substr(comma + 1), field);
    return base64 ? base64_decode(data, field) : data;
}

} // namespace machine::agent

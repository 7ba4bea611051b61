#include "providers/wsl/wsl_list.h"

#include <algorithm>
#include <cctype>

namespace machine {

namespace {

void append_utf8(std::string &out, char32_t c) {
    if (c < 0x80) {
        out += char(c);
    } else if (c < 0x800) {
        out += char(0xc0 | (c >> 6));
        out += char(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out += char(0xe0 | (c >> 12));
        out += char(0x80 | ((c >> 6) & 0x3f));
        out += char(0x80 | (c & 0x3f));
    } else {
        out += char(0xf0 | (c >> 18));
        out += char(0x80 | ((c >> 12) & 0x3f));
        out += char(0x80 | ((c >> 6) & 0x3f));
        out += char(0x80 | (c & 0x3f));
    }
}

// UTF-16LE to UTF-8; an unpaired surrogate becomes U+FFFD, an odd last byte is dropped.
std::string utf16le_to_utf8(const std::string &bytes) {
    std::string out;
    auto unit = [&](std::size_t i) {
        return char16_t(static_cast<unsigned char>(bytes[i]) |
                        static_cast<unsigned char>(bytes[i + 1]) << 8);
    };
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
        char32_t c = unit(i);
        if (c >= 0xd800 && c < 0xdc00 && i + 3 < bytes.size() && unit(i + 2) >= 0xdc00 &&
            unit(i + 2) < 0xe000) {
            c = 0x10000 + ((c - 0xd800) << 10) + (unit(i + 2) - 0xdc00);
            i += 2;
        } else if (c >= 0xd800 && c < 0xe000) {
            c = 0xfffd;
        }
        append_utf8(out, c);
    }
    return out;
}

// UTF-16LE shows itself by a byte order mark or by the NUL high bytes of ASCII text; UTF-8 text
// has no NUL at all.
bool is_utf16le(const std::string &bytes) {
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xff &&
        static_cast<unsigned char>(bytes[1]) == 0xfe)
        return true;
    return bytes.find('\0') != std::string::npos;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

} // namespace

std::vector<std::string> parse_wsl_list(const std::string &output) {
    auto text = is_utf16le(output) ? utf16le_to_utf8(output) : output;
    if (text.rfind("\xef\xbb\xbf", 0) == 0) // a byte order mark, in either encoding
        text.erase(0, 3);
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string line;
        for (char c : text.substr(start, end - start))
            if (c != '\r' && c != '\0')
                line += c;
        auto first = line.find_first_not_of(" \t");
        auto last = line.find_last_not_of(" \t");
        if (first != std::string::npos) {
            line = line.substr(first, last - first + 1);
            if (line.find_first_of(" \t") == std::string::npos)
                names.push_back(line);
        }
        start = end + 1;
    }
    return names;
}

bool wsl_lists(const std::string &output, const std::string &distribution) {
    auto wanted = lower(distribution);
    for (const auto &name : parse_wsl_list(output))
        if (lower(name) == wanted)
            return true;
    return false;
}

} // namespace machine

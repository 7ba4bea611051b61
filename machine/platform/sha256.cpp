#include "platform/sha256.h"

#include <algorithm>
#include <cctype>

namespace machine::platform {

std::string to_hex(const unsigned char *bytes, std::size_t size) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (std::size_t i = 0; i < size; ++i) {
        text += hex[bytes[i] >> 4];
        text += hex[bytes[i] & 0xf];
    }
    return text;
}

bool is_sha256_hex(const std::string &text) {
    return text.size() == 64 &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c); });
}

} // namespace machine::platform

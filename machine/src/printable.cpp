#include "machine/printable.h"

#include <fmt/format.h>

namespace machine {

namespace {

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0 if there is none
// (overlong forms, surrogates and code points past U+10FFFF are not well-formed).
std::size_t utf8_sequence(std::string_view text) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    auto lead = byte(0);
    std::size_t length = lead < 0x80   ? 1
                         : lead < 0xc2 ? 0
                         : lead < 0xe0 ? 2
                         : lead < 0xf0 ? 3
                         : lead < 0xf5 ? 4
                                       : 0;
    if (length == 0 || length > text.size())
        return 0;
    for (std::size_t i = 1; i < length; ++i)
        if ((byte(i) & 0xc0) != 0x80)
            return 0;
    if ((lead == 0xe0 && byte(1) < 0xa0) || (lead == 0xed && byte(1) > 0x9f) ||
        (lead == 0xf0 && byte(1) < 0x90) || (lead == 0xf4 && byte(1) > 0x8f))
        return 0;
    return length;
}

bool is_control(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

} // namespace

std::string printable(std::string_view text) {
    std::string out;
    while (!text.empty()) {
        auto length = utf8_sequence(text);
        if (length == 0 || is_control(text[0])) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[0]));
            length = 1;
        } else {
            out += text.substr(0, length);
        }
        text.remove_prefix(length);
    }
    return out;
}

bool is_plain_text(std::string_view text) {
    while (!text.empty()) {
        auto length = utf8_sequence(text);
        if (length == 0 || is_control(text[0]))
            return false;
        text.remove_prefix(length);
    }
    return true;
}

} // namespace machine

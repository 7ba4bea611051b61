#include "machine/printable.h"

#include <fmt/format.h>

namespace machine {

std::string printable(std::string_view text) {
    std::string out;
    for (unsigned char c : text)
        out += (c < 0x20 || c == 0x7f) ? fmt::format("\\x{:02x}", c) : std::string(1, char(c));
    return out;
}

} // namespace machine

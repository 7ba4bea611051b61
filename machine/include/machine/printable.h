#pragma once
// User text quoted in an error message: control characters shown escaped ("\x0a"), so every
// error stays on one line and cannot drive the terminal. Bytes that are not UTF-8 are shown
// escaped too.
#include <string>
#include <string_view>

namespace machine {

std::string printable(std::string_view text);

// Valid UTF-8 without control characters: text that can go into a JSON document, a unit file or
// a terminal line unchanged.
bool is_plain_text(std::string_view text);

} // namespace machine

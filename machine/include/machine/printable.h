#pragma once
// User text quoted in an error message: control characters shown escaped ("\x0a"), so every
// error stays on one line and cannot drive the terminal.
#include <string>
#include <string_view>

namespace machine {

std::string printable(std::string_view text);

} // namespace machine

#pragma once
// Small string helpers shared by the agent's parsers and messages.
#include <string>
#include <string_view>
#include <vector>

namespace machine::agent {

// `text` without leading and trailing spaces, tabs, CRs and newlines.
std::string_view trim(std::string_view text);

// The pieces of `text` between `separator`s, empty pieces included ("a,,b" gives 3).
std::vector<std::string_view> split(std::string_view text, char separator);

std::string join(const std::vector<std::string> &parts, std::string_view separator);

// `text` with control characters written as \xNN, so a log line stays one line.
std::string printable(std::string_view text);

// `value` in double quotes for a message: escaped as by printable(), cut to 80 characters.
std::string quote(std::string_view value);

// A permission mode in octal with a leading zero: 0644, 04755.
std::string octal(unsigned mode);

} // namespace machine::agent

#include "platform/windows_text.h"

namespace machine::platform {

// Pure string work, so it is built and tested on every host.
std::string windows_quote(const std::string &arg) {
    if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string::npos)
        return arg;
    std::string quoted = "\"";
    std::size_t backslashes = 0;
    for (char c : arg) {
        if (c == '\\') {
            ++backslashes;
            continue;
        }
        // Backslashes before a quote are doubled, and the quote itself escaped; elsewhere they
        // are literal.
        quoted.append(c == '"' ? 2 * backslashes + 1 : backslashes, '\\');
        backslashes = 0;
        quoted += c;
    }
    quoted.append(2 * backslashes, '\\'); // before the closing quote
    return quoted + "\"";
}

std::string windows_command_line(const std::vector<std::string> &argv) {
    std::string line;
    for (const auto &arg : argv)
        line += (line.empty() ? "" : " ") + windows_quote(arg);
    return line;
}

} // namespace machine::platform

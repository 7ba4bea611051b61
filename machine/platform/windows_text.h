#pragma once
// UTF-8 (ours) to and from UTF-16 (Windows' wide API), and a Windows command line built so that
// the C runtime of the program started splits it back into exactly our argv (Windows only).
#include <string>
#include <vector>

namespace machine::platform {

std::wstring to_wide(const std::string &utf8);
std::string to_utf8(const std::wstring &wide);

// `arg` quoted as CommandLineToArgvW and the C runtime read it back: only when it needs it, with
// backslashes doubled only before a quote (theirs is not the POSIX shell's rule).
std::string windows_quote(const std::string &arg);

// The program and its arguments as one command line.
std::string windows_command_line(const std::vector<std::string> &argv);

} // namespace machine::platform

#pragma once
// What `wsl.exe --list --quiet [--running]` prints: one distribution name a line. wsl.exe writes
// UTF-16LE (with or without a byte order mark) unless WSL_UTF8=1 reached it, ends lines with CRLF
// (sometimes CR CR LF) and may pad with NULs; both encodings are read here.
#include <string>
#include <vector>

namespace machine {

// The names, as UTF-8, in the order listed. Lines with blanks are left out: a name has none, so
// such a line is one of wsl.exe's messages ("There are no running distributions.").
std::vector<std::string> parse_wsl_list(const std::string &output);

// True when `output` lists `distribution` (WSL compares names without regard to case).
bool wsl_lists(const std::string &output, const std::string &distribution);

} // namespace machine

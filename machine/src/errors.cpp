#include "machine/errors.h"

#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sstream>
#include <vector>

namespace machine {

namespace {

// The last few non-empty lines of a child's stderr, joined into one line.
std::string tail_lines(const std::string &text, std::size_t max_lines) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.find_first_not_of(" \t\r") != std::string::npos)
            lines.push_back(line);
    auto first = lines.size() > max_lines ? lines.end() - max_lines : lines.begin();
    return fmt::format("{}", fmt::join(first, lines.end(), "; "));
}

} // namespace

CorruptConfig::CorruptConfig(std::string file, std::string field, const std::string &problem)
    : Error(field.empty() ? fmt::format("{}: {}", file, problem)
                          : fmt::format("{}: field \"{}\": {}", file, field, problem),
            "fix the file, or remove the machine with `machine rm -f`"),
      file_(std::move(file)), field_(std::move(field)) {}

ProcessFailed::ProcessFailed(const std::string &command, int exit_code,
                             const std::string &stderr_tail)
    : Error(stderr_tail.empty() ? fmt::format("{} failed with exit code {}", command, exit_code)
                                : fmt::format("{} failed with exit code {}: {}", command, exit_code,
                                              tail_lines(stderr_tail, 3))),
      exit_code_(exit_code) {}

SystemError::SystemError(const std::string &what, int error_number)
    : Error(fmt::format("{}: {}", what, std::strerror(error_number))), error_number_(error_number) {
}

} // namespace machine

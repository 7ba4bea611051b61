#include "provisioning/agent/log.h"

#include "provisioning/agent/text.h"
#include "provisioning/agent/unique_fd.h"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace machine::agent {

namespace {

// One write(2), so lines from concurrent writers do not interleave; errors are dropped (there
// is nowhere left to report them).
void write_line(int fd, std::string_view line) {
    while (!line.empty()) {
        auto written = ::write(fd, line.data(), line.size());
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return;
        line.remove_prefix(static_cast<std::size_t>(written));
    }
}

std::string format(std::string_view message) {
    return "machine-agent: " + printable(message) + "\n";
}

} // namespace

Log::Log(std::filesystem::path console, Sink sink)
    : console_(std::move(console)), sink_(std::move(sink)) {
    if (!sink_)
        sink_ = [](std::string_view line) { write_line(STDERR_FILENO, line); };
}

void Log::info(std::string_view message) const {
    sink_(format(message));
}

void Log::error(std::string_view message) const {
    to_console(message);
}

void Log::milestone(std::string_view message) const {
    to_console(message);
}

void Log::to_console(std::string_view message) const {
    auto line = format(message);
    sink_(line);
    if (console_.empty())
        return;
    UniqueFd console(::open(console_.c_str(), O_WRONLY | O_NOCTTY | O_APPEND | O_CLOEXEC));
    if (console)
        write_line(console.get(), line);
}

} // namespace machine::agent

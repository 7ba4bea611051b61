#include "machine/console_watch.h"

#include <fstream>

namespace machine {

namespace {

constexpr std::string_view agent_prefix = "machine-agent: ";
constexpr std::string_view no_ready = "; not sending Ready";

} // namespace

std::optional<std::string> agent_failure_in(const std::string &console_line) {
    auto start = console_line.find(agent_prefix);
    auto end = console_line.find(no_ready);
    if (start == std::string::npos || end == std::string::npos || end < start)
        return std::nullopt;
    std::string message;
    for (char c :
         console_line.substr(start + agent_prefix.size(), end - start - agent_prefix.size()))
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)
            message += c;
    return message;
}

ConsoleWatch::ConsoleWatch(std::filesystem::path log) : log_(std::move(log)) {}

void ConsoleWatch::poll() {
    std::ifstream in(log_, std::ios::binary);
    if (!in)
        return; // QEMU has not made it yet
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    offset_ += chunk.size();
    partial_line_ += chunk;
    std::size_t line_start = 0;
    for (auto newline = partial_line_.find('\n'); newline != std::string::npos;
         newline = partial_line_.find('\n', line_start)) {
        read_line(partial_line_.substr(line_start, newline - line_start));
        line_start = newline + 1;
    }
    partial_line_.erase(0, line_start);
}

void ConsoleWatch::read_line(const std::string &line) {
    if (line.find(agent_prefix) != std::string::npos)
        agent_started_ = true;
    if (!agent_failure_)
        agent_failure_ = agent_failure_in(line);
}

} // namespace machine

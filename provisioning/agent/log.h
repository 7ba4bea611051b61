#pragma once
// The agent's log: one line per event, prefixed "machine-agent: ", control characters escaped.
// Everything goes to stderr (the journal, in the guest); errors and milestones also to the serial
// console, where the host's console log shows why no Ready came, and `start` sees the agent
// begin (its "provisioning" phase).
#include <filesystem>
#include <functional>
#include <string_view>

namespace machine::agent {

class Log {
public:
    using Sink = std::function<void(std::string_view line)>;

    // `console` is opened for each error, never created; empty or missing means none. `sink`
    // receives each finished line (with its newline); by default it is stderr.
    explicit Log(std::filesystem::path console = {}, Sink sink = {});

    void info(std::string_view message) const;
    void error(std::string_view message) const;
    void milestone(std::string_view message) const;

private:
    void to_console(std::string_view message) const;

    std::filesystem::path console_;
    Sink sink_;
};

} // namespace machine::agent

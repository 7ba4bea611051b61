#pragma once
// A program to run, as data: argv is a list, never a shell string, so it can be tested exactly.
#include <map>
#include <string>
#include <vector>

namespace machine {

struct Command {
    std::string program;
    std::vector<std::string> args;
    std::map<std::string, std::string> env; // added to the inherited environment
    std::string input = {}; // written to its stdin (empty: stdin is the null device)

    bool operator==(const Command &) const = default;

    // For logs and error messages only: the argv with shell-style quoting where needed.
    std::string display() const;
};

// `word` quoted for a POSIX shell when it needs it ("it's" -> 'it'\''s').
std::string shell_quote(const std::string &word);

struct ProcessResult {
    int exit_code = 0; // 128 + signal when killed
    std::string out;
    std::string err;
};

// Runs commands. The real one spawns processes; tests use a recording fake.
class ProcessRunner {
public:
    virtual ~ProcessRunner() = default;
    // Runs to completion, capturing stdout and stderr. Throws HostNotReady if the program is
    // missing; a non-zero exit is returned, not thrown.
    virtual ProcessResult run(const Command &command) = 0;
    // Like run(), but throws ProcessFailed on a non-zero exit.
    ProcessResult check(const Command &command);
};

} // namespace machine

#pragma once
// A ProcessRunner that records every command and answers from a script instead of running it.
#include "machine/command.h"

#include <functional>
#include <vector>

namespace machine::test {

class RecordingRunner : public ProcessRunner {
public:
    // Decides each command's result; the default succeeds with no output.
    std::function<ProcessResult(const Command &)> respond = [](const Command &) {
        return ProcessResult{};
    };
    std::vector<Command> commands;

    ProcessResult run(const Command &command) override {
        commands.push_back(command);
        return respond(command);
    }
};

} // namespace machine::test

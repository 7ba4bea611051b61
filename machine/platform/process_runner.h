#pragma once
// The real ProcessRunner: posix_spawn with stdout/stderr captured through pipes.
#include "machine/command.h"

namespace machine::platform {

class SpawnProcessRunner : public ProcessRunner {
public:
    ProcessResult run(const Command &command) override;
};

} // namespace machine::platform

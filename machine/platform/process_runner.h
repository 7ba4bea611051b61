#pragma once
// The real ProcessRunner: posix_spawn with stdout/stderr captured through pipes.
#include "machine/command.h"

#include <filesystem>

namespace machine::platform {

class SpawnProcessRunner : public ProcessRunner {
public:
    ProcessResult run(const Command &command) override;
};

} // namespace machine::platform

namespace machine::platform {

// Starts `command` in a session of its own (so it outlives the CLI and its terminal), with stdin
// from /dev/null, stdout/stderr appended to `log`, and umask 0177 (what it makes is 0600, the
// user's alone). Returns the pid.
int spawn_detached(const Command &command, const std::filesystem::path &log);

// Runs `command` on this process's own stdin, stdout and stderr (an interactive program, e.g. a
// shell in a WSL distribution) and waits for it; its exit code (128 + signal when killed).
int run_attached(const Command &command);

// For a child of this process: true while it runs; reaps it once it has exited.
bool child_running(int pid);

// True while any process `pid` exists (a zombie counts as gone).
bool process_alive(int pid);

// SIGKILL; a process that is already gone is not an error.
void kill_process(int pid);

} // namespace machine::platform

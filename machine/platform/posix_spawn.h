#pragma once
// posix_spawnp with a Command's argv and environment, shared by the POSIX runners (POSIX only).
#include "machine/command.h"

#include <spawn.h>

namespace machine::platform {

// Owns one set of file actions: what the child's descriptors are made of. The child gets these
// and its standard streams (ours, unless an action replaces them), never another descriptor.
struct SpawnActions {
    posix_spawn_file_actions_t actions;
    SpawnActions();
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
    SpawnActions(const SpawnActions &) = delete;
    SpawnActions &operator=(const SpawnActions &) = delete;
};

// Whether the child leads a session of its own, away from this terminal's signals.
enum class Session { ours, new_one };

// Starts `command` (found on PATH) with the inherited environment and the command's variables
// over it; a missing program is HostNotReady. Returns the pid.
pid_t spawn_command(const Command &command, const SpawnActions &spawn,
                    Session session = Session::ours);

} // namespace machine::platform

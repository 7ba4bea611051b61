#pragma once
// posix_spawnp with a Command's argv and environment, shared by the POSIX runners (POSIX only).
#include "machine/command.h"

#include <spawn.h>

namespace machine::platform {

// Owns one set of file actions: what the child's descriptors are made of.
struct SpawnActions {
    posix_spawn_file_actions_t actions;
    SpawnActions() { posix_spawn_file_actions_init(&actions); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
    SpawnActions(const SpawnActions &) = delete;
    SpawnActions &operator=(const SpawnActions &) = delete;
};

// Starts `command` (found on PATH) with the inherited environment and the command's variables
// over it; a missing program is HostNotReady. Returns the pid.
pid_t spawn_command(const Command &command, const posix_spawn_file_actions_t &actions,
                    const posix_spawnattr_t *attributes = nullptr);

} // namespace machine::platform

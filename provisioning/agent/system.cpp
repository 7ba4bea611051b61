#include "provisioning/agent/system.h"

#include "provisioning/agent/errors.h"
#include "provisioning/agent/files.h"
#include "provisioning/agent/unique_fd.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace machine::agent {

namespace {

class SpawnFileActions {
public:
    SpawnFileActions() {
        if (int error = posix_spawn_file_actions_init(&actions_); error != 0)
            throw SystemError("posix_spawn_file_actions_init", error);
    }
    SpawnFileActions(const SpawnFileActions &) = delete;
    SpawnFileActions &operator=(const SpawnFileActions &) = delete;
    ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
    posix_spawn_file_actions_t *get() { return &actions_; }

private:
    posix_spawn_file_actions_t actions_;
};

// Runs `argv` with stdin from `stdin_fd` (or /dev/null when negative) to completion.
void spawn_and_wait(const Argv &argv, int stdin_fd) {
    if (argv.empty())
        throw CommandFailed(argv, "is empty");
    std::vector<char *> pointers;
    for (const auto &word : argv)
        pointers.push_back(const_cast<char *>(word.c_str()));
    pointers.push_back(nullptr);

    SpawnFileActions actions;
    int error = stdin_fd >= 0
                    ? posix_spawn_file_actions_adddup2(actions.get(), stdin_fd, 0)
                    : posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
    if (error != 0)
        throw SystemError("posix_spawn_file_actions", error);
    pid_t pid = 0;
    if (int error =
            posix_spawnp(&pid, pointers[0], actions.get(), nullptr, pointers.data(), environ);
        error != 0)
        throw CommandFailed(argv, std::string("could not start: ") + std::strerror(error));

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            throw SystemError("waiting for " + argv[0], errno);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return;
    if (WIFEXITED(status))
        throw CommandFailed(argv, "exited with " + std::to_string(WEXITSTATUS(status)));
    throw CommandFailed(argv, "was killed by signal " + std::to_string(WTERMSIG(status)));
}

} // namespace

void SpawnSystem::run(const Argv &argv) {
    spawn_and_wait(argv, -1);
}

void SpawnSystem::run_with_input(const Argv &argv, const std::string &input) {
    // The whole input waits in the pipe before the program starts: no writer to block or to
    // meet a closed reader.
    if (input.size() > 4096)
        throw CommandFailed(argv, "was given more input than a pipe holds at once");
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0)
        throw SystemError("cannot make a pipe", errno);
    UniqueFd read_end(ends[0]), write_end(ends[1]);
    write_all(write_end.get(), input, "a pipe");
    write_end.reset();
    spawn_and_wait(argv, read_end.get());
}

void SpawnSystem::set_hostname(const std::string &name) {
    if (::sethostname(name.data(), name.size()) != 0)
        throw SystemError("cannot set the hostname to " + name, errno);
}

RecordingSystem::RecordingSystem(std::function<void(const Argv &)> on_run)
    : on_run_(std::move(on_run)) {}

void RecordingSystem::run(const Argv &argv) {
    run_with_input(argv, "");
}

void RecordingSystem::run_with_input(const Argv &argv, const std::string &input) {
    commands_.push_back(argv);
    inputs_.push_back(input);
    if (on_run_)
        on_run_(argv);
}

void RecordingSystem::set_hostname(const std::string &name) {
    run({"hostname", name});
}

} // namespace machine::agent

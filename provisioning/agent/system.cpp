#include "provisioning/agent/system.h"

#include "provisioning/agent/errors.h"

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

} // namespace

void SpawnSystem::run(const Argv &argv) {
    if (argv.empty())
        throw CommandFailed(argv, "is empty");
    std::vector<char *> pointers;
    for (const auto &word : argv)
        pointers.push_back(const_cast<char *>(word.c_str()));
    pointers.push_back(nullptr);

    SpawnFileActions actions;
    if (int error = posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
        error != 0)
        throw SystemError("posix_spawn_file_actions_addopen", error);
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

void SpawnSystem::set_hostname(const std::string &name) {
    if (::sethostname(name.data(), name.size()) != 0)
        throw SystemError("cannot set the hostname to " + name, errno);
}

RecordingSystem::RecordingSystem(std::function<void(const Argv &)> on_run)
    : on_run_(std::move(on_run)) {}

void RecordingSystem::run(const Argv &argv) {
    commands_.push_back(argv);
    if (on_run_)
        on_run_(argv);
}

void RecordingSystem::set_hostname(const std::string &name) {
    run({"hostname", name});
}

} // namespace machine::agent

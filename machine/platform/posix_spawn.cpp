#include "platform/posix_spawn.h"

#include "machine/errors.h"

#include <cerrno>
#include <string>
#include <vector>

extern char **environ;

namespace machine::platform {

namespace {

std::vector<std::string> merged_environment(const Command &command) {
    std::vector<std::string> env;
    for (char **e = environ; *e; ++e) {
        std::string entry = *e;
        auto key = entry.substr(0, entry.find('='));
        if (!command.env.count(key))
            env.push_back(entry);
    }
    for (const auto &[key, value] : command.env)
        env.push_back(key + "=" + value);
    return env;
}

std::vector<char *> c_strings(std::vector<std::string> &words) {
    std::vector<char *> pointers;
    for (auto &word : words)
        pointers.push_back(word.data());
    pointers.push_back(nullptr);
    return pointers;
}

} // namespace

SpawnActions::SpawnActions() {
    posix_spawn_file_actions_init(&actions);
#if defined(POSIX_SPAWN_CLOEXEC_DEFAULT)
    // macOS closes every descriptor but these and the actions' own (see spawn_command).
    for (int fd : {0, 1, 2})
        posix_spawn_file_actions_addinherit_np(&actions, fd);
#endif
}

pid_t spawn_command(const Command &command, const SpawnActions &spawn, Session session) {
    // macOS cannot make a descriptor close-on-exec as it makes it (posix_descriptors.h): it is
    // told instead to give the child nothing it was not handed explicitly.
    short flags = session == Session::new_one ? POSIX_SPAWN_SETSID : 0;
#if defined(POSIX_SPAWN_CLOEXEC_DEFAULT)
    flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;
#endif
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, flags);
    struct Attributes {
        posix_spawnattr_t *attributes;
        ~Attributes() { posix_spawnattr_destroy(attributes); }
    } owner{&attributes};

    std::vector<std::string> argv{command.program};
    argv.insert(argv.end(), command.args.begin(), command.args.end());
    auto env = merged_environment(command);
    auto c_argv = c_strings(argv);
    auto c_env = c_strings(env);
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, command.program.c_str(), &spawn.actions, &attributes,
                            c_argv.data(), c_env.data());
    if (rc == ENOENT)
        throw HostNotReady(command.program + " is not installed or not on PATH",
                           "install it (see the README) and try again");
    if (rc != 0)
        throw SystemError("cannot run " + command.program, rc);
    return pid;
}

} // namespace machine::platform

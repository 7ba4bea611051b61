#include "machine/connections.h"

#include "machine/errors.h"
#include "platform/api_pipe.h"

#include <algorithm>

namespace machine {

std::string api_uri(const std::string &name, const std::string &socket, platform::HostOs os) {
    if (os != platform::HostOs::windows)
        return "unix://" + socket;
    auto pipe = platform::api_pipe_name(name); // \\.\pipe\machine-NAME
    std::replace(pipe.begin(), pipe.end(), '\\', '/');
    return "npipe://" + pipe;
}

Command podman_connection_add(const std::string &name, const std::string &uri, bool make_default) {
    Command c{"podman", {"system", "connection", "add"}, {}};
    if (make_default)
        c.args.push_back("--default");
    c.args.insert(c.args.end(), {name, uri});
    return c;
}

Command podman_connection_remove(const std::string &name) {
    return {"podman", {"system", "connection", "remove", name}, {}};
}

std::string docker_context_name(const std::string &name) {
    // docker reserves "default" and wants two characters or more
    return name == "default" || name.size() < 2 ? "machine-" + name : name;
}

Command docker_context_create(const std::string &name, const std::string &host) {
    return {"docker",
            {"context", "create", docker_context_name(name), "--description", "machine " + name,
             "--docker", "host=" + host},
            {}};
}

Command docker_context_remove(const std::string &name) {
    return {"docker", {"context", "rm", "--force", docker_context_name(name)}, {}};
}

namespace {

// Runs `command`; a missing tool is fine, a refusal becomes a warning line.
void attempt(ProcessRunner &runner, const Command &command, std::vector<std::string> &problems,
             bool report) {
    try {
        auto result = runner.run(command);
        if (result.exit_code != 0 && report)
            problems.push_back(command.display() + ": " +
                               result.err.substr(0, result.err.find('\n')));
    } catch (const HostNotReady &) {
        // not installed: nothing to register with
    }
}

} // namespace

std::vector<std::string> register_connections(ProcessRunner &runner, const std::string &name,
                                              const std::string &socket, bool make_default) {
    std::vector<std::string> problems;
    attempt(runner, podman_connection_remove(name), problems, false);
    auto uri = api_uri(name, socket);
    attempt(runner, podman_connection_add(name, uri, make_default), problems, true);
    attempt(runner, docker_context_remove(name), problems, false);
    attempt(runner, docker_context_create(name, uri), problems, true);
    return problems;
}

std::vector<std::string> unregister_connections(ProcessRunner &runner, const std::string &name) {
    std::vector<std::string> problems;
    attempt(runner, podman_connection_remove(name), problems, false);
    attempt(runner, docker_context_remove(name), problems, false);
    return problems;
}

} // namespace machine

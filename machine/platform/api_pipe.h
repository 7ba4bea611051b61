#pragma once
// The named pipe through which the docker CLI reaches a machine on Windows (its default
// transport there: `DOCKER_HOST=npipe:////./pipe/machine-NAME`), served by the forwarder next to
// its unix socket and relayed to it (platform/named_pipe.h). On POSIX the clients use the unix
// socket itself: there is no pipe to serve, and ApiPipe does nothing.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace machine::platform {

// `\\.\pipe\machine-NAME` (machine names are validated: nothing in them needs escaping).
std::string api_pipe_name(const std::string &machine);

// The docker CLI's default on Windows when neither a context nor DOCKER_HOST says otherwise, as
// Docker Desktop and podman serve it.
inline constexpr const char *docker_engine_pipe = R"(\\.\pipe\docker_engine)";

class ApiPipe {
public:
    using Log = std::function<void(const std::string &)>;

    // Windows: serves api_pipe_name(machine) until destroyed, each client relayed to a connection
    // of its own to `api_socket`; throws HostNotReady when another program serves that name.
    // Serves docker_engine_pipe too when nothing else does (Docker Desktop, another machine), and
    // else logs that it is left to them. POSIX: nothing.
    ApiPipe(const std::string &machine, const std::filesystem::path &api_socket, Log log);
    ~ApiPipe();
    ApiPipe(const ApiPipe &) = delete;
    ApiPipe &operator=(const ApiPipe &) = delete;

    // Whether this one serves docker_engine_pipe (always false on POSIX).
    bool serves_docker_engine() const;

private:
    struct Server; // the relays on Windows; none on POSIX
    std::unique_ptr<Server> server_;
};

} // namespace machine::platform

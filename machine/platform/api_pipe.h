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

class ApiPipe {
public:
    using Log = std::function<void(const std::string &)>;

    // Windows: serves api_pipe_name(machine) until destroyed, each client relayed to a connection
    // of its own to `api_socket`; throws HostNotReady when another program serves that name.
    // POSIX: nothing.
    ApiPipe(const std::string &machine, const std::filesystem::path &api_socket, Log log);
    ~ApiPipe();
    ApiPipe(const ApiPipe &) = delete;
    ApiPipe &operator=(const ApiPipe &) = delete;

private:
    struct Server; // the relay on Windows; none on POSIX
    std::unique_ptr<Server> server_;
};

} // namespace machine::platform

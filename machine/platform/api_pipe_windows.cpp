#include "platform/api_pipe.h"

#include "machine/errors.h"
#include "platform/named_pipe.h"
#include "platform/unix_socket.h"
#include "platform/winsock.h"

namespace machine::platform {

struct ApiPipe::Server {
    std::unique_ptr<PipeRelay> machine, docker_engine;
};

ApiPipe::ApiPipe(const std::string &machine, const std::filesystem::path &api_socket, Log log)
    : server_(std::make_unique<Server>()) {
    // The forwarder's unix socket (Windows 10 1803 and later have AF_UNIX).
    auto target = [api_socket] { return WinSocket(as_socket(connect_unix(api_socket).release())); };
    server_->machine = std::make_unique<PipeRelay>(api_pipe_name(machine), target, log);
    try {
        server_->docker_engine = std::make_unique<PipeRelay>(docker_engine_pipe, target, log);
        if (log)
            log(std::string("forwarder: serving ") + docker_engine_pipe + " too");
    } catch (const HostNotReady &) {
        // Docker Desktop or another machine has it: the CLI reaches this one by its own pipe.
        if (log)
            log(std::string("forwarder: ") + docker_engine_pipe +
                " is served by another program; the docker CLI reaches this machine with "
                "DOCKER_HOST=npipe:////./pipe/machine-" +
                machine);
    }
}

ApiPipe::~ApiPipe() = default;

bool ApiPipe::serves_docker_engine() const {
    return server_->docker_engine != nullptr;
}

} // namespace machine::platform

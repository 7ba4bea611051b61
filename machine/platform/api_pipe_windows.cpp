#include "platform/api_pipe.h"

#include "machine/errors.h"
#include "platform/named_pipe.h"
#include "platform/windows_error.h"

#include <afunix.h>
#include <cstring>

namespace machine::platform {

namespace {

// The forwarder's unix socket (Windows 10 1803 and later have AF_UNIX).
WinSocket connect_unix(const std::filesystem::path &path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    auto utf8 = path.u8string(); // what Windows' AF_UNIX expects
    std::string text(utf8.begin(), utf8.end());
    if (text.size() >= sizeof address.sun_path)
        throw HostNotReady("socket path is too long for the system: " + text,
                           "set XDG_RUNTIME_DIR to a shorter folder");
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    WinSocket socket(::socket(AF_UNIX, SOCK_STREAM, 0));
    if (!socket)
        throw_windows_error("cannot create a socket for " + text, WSAGetLastError());
    if (::connect(socket.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        throw_windows_error("cannot connect to " + text, WSAGetLastError());
    return socket;
}

} // namespace

struct ApiPipe::Server {
    std::unique_ptr<PipeRelay> machine, docker_engine;
};

ApiPipe::ApiPipe(const std::string &machine, const std::filesystem::path &api_socket, Log log)
    : server_(std::make_unique<Server>()) {
    auto target = [api_socket] { return connect_unix(api_socket); };
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

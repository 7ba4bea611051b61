#include "platform/api_pipe.h"

namespace machine::platform {

// POSIX clients use the unix socket: there is no pipe to serve.
struct ApiPipe::Server {};

ApiPipe::ApiPipe(const std::string &, const std::filesystem::path &, Log) {}

ApiPipe::~ApiPipe() = default;

bool ApiPipe::serves_docker_engine() const {
    return false;
}

} // namespace machine::platform

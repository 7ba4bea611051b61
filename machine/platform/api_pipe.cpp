#include "platform/api_pipe.h"

namespace machine::platform {

std::string api_pipe_name(const std::string &machine) {
    return R"(\\.\pipe\machine-)" + machine;
}

} // namespace machine::platform

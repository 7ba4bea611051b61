#include "platform/atomic_file.h"

#include "machine/errors.h"

#include <cerrno>
#include <fstream>
#include <sstream>

namespace machine::platform {

std::string read_file(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw SystemError("cannot read " + path.string(), errno);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace machine::platform

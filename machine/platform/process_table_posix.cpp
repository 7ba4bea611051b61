#include "platform/process_table.h"

#include "platform/process_info.h"

#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace machine::platform {

int read_pid_file(const std::filesystem::path &path) {
    // Plain POSIX reads: `list` calls this for every machine, and an ifstream costs more.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char text[16] = {};
    auto n = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    long pid = n > 0 ? std::strtol(text, nullptr, 10) : 0;
    return pid > 0 && pid < (1 << 22) ? int(pid) : 0;
}

bool process_has_argument(int pid, const std::string &needle, bool substring) {
    for (const auto &argument : process_arguments(pid))
        if (substring ? argument.find(needle) != std::string::npos : argument == needle)
            return true;
    return false;
}

} // namespace machine::platform

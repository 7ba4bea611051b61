#include "platform/process_table.h"

#include <fstream>
#include <iterator>

namespace machine::platform {

int read_pid_file(const std::filesystem::path &path) {
    std::ifstream in(path);
    long pid = 0;
    if (!(in >> pid) || pid <= 0 || pid > 1 << 22)
        return 0;
    return int(pid);
}

bool process_has_argument(int pid, const std::string &needle, bool substring) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    if (!in)
        return false;
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t start = 0;
    while (start < cmdline.size()) {
        auto end = cmdline.find('\0', start);
        if (end == std::string::npos)
            end = cmdline.size();
        auto argument = cmdline.substr(start, end - start);
        if (substring ? argument.find(needle) != std::string::npos : argument == needle)
            return true;
        start = end + 1;
    }
    return false;
}

} // namespace machine::platform

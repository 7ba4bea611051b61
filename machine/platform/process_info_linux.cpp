#include "platform/process_info.h"

#include "machine/errors.h"
#include "platform/host.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace machine::platform {

std::vector<std::string> process_arguments(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> arguments;
    for (std::size_t start = 0; start < cmdline.size();) {
        auto end = cmdline.find('\0', start);
        if (end == std::string::npos)
            end = cmdline.size();
        arguments.push_back(cmdline.substr(start, end - start));
        start = end + 1;
    }
    return arguments;
}

bool process_awaits_reaping(int pid) {
    // proc(5): the state is field 3, just after the command's name (in parentheses, which may
    // itself hold spaces and parentheses); the number of threads is field 20. A first thread that
    // ended while others still exit shows as a zombie too, with more than one.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    auto close = text.rfind(')');
    if (close == std::string::npos)
        return false;
    std::istringstream fields(text.substr(close + 1));
    std::string state, field;
    fields >> state;
    for (int i = 0; i < 16; ++i)
        fields >> field;
    long threads = 0;
    fields >> threads;
    return state == "Z" && threads <= 1;
}

std::string own_executable() {
    std::error_code ec;
    auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        throw SystemError("cannot find the running program", ec.value());
    return path.string();
}

} // namespace machine::platform

#include "platform/process_info.h"

#include "machine/errors.h"
#include "platform/host.h"

#include <cerrno>
#include <cstring>
#include <libproc.h>
#include <mach-o/dyld.h>
#include <sys/proc_info.h>
#include <sys/sysctl.h>

namespace machine::platform {

std::vector<std::string> process_arguments(int pid) {
    // KERN_PROCARGS2: argc, the executable's path, padding, then argc strings, each ended by a
    // NUL (then the environment, which is left alone). At most KERN_ARGMAX bytes.
    int argmax = 0;
    std::size_t size = sizeof argmax;
    int max_name[] = {CTL_KERN, KERN_ARGMAX};
    if (::sysctl(max_name, 2, &argmax, &size, nullptr, 0) != 0 || argmax <= 0)
        return {};
    std::string buffer(std::size_t(argmax), '\0');
    size = buffer.size();
    int name[] = {CTL_KERN, KERN_PROCARGS2, pid};
    if (::sysctl(name, 3, buffer.data(), &size, nullptr, 0) != 0 || size < sizeof(int))
        return {};
    buffer.resize(size);
    int argc = 0;
    std::memcpy(&argc, buffer.data(), sizeof argc);
    auto at = buffer.find('\0', sizeof argc); // the end of the executable's path
    at = buffer.find_first_not_of('\0', at);  // past its padding
    std::vector<std::string> arguments;
    while (at != std::string::npos && at < buffer.size() && int(arguments.size()) < argc) {
        auto end = buffer.find('\0', at);
        if (end == std::string::npos)
            end = buffer.size();
        arguments.push_back(buffer.substr(at, end - at));
        at = end + 1;
    }
    return arguments;
}

bool process_awaits_reaping(int pid) {
    proc_bsdinfo info{};
    int n = ::proc_pidinfo(pid, PROC_PIDTBSDINFO, 0, &info, sizeof info);
    return n == int(sizeof info) && info.pbi_status == SZOMB;
}

std::string own_executable() {
    std::uint32_t size = 0;
    ::_NSGetExecutablePath(nullptr, &size); // asks for the size
    std::string path(size, '\0');
    if (::_NSGetExecutablePath(path.data(), &size) != 0)
        throw SystemError("cannot find the running program", ENAMETOOLONG);
    path.resize(std::strlen(path.c_str()));
    // The path the program was started by; the same file, without links.
    char resolved[PATH_MAX];
    return ::realpath(path.c_str(), resolved) ? std::string(resolved) : path;
}

} // namespace machine::platform

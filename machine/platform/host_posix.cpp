#include "platform/host.h"

#include "machine/errors.h"
#include "platform/posix_descriptors.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

#if defined(__linux__)
#include <linux/kvm.h>
#endif

namespace machine::platform {

std::string host_arch() {
    struct utsname u {};
    ::uname(&u);
    std::string machine = u.machine;
    return machine == "arm64" ? "aarch64" : machine;
}

int host_user_id() {
    return int(::getuid());
}

std::uint64_t host_memory_mib() {
    long pages = ::sysconf(_SC_PHYS_PAGES);
    long page_size = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0)
        return 0;
    return std::uint64_t(pages) * std::uint64_t(page_size) >> 20;
}

bool kvm_usable() {
#if defined(__linux__)
    int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = ::ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
    ::close(fd);
    return ok;
#else
    return false;
#endif
}

int free_loopback_port() {
    int fd = posix::new_socket(AF_INET, SOCK_STREAM);
    if (fd < 0)
        throw SystemError("cannot create a socket", errno);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        int saved = errno;
        ::close(fd);
        throw SystemError("cannot find a free port on 127.0.0.1", saved);
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

namespace {

std::filesystem::path env_path(const char *name) {
    const char *value = std::getenv(name);
    return value && *value == '/' ? std::filesystem::path(value) : std::filesystem::path();
}

std::filesystem::path home_dir() {
    if (auto home = env_path("HOME"); !home.empty())
        return home;
    if (auto *pw = ::getpwuid(::getuid()))
        return pw->pw_dir;
    throw HostNotReady("cannot find the home folder", "set HOME");
}

} // namespace

std::filesystem::path user_config_dir() {
    auto dir = env_path("XDG_CONFIG_HOME");
    return (dir.empty() ? home_dir() / ".config" : dir) / "machine";
}

std::filesystem::path user_data_dir() {
    auto dir = env_path("XDG_DATA_HOME");
    return (dir.empty() ? home_dir() / ".local" / "share" : dir) / "machine";
}

std::filesystem::path user_runtime_dir() {
    if (auto dir = env_path("XDG_RUNTIME_DIR"); !dir.empty())
        return dir / "machine";
    auto uid = std::to_string(::getuid());
    std::filesystem::path run_user = "/run/user/" + uid;
    if (::access(run_user.c_str(), W_OK) == 0)
        return run_user / "machine";
    auto tmp = env_path("TMPDIR");
    return (tmp.empty() ? std::filesystem::path("/tmp") : tmp) / ("machine-" + uid);
}

std::filesystem::path find_program(const std::string &name) {
    const char *path = std::getenv("PATH");
    std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    for (std::size_t begin = 0; begin <= dirs.size();) {
        auto end = std::min(dirs.find(':', begin), dirs.size());
        std::filesystem::path candidate =
            std::filesystem::path(end > begin ? dirs.substr(begin, end - begin) : ".") / name;
        if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate))
            return candidate;
        begin = end + 1;
    }
    return {};
}

} // namespace machine::platform

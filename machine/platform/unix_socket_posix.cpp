#include "platform/unix_socket.h"

#include "machine/errors.h"
#include "platform/posix_descriptors.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

namespace machine::platform {

namespace {

sockaddr_un unix_address(const std::filesystem::path &path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    auto text = path.string();
    if (text.size() >= sizeof address.sun_path)
        throw HostNotReady("socket path is too long for the system: " + text,
                           "set XDG_RUNTIME_DIR to a shorter folder");
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    return address;
}

} // namespace

Fd &Fd::operator=(Fd &&other) noexcept {
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        kind_ = other.kind_;
        fd_ = other.release();
    }
    return *this;
}

Fd::~Fd() {
    if (fd_ >= 0)
        ::close(fd_);
}

void remove_runtime_file(const std::filesystem::path &path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        return;
    if (S_ISLNK(st.st_mode) || st.st_uid != ::geteuid())
        throw HostNotReady(path.string() + " is a symlink or belongs to another user; refusing "
                                           "to use it",
                           "remove it by hand after checking who made it");
    ::unlink(path.c_str());
}

UnixListener::UnixListener(const std::filesystem::path &path) : path_(path) {
    auto address = unix_address(path);
    remove_runtime_file(path);
    fd_ = Fd(posix::new_socket(AF_UNIX, SOCK_STREAM));
    if (!fd_)
        throw SystemError("cannot create a socket", errno);
    // The umask decides the mode bind() gives; fchmod on a socket does not change the file.
    auto old_umask = ::umask(0177);
    int rc = ::bind(fd_.get(), reinterpret_cast<sockaddr *>(&address), sizeof address);
    int saved = errno;
    ::umask(old_umask);
    if (rc != 0)
        throw SystemError("cannot listen on " + path.string(), saved);
    if (::listen(fd_.get(), SOMAXCONN) != 0)
        throw SystemError("cannot listen on " + path.string(), errno);
}

UnixListener::~UnixListener() {
    ::unlink(path_.c_str());
}

Fd UnixListener::accept(Clock::time_point deadline) {
    if (!wait_readable(fd_.get(), deadline))
        return Fd();
    Fd client(posix::accept_socket(fd_.get()));
    if (!client)
        throw SystemError("cannot accept on " + path_.string(), errno);
    return client;
}

Fd connect_unix(const std::filesystem::path &path) {
    auto address = unix_address(path);
    Fd fd(posix::new_socket(AF_UNIX, SOCK_STREAM));
    if (!fd)
        throw SystemError("cannot create a socket", errno);
    if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        throw SystemError("cannot connect to " + path.string(), errno);
    return fd;
}

std::pair<Fd, Fd> stream_socket_pair() {
    int fds[2];
    if (posix::socket_pair(fds) != 0)
        throw SystemError("cannot make a socket pair", errno);
    return {Fd(fds[0]), Fd(fds[1])};
}

namespace {

// One address: connects without blocking, then waits for the answer until `deadline`.
bool connects_by(const addrinfo &address, Clock::time_point deadline) {
    Fd fd(posix::new_socket(address.ai_family, SOCK_STREAM, posix::Blocking::no));
    if (!fd)
        return false;
    if (::connect(fd.get(), address.ai_addr, address.ai_addrlen) == 0)
        return true;
    if (errno != EINPROGRESS)
        return false;
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, milliseconds_until(deadline)) <= 0)
        return false;
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    return error == 0;
}

} // namespace

bool tcp_port_answers(const std::string &host, int port, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0)
        return false;
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
    // Each address in turn: a name such as localhost may come first as ::1 and answer on
    // 127.0.0.1 alone.
    for (auto *address = found; address; address = address->ai_next)
        if (connects_by(*address, deadline))
            return true;
    return false;
}

bool wait_readable(int fd, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        int rc = ::poll(&p, 1, milliseconds_until(deadline));
        if (rc > 0)
            return true;
        if (rc == 0)
            return false;
        if (errno != EINTR)
            throw SystemError("cannot wait on a socket", errno);
    }
}

std::string read_line(int fd, Clock::time_point deadline, std::string &buffer, bool &eof) {
    eof = false;
    for (;;) {
        auto newline = buffer.find('\n');
        if (newline != std::string::npos) {
            auto line = buffer.substr(0, newline);
            buffer.erase(0, newline + 1);
            return line;
        }
        if (!wait_readable(fd, deadline))
            throw Timeout("timed out waiting for a reply");
        char chunk[4096];
        auto n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw SystemError("cannot read from a socket", errno);
        if (n == 0) {
            eof = true;
            auto rest = buffer;
            buffer.clear();
            return rest;
        }
        buffer.append(chunk, std::size_t(n));
    }
}

void write_all(int fd, const std::string &data) {
    std::size_t written = 0;
    while (written < data.size()) {
        auto n = ::send(fd, data.data() + written, data.size() - written, posix::no_sigpipe);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw SystemError("cannot write to a socket", errno);
        written += std::size_t(n);
    }
}

void write_with_descriptor(int fd, const std::string &data, int descriptor) {
    // The descriptor travels with the first byte; the rest follows as plain data.
    iovec first{const_cast<char *>(data.data()), std::size_t(data.empty() ? 0 : 1)};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &first;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    auto *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &descriptor, sizeof(int));
    ssize_t n;
    do
        n = ::sendmsg(fd, &message, posix::no_sigpipe);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        throw SystemError("cannot pass a file over a socket", errno);
    write_all(fd, data.substr(std::size_t(n)));
}

Fd listen_loopback(const std::string &protocol, int port, Loopback loopback) {
    bool udp = protocol == "udp", ipv6 = loopback == Loopback::ipv6;
    Fd fd(posix::new_socket(ipv6 ? AF_INET6 : AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM,
                            posix::Blocking::no));
    if (!fd && ipv6 && errno == EAFNOSUPPORT)
        return Fd(); // a host without IPv6
    if (!fd)
        throw SystemError("cannot make a socket", errno);
    sockaddr_storage address{};
    socklen_t length = 0;
    if (ipv6) {
        auto &in6 = reinterpret_cast<sockaddr_in6 &>(address);
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons(std::uint16_t(port));
        in6.sin6_addr.s6_addr[15] = 1; // ::1
        length = sizeof in6;
    } else {
        auto &in = reinterpret_cast<sockaddr_in &>(address);
        in.sin_family = AF_INET;
        in.sin_port = htons(std::uint16_t(port));
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        length = sizeof in;
    }
    if (!udp) {
        int on = 1; // a port just given up by a container is free again at once
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    }
    int bound = ::bind(fd.get(), reinterpret_cast<sockaddr *>(&address), length);
    if (bound != 0 && ipv6 && errno == EADDRNOTAVAIL)
        return Fd(); // IPv6 without its loopback address: nothing to listen on
    if (bound != 0 || (!udp && ::listen(fd.get(), SOMAXCONN) != 0))
        throw SystemError(fmt::format("cannot listen on {}:{} ({})", ipv6 ? "[::1]" : "127.0.0.1",
                                      port, protocol),
                          errno);
    return fd;
}

WakePipe::WakePipe() {
    int ends[2];
    if (posix::make_pipe(ends, posix::Blocking::no) != 0)
        throw SystemError("cannot make a pipe", errno);
    read_ = Fd(ends[0]);
    write_ = Fd(ends[1]);
}

void WakePipe::wake() {
    char byte = 1;
    [[maybe_unused]] auto n = ::write(write_.get(), &byte, 1); // full: it is awake already
}

void WakePipe::drain() {
    char buffer[64];
    while (::read(read_.get(), buffer, sizeof buffer) > 0) {
    }
}

} // namespace machine::platform

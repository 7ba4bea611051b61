// The Winsock side of machine/platform (unix_socket, socket_io, winsock, link_io, terminal) on
// Windows or under Wine: real loopback sockets, real threads, and two machine-mux sessions
// talking over a loopback link. Wine 8 has no AF_UNIX: there the unix socket test checks the
// error says so.
#include "../../machine/mux/mux_session.h"
#include "machine/errors.h"
#include "platform/socket_io.h"
#include "platform/terminal.h"
#include "platform/unix_socket.h"
#include "platform/winsock.h"
#include "random_bytes.h"
#include "under_wine.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <io.h>
#include <random>
#include <thread>

using namespace machine;
using namespace machine::platform;
using namespace std::chrono_literals;

using machine::test::random_bytes;
using machine::test::under_wine;

namespace {

int port_of(const Fd &fd) {
    sockaddr_in address{};
    int length = sizeof address;
    REQUIRE(getsockname(as_socket(fd.get()), reinterpret_cast<sockaddr *>(&address), &length) == 0);
    return ntohs(address.sin_port);
}

// A blocking client connection to 127.0.0.1:port, or an empty Fd (no REQUIRE: threads call it).
Fd connect_to(int port) {
    Fd fd(int(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(u_short(port));
    if (fd &&
        connect(as_socket(fd.get()), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        fd = Fd();
    return fd;
}

// The two ends of a loopback TCP connection, as they come (blocking).
std::pair<Fd, Fd> connected_pair() {
    auto listener = listen_loopback("tcp", 0);
    auto client = connect_to(port_of(listener));
    REQUIRE(client);
    REQUIRE(wait_readable(listener.get(), Clock::now() + 5s));
    Fd server(int(accept(as_socket(listener.get()), nullptr, nullptr)));
    REQUIRE(server);
    u_long blocking = 0; // listen_loopback's listener is non-blocking, and so its children
    ioctlsocket(as_socket(server.get()), FIONBIO, &blocking);
    return {std::move(client), std::move(server)};
}

// Sends everything, blocking; false when the connection failed (threads call it).
bool send_all(const Fd &fd, const std::string &data) {
    for (std::size_t at = 0; at < data.size();) {
        int n = send(as_socket(fd.get()), data.data() + at, int(data.size() - at), 0);
        if (n <= 0)
            return false;
        at += std::size_t(n);
    }
    return true;
}

std::string receive_to_end(const Fd &fd) {
    std::string data;
    char buffer[65536];
    for (int n; (n = recv(as_socket(fd.get()), buffer, sizeof buffer, 0)) > 0;)
        data.append(buffer, std::size_t(n));
    return data;
}

// The target behind the guest end: echoes each connection to its end, then says "bye".
class EchoTarget {
public:
    EchoTarget() : listener_(listen_loopback("tcp", 0)), port_(port_of(listener_)) {
        acceptor_ = std::thread([this] {
            for (;;) {
                if (!wait_readable(listener_.get(), Clock::now() + 60s))
                    continue;
                Fd client(int(accept(as_socket(listener_.get()), nullptr, nullptr)));
                if (stopping_)
                    return;
                if (!client)
                    continue;
                u_long blocking = 0;
                ioctlsocket(as_socket(client.get()), FIONBIO, &blocking);
                conversations_.emplace_back([fd = std::move(client)] {
                    char buffer[65536];
                    for (int n; (n = recv(as_socket(fd.get()), buffer, sizeof buffer, 0)) > 0;)
                        if (send(as_socket(fd.get()), buffer, n, 0) != n)
                            return;
                    send(as_socket(fd.get()), "bye", 3, 0);
                });
            }
        });
    }
    ~EchoTarget() {
        stopping_ = true;
        connect_to(port_); // wakes the acceptor
        acceptor_.join();
        for (auto &conversation : conversations_)
            conversation.join();
    }
    int port() const { return port_; }

private:
    Fd listener_;
    int port_;
    std::atomic<bool> stopping_ = false;
    std::vector<std::thread> conversations_;
    std::thread acceptor_;
};

// A UDP target behind the guest end: sends each datagram back to its sender.
class UdpEcho {
public:
    UdpEcho() : socket_(int(new_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(as_socket(socket_.get()), reinterpret_cast<sockaddr *>(&address),
                     sizeof address) == 0);
        port_ = port_of(socket_);
        thread_ = std::thread([this] {
            char buffer[65536];
            for (;;) {
                sockaddr_in from{};
                int length = sizeof from;
                int n = recvfrom(as_socket(socket_.get()), buffer, sizeof buffer, 0,
                                 reinterpret_cast<sockaddr *>(&from), &length);
                if (stopping_)
                    return;
                if (n >= 0)
                    sendto(as_socket(socket_.get()), buffer, n, 0,
                           reinterpret_cast<sockaddr *>(&from), length);
            }
        });
    }
    ~UdpEcho() {
        stopping_ = true;
        Fd waker(int(new_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(u_short(port_));
        sendto(as_socket(waker.get()), "x", 1, 0, reinterpret_cast<sockaddr *>(&address),
               sizeof address);
        thread_.join();
    }
    // A UDP socket connected to it, as the guest agent makes one for a "udp:" stream.
    int connect_one() const {
        Fd fd(int(new_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(u_short(port_));
        if (connect(as_socket(fd.get()), reinterpret_cast<sockaddr *>(&address), sizeof address))
            return -1;
        return fd.release();
    }

private:
    Fd socket_;
    int port_ = 0;
    std::atomic<bool> stopping_ = false;
    std::thread thread_;
};

} // namespace

TEST_CASE("WakePipe: a wake ends a wait on its read end and drain quiets it again") {
    WakePipe pipe;
    CHECK_FALSE(wait_readable(pipe.read_fd(), Clock::now() + 50ms));
    std::thread waker([&] {
        std::this_thread::sleep_for(100ms);
        pipe.wake();
    });
    auto began = Clock::now();
    CHECK(wait_readable(pipe.read_fd(), Clock::now() + 10s));
    CHECK(Clock::now() - began < 5s);
    waker.join();
    for (int i = 0; i < 10000; ++i) // more than the socket holds: a full one is awake already
        pipe.wake();
    pipe.drain();
    CHECK_FALSE(wait_readable(pipe.read_fd(), Clock::now() + 50ms));
    // Every wake is prompt: Nagle's algorithm is off on the writing end.
    for (int i = 0; i < 5; ++i) {
        pipe.wake();
        began = Clock::now();
        CHECK(wait_readable(pipe.read_fd(), Clock::now() + 5s));
        CHECK(Clock::now() - began < 100ms);
        pipe.drain();
    }
}

TEST_CASE("listen_loopback TCP: bytes go both ways with send_available and receive_available") {
    auto listener = listen_loopback("tcp", 0);
    int port = port_of(listener);
    CHECK(port > 0);
    auto client = connect_to(port);
    REQUIRE(client);

    std::vector<Watch> watches{{.fd = listener.get(), .read = true}};
    wait_ready(watches, 5000ms);
    REQUIRE(watches[0].readable);
    Fd server(int(accept(as_socket(listener.get()), nullptr, nullptr)));
    REQUIRE(server);

    // Client to server, read as it comes.
    auto upload = random_bytes(300 * 1000, 1);
    bool uploaded = false;
    std::thread sender([&] {
        uploaded = send_all(client, upload);
        shutdown(as_socket(client.get()), SD_SEND);
    });
    std::string received;
    for (bool ended = false; !ended;) {
        std::vector<Watch> reading{{.fd = server.get(), .read = true}};
        wait_ready(reading, 5000ms);
        REQUIRE(reading[0].readable);
        char buffer[4096];
        auto n = receive_available(server.get(), buffer, sizeof buffer);
        if (!n)
            continue; // nothing after all
        ended = *n == 0;
        received.append(buffer, *n);
    }
    sender.join();
    CHECK(uploaded);
    CHECK(received == upload);

    // Server to client, in what the socket takes each time; then half-closed.
    auto download = random_bytes(300 * 1000, 2);
    std::string downloaded;
    std::thread reader([&] { downloaded = receive_to_end(client); });
    for (std::size_t at = 0; at < download.size();) {
        std::vector<Watch> writing{{.fd = server.get(), .write = true}};
        wait_ready(writing, 5000ms);
        REQUIRE(writing[0].writable);
        auto n = send_available(server.get(), download.data() + at, download.size() - at);
        REQUIRE(n);
        at += *n;
    }
    shutdown_sending(server.get());
    reader.join();
    CHECK(downloaded == download);
    CHECK(wait_any_readable({-1, server.get()}, 1000ms) == std::vector<bool>{false, true});
}

TEST_CASE("listen_loopback holds its port alone for TCP and UDP") {
    for (std::string protocol : {"tcp", "udp"}) {
        auto first = listen_loopback(protocol, 0);
        int port = port_of(first);
        CHECK_THROWS_AS(listen_loopback(protocol, port), SystemError);
        // Nor may a socket that asks to share it (SO_REUSEADDR) take it from us.
        Fd thief(int(new_socket(AF_INET, protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM, 0)));
        int on = 1;
        setsockopt(as_socket(thief.get()), SOL_SOCKET, SO_REUSEADDR,
                   reinterpret_cast<const char *>(&on), sizeof on);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(u_short(port));
        CHECK(bind(as_socket(thief.get()), reinterpret_cast<sockaddr *>(&address),
                   sizeof address) != 0);
    }
}

TEST_CASE(
    "wait_ready: a half-close by the peer wakes a reader but not a writer until it can write") {
    auto [client, server] = connected_pair();
    shutdown(as_socket(client.get()), SD_SEND);

    std::vector<Watch> reading{{.fd = server.get(), .read = true}};
    wait_ready(reading, 5000ms);
    CHECK(reading[0].readable);
    char byte;
    CHECK(receive_available(server.get(), &byte, 1) == std::optional<std::size_t>(0));

    // Fill the server's sending side while the client reads nothing.
    auto block = std::string(64 * 1024, 'x');
    std::size_t sent = 0;
    for (int stalls = 0; stalls < 3;) {
        auto n = send_available(server.get(), block.data(), block.size());
        REQUIRE(n);
        sent += *n;
        if (*n == 0) {
            ++stalls;
            std::this_thread::sleep_for(50ms);
        }
    }
    // WSAPoll would report the FIN at once, and go on reporting it: the wait must last.
    std::vector<Watch> writing{{.fd = server.get(), .write = true},
                               {.fd = -1, .read = true},
                               {.fd = server.get()}}; // waits for nothing
    auto began = Clock::now();
    wait_ready(writing, 300ms);
    CHECK(Clock::now() - began >= 250ms);
    CHECK_FALSE(writing[0].writable);
    CHECK_FALSE(writing[0].readable);
    CHECK_FALSE(writing[2].readable);

    // Once the client reads, the writer wakes.
    std::string drained;
    std::thread reader([&] {
        char buffer[65536];
        while (drained.size() < sent) {
            int n = recv(as_socket(client.get()), buffer, sizeof buffer, 0);
            if (n <= 0)
                return;
            drained.append(buffer, std::size_t(n));
        }
    });
    began = Clock::now();
    std::vector<Watch> again{{.fd = server.get(), .write = true}};
    wait_ready(again, 10000ms);
    CHECK(again[0].writable);
    CHECK(Clock::now() - began < 5s);
    shutdown_sending(server.get());
    reader.join();
    CHECK(drained.size() == sent);
}

TEST_CASE("tcp_port_answers: yes for a listening port and no at once for a closed one") {
    auto listener = listen_loopback("tcp", 0);
    int port = port_of(listener);
    CHECK(tcp_port_answers("127.0.0.1", port, 2000ms));
    CHECK(tcp_port_answers("localhost", port, 2000ms));
    listener = Fd();
    auto began = Clock::now();
    CHECK_FALSE(tcp_port_answers("127.0.0.1", port, 3000ms));
    CHECK(Clock::now() - began < 2500ms);
}

TEST_CASE("read_line and write_all carry lines and an end over a loopback connection") {
    auto [client, server] = connected_pair();
    std::string buffer;
    bool eof = false;
    CHECK_THROWS_AS(read_line(server.get(), Clock::now() + 100ms, buffer, eof), Timeout);
    auto big = std::string(2 * 1000 * 1000, 'y'); // more than the socket takes at once
    std::thread writer([&] {
        write_all(client.get(), "{\"return\": {}}\npart");
        write_all(client.get(), "ial\n" + big + "\nlast");
        shutdown(as_socket(client.get()), SD_SEND);
    });
    CHECK(read_line(server.get(), Clock::now() + 5s, buffer, eof) == "{\"return\": {}}");
    CHECK(read_line(server.get(), Clock::now() + 5s, buffer, eof) == "partial");
    CHECK(read_line(server.get(), Clock::now() + 10s, buffer, eof) == big);
    CHECK(read_line(server.get(), Clock::now() + 5s, buffer, eof) == "last");
    CHECK(eof);
    writer.join();
}

TEST_CASE("a unix socket works where the system has AF_UNIX and says it is missing where not") {
    wchar_t folder[MAX_PATH];
    REQUIRE(GetTempPathW(MAX_PATH, folder) > 0);
    auto path = std::filesystem::path(folder) /
                ("machine-test-" + std::to_string(GetCurrentProcessId()) + ".sock");
    if (under_wine()) {
        try {
            UnixListener listener(path);
            FAIL("Wine 8 has no AF_UNIX; has a later one?");
        } catch (const SystemError &error) {
            CHECK_THAT(error.what(), Catch::Contains("AF_UNIX"));
        }
        CHECK_THROWS_WITH(connect_unix(path), Catch::Contains("AF_UNIX"));
        return;
    }
    {
        UnixListener listener(path);
        CHECK_FALSE(listener.accept(Clock::now() + 50ms));
        auto client = connect_unix(path);
        auto server = listener.accept(Clock::now() + 5s);
        REQUIRE(server);
        write_all(client.get(), "hello\n");
        std::string buffer;
        bool eof = false;
        CHECK(read_line(server.get(), Clock::now() + 5s, buffer, eof) == "hello");
    }
    CHECK_FALSE(std::filesystem::exists(path)); // removed with the listener
    CHECK_THROWS_AS(connect_unix(path), SystemError);
}

TEST_CASE("remove_runtime_file removes a stale file and refuses a link") {
    wchar_t folder[MAX_PATH];
    REQUIRE(GetTempPathW(MAX_PATH, folder) > 0);
    auto base =
        std::filesystem::path(folder) / ("machine-test-" + std::to_string(GetCurrentProcessId()));
    auto stale = base.string() + ".pid";
    REQUIRE(WinHandle(CreateFileW(std::filesystem::path(stale).c_str(), GENERIC_WRITE, 0, nullptr,
                                  CREATE_ALWAYS, 0, nullptr)));
    REQUIRE(std::filesystem::exists(stale));
    remove_runtime_file(stale);
    CHECK_FALSE(std::filesystem::exists(stale));
    remove_runtime_file(stale); // nothing there: nothing to do

    auto target = base.string() + ".target";
    auto link = std::filesystem::path(base.string() + ".link");
    REQUIRE(WinHandle(CreateFileW(std::filesystem::path(target).c_str(), GENERIC_WRITE, 0, nullptr,
                                  CREATE_ALWAYS, 0, nullptr)));
    bool made = CreateSymbolicLinkW(link.c_str(), std::filesystem::path(target).c_str(),
                                    SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE);
    auto attributes = GetFileAttributesW(link.c_str());
    // Windows needs developer mode (or elevation) to make one; Wine 8 makes a Unix symlink that
    // is no reparse point at all.
    if (made && attributes != INVALID_FILE_ATTRIBUTES &&
        (attributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
        CHECK_THROWS_AS(remove_runtime_file(link), HostNotReady);
        CHECK(std::filesystem::exists(link)); // neither the link nor what it leads to is touched
        CHECK(std::filesystem::exists(target));
    } else {
        WARN("no symbolic link to refuse here (made: " << made << ", error " << GetLastError()
                                                       << ")");
    }
    DeleteFileW(link.c_str());
    DeleteFileW(std::filesystem::path(target).c_str());
}

TEST_CASE("is_terminal: NUL is not a console and terminal_size then says 80x24") {
    int nul = _open("NUL", _O_RDWR);
    REQUIRE(nul >= 0);
    CHECK(_isatty(nul)); // a character device, which is why _isatty alone will not do
    CHECK_FALSE(is_terminal(nul));
    int columns = 0, rows = 0;
    terminal_size(nul, columns, rows);
    CHECK(columns == 80);
    CHECK(rows == 24);
    {
        RawTerminal raw(nul); // nothing to do, and nothing to undo
    }
    Fd file(nul, FdKind::file); // closed with _close
}

TEST_CASE("a machine-mux link over loopback sockets carries a connection both ways") {
    EchoTarget target;
    auto [host_link, guest_link] = connected_pair();
    auto api = listen_loopback("tcp", 0);
    int api_port = port_of(api);
    std::atomic<bool> running = true;

    std::thread host([&, link = host_link.release()] {
        mux::EndpointOptions options;
        options.listener = api.get();
        mux::Session session(link, options);
        session.run([&] { return running.load(); });
    });
    std::thread guest([&, link = guest_link.release()] {
        mux::EndpointOptions options;
        options.connect = [&](const std::string &name, std::string &error) {
            if (name != "podman") {
                error = "no such target";
                return -1;
            }
            return connect_to(target.port()).release();
        };
        mux::Session session(link, options);
        session.run([&] { return running.load(); });
    });

    for (unsigned round = 0; round < 3; ++round) {
        auto client = connect_to(api_port);
        REQUIRE(client);
        auto upload = random_bytes(1000 * 1000, round);
        bool uploaded = false;
        std::thread sender([&] {
            uploaded = send_all(client, upload);
            shutdown(as_socket(client.get()), SD_SEND);
        });
        auto answer = receive_to_end(client);
        sender.join();
        CHECK(uploaded);
        CHECK(answer.size() == upload.size() + 3);
        CHECK(answer == upload + "bye");
    }
    running = false;
    host.join();
    guest.join();
}

TEST_CASE("a machine-mux link over loopback sockets carries UDP datagrams both ways") {
    UdpEcho target;
    auto [host_link, guest_link] = connected_pair();
    auto published = listen_loopback("udp", 0);
    int published_port = port_of(published);
    std::atomic<bool> running = true;

    std::thread host([&, link = host_link.release()] {
        mux::EndpointOptions options;
        options.listeners = [&] {
            return std::vector<mux::Listener>{{published.get(), "udp:5353", true}};
        };
        mux::Session session(link, options);
        session.run([&] { return running.load(); });
    });
    std::thread guest([&, link = guest_link.release()] {
        mux::EndpointOptions options;
        options.connect = [&](const std::string &name, std::string &error) {
            if (name != "udp:5353") {
                error = "no such target";
                return -1;
            }
            return target.connect_one();
        };
        mux::Session session(link, options);
        session.run([&] { return running.load(); });
    });

    // Two senders, each its own stream, each answered alone.
    Fd first(int(new_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)));
    Fd second(int(new_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(u_short(published_port));
    auto ask = [&](const Fd &sender, const std::string &datagram) {
        // UDP may drop one while the link's first HELLOs cross: ask until answered.
        for (int attempt = 0; attempt < 50; ++attempt) {
            sendto(as_socket(sender.get()), datagram.data(), int(datagram.size()), 0,
                   reinterpret_cast<sockaddr *>(&address), sizeof address);
            if (!wait_readable(sender.get(), Clock::now() + 200ms))
                continue;
            char buffer[65536];
            int n = recv(as_socket(sender.get()), buffer, sizeof buffer, 0);
            return n < 0 ? std::string() : std::string(buffer, std::size_t(n));
        }
        return std::string();
    };
    CHECK(ask(first, "one") == "one");
    CHECK(ask(second, "two") == "two");
    auto big = random_bytes(60000, 3);
    CHECK(ask(first, big) == big);

    running = false;
    host.join();
    guest.join();
}

// Both ends of a machine-mux link in one process, over a socketpair, with a small engine on a
// unix socket behind the guest end: byte-exact echo on many streams at once, half-close, a stalled
// client that stalls nobody else, a refused target, and a guest end that restarts.
#include "../../machine/mux/mux_session.h"
#include "../helpers/temp_dir.h"
#include "../helpers/unix_address.h"
#include "platform/posix_descriptors.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <fcntl.h>
#include <future>
#include <mutex>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace machine::mux;

namespace {

using machine::test::unix_address;

int listen_on(const std::filesystem::path &path) {
    int fd = machine::platform::posix::new_socket(AF_UNIX, SOCK_STREAM);
    auto address = unix_address(path);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd, 256) == 0);
    return fd;
}

int connect_to(const std::filesystem::path &path) {
    int fd = machine::platform::posix::new_socket(AF_UNIX, SOCK_STREAM);
    auto address = unix_address(path);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// False when the other end closed: a stream the session dropped.
bool send_all(int fd, const std::string &bytes) {
    for (std::size_t at = 0; at < bytes.size();) {
        auto n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        at += std::size_t(n);
    }
    return true;
}

std::string read_to_end(int fd) {
    std::string bytes;
    char buffer[65536];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
        bytes.append(buffer, std::size_t(n));
    return bytes;
}

// The engine in the guest: for each connection, reads everything to EOF, then answers
// "<length>:" followed by the bytes reversed, and closes.
struct Engine {
    std::filesystem::path path;
    int listener;
    std::thread thread;
    explicit Engine(std::filesystem::path where)
        : path(std::move(where)), listener(listen_on(path)), thread([this] {
              for (int fd; (fd = ::accept(listener, nullptr, nullptr)) >= 0;) {
                  std::thread([fd] {
                      auto request = read_to_end(fd);
                      std::string reply = std::to_string(request.size()) + ":" +
                                          std::string(request.rbegin(), request.rend());
                      send_all(fd, reply); // a client that went away gets nothing
                      ::close(fd);
                  }).detach();
              }
          }) {}
    ~Engine() {
        ::shutdown(listener, SHUT_RDWR);
        ::close(listener);
        thread.join();
    }
};

// A host end and a guest end running on their own threads.
struct Link {
    machine::test::TempDir dir;
    Engine engine{dir.path / "engine.sock"};
    std::filesystem::path api = dir.path / "api.sock";
    int api_listener = listen_on(api);
    int ends[2];
    std::atomic<bool> running{true};
    std::atomic<bool> guest_running{true};
    std::thread host, guest;

    // Over a socketpair (one fd each way, as a virtio-serial port or vsock), or over two pipes (a
    // process's stdin and stdout, as `machine-agent --mux-stdio` under WSL).
    enum Kind { socketpair, pipes };
    explicit Link(Kind kind = socketpair) {
        if (kind == socketpair) {
            REQUIRE(machine::platform::posix::socket_pair(ends) == 0);
            start_host(ends[0], ends[0]);
            start_guest(ends[1]);
            return;
        }
        int to_guest[2], to_host[2];
        REQUIRE(machine::platform::posix::make_pipe(to_guest) == 0);
        REQUIRE(machine::platform::posix::make_pipe(to_host) == 0);
        start_host(to_host[0], to_guest[1]);
        start_guest(to_guest[0], to_host[1]);
    }
    void start_host(int in, int out) {
        host = std::thread([this, in, out] {
            EndpointOptions options;
            options.listener = api_listener;
            Session session(in, out, options);
            session.run([this] { return running.load(); });
        });
    }
    void start_guest(int fd) { start_guest(fd, fd); }
    void start_guest(int in, int out) {
        guest_running = true;
        guest = std::thread([this, in, out] {
            EndpointOptions options;
            options.connect = [this](const std::string &target, std::string &error) {
                int connected = target == "podman" ? connect_to(engine.path) : -1;
                if (connected < 0)
                    error = "cannot connect to " + target;
                return connected;
            };
            Session session(in, out, options);
            session.run([this] { return running.load() && guest_running.load(); });
        });
    }
    ~Link() {
        running = false;
        host.join();
        if (guest.joinable())
            guest.join();
        ::close(api_listener);
    }
    // One request through the host's API socket; returns the whole reply, or nothing when the
    // stream was dropped (as while the guest end restarts) before the request was sent.
    std::string request(const std::string &bytes) const {
        int fd = connect_to(api);
        REQUIRE(fd >= 0);
        if (!send_all(fd, bytes)) {
            ::close(fd);
            return {};
        }
        ::shutdown(fd, SHUT_WR); // half-close: the engine answers after our EOF
        auto reply = read_to_end(fd);
        ::close(fd);
        return reply;
    }
};

std::string pattern(std::size_t size, unsigned seed) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = char((i * 2654435761u + seed) >> 13);
    return bytes;
}

std::string expected_reply(const std::string &request) {
    return std::to_string(request.size()) + ":" + std::string(request.rbegin(), request.rend());
}

} // namespace

TEST_CASE("streams carry bytes exactly, many at once, with half-close", "[mux]") {
    Link link;
    CHECK(link.request("ping") == "4:gnip");
    std::vector<std::future<bool>> clients;
    for (unsigned i = 0; i < 40; ++i)
        clients.push_back(std::async(std::launch::async, [&link, i] {
            auto request = pattern(i % 4 == 0 ? 3 * 1024 * 1024 : 1000 + i * 777, i);
            return link.request(request) == expected_reply(request);
        }));
    int exact = 0;
    for (auto &client : clients)
        exact += client.get();
    CHECK(exact == 40);
}

TEST_CASE("a link of two pipes carries streams the same", "[mux]") {
    Link link(Link::pipes);
    CHECK(link.request("ping") == "4:gnip");
    auto request = pattern(3 * 1024 * 1024, 7); // more than a pipe holds, both ways
    CHECK(link.request(request) == expected_reply(request));
}

TEST_CASE("a client that stops reading stalls only its own stream", "[mux]") {
    Link link;
    // 8 MB back to a client that never reads: far over one stream's credit.
    int stalled = connect_to(link.api);
    REQUIRE(send_all(stalled, pattern(8 * 1024 * 1024, 1)));
    ::shutdown(stalled, SHUT_WR);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto request = pattern(512 * 1024, 2);
    CHECK(link.request(request) == expected_reply(request));
    auto reply = read_to_end(stalled); // and it still gets all of it
    ::close(stalled);
    CHECK(reply.size() == expected_reply(pattern(8 * 1024 * 1024, 1)).size());
}

TEST_CASE("a guest end that restarts drops the old streams and serves new ones", "[mux]") {
    Link link;
    CHECK(link.request("before") == "6:erofeb");
    // The agent restarts: its end of the link is replaced by a new session on the same channel.
    int survivor = ::dup(link.ends[1]);
    link.guest_running = false;
    link.guest.join(); // closes its fd; the dup keeps the channel
    link.start_guest(survivor);
    std::string reply;
    for (int i = 0; i < 50 && reply.empty(); ++i) {
        reply = link.request("after");
        if (reply.empty())
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(reply == "5:retfa");
}

namespace {

// Frames from `fd` for `how_long` (the test's side of the link, as an agent that predates TIME).
std::vector<Frame> frames_for(int fd, FrameReader &reader, std::chrono::milliseconds how_long) {
    std::vector<Frame> frames;
    auto until = std::chrono::steady_clock::now() + how_long;
    while (std::chrono::steady_clock::now() < until) {
        char buffer[4096];
        auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0)
            reader.feed(std::string_view(buffer, std::size_t(n)));
        while (auto frame = reader.next())
            frames.push_back(*frame);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return frames;
}

// A host end whose clock and resume watch the test drives.
struct ClockHost {
    int ends[2];
    int resumes[2];
    std::atomic<bool> running{true};
    std::atomic<std::int64_t> clock{1'000'000'000};
    std::thread thread;
    ClockHost() {
        REQUIRE(machine::platform::posix::socket_pair(ends) == 0);
        REQUIRE(machine::platform::posix::make_pipe(resumes) == 0);
        thread = std::thread([this] {
            EndpointOptions options;
            options.host_clock = [this] { return clock.load(); };
            options.resumes = resumes[0];
            options.drain_resumes = [this] {
                char byte;
                return ::read(resumes[0], &byte, 1) == 1 ? Resumes::resumed : Resumes::ended;
            };
            Session session(ends[0], options);
            session.run([this] { return running.load(); });
        });
    }
    void resume() { REQUIRE(::write(resumes[1], "r", 1) == 1); }
    ~ClockHost() {
        running = false;
        thread.join();
        ::close(resumes[1]);
        ::close(resumes[0]);
        ::close(ends[1]);
    }
};

} // namespace

TEST_CASE("a guest that takes TIME gets the host's clock at HELLO and after each resume", "[mux]") {
    ClockHost host;
    std::mutex mutex;
    std::vector<std::int64_t> set;
    std::atomic<bool> running{true};
    std::thread guest([&] {
        EndpointOptions options;
        options.set_clock = [&](std::int64_t time) {
            std::lock_guard lock(mutex);
            set.push_back(time);
        };
        Session session(::dup(host.ends[1]), options);
        session.run([&] { return running.load(); });
    });
    auto latest = [&] {
        for (int i = 0; i < 200; ++i) {
            {
                std::lock_guard lock(mutex);
                if (!set.empty() && set.back() == host.clock.load())
                    return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    };
    CHECK(latest());              // at HELLO
    host.clock = 121'000'000'000; // the VM stood still for two minutes
    host.resume();
    CHECK(latest());
    running = false;
    guest.join();
}

TEST_CASE("an agent that does not take TIME is never sent it", "[mux]") {
    ClockHost host;
    ::send(host.ends[1], encode(hello(true)).data(), encode(hello(true)).size(), MSG_NOSIGNAL);
    host.resume();
    FrameReader reader;
    auto frames = frames_for(host.ends[1], reader, std::chrono::milliseconds(400));
    REQUIRE_FALSE(frames.empty());
    CHECK(frames.front().type == FrameType::hello);
    for (const auto &frame : frames)
        CHECK(frame.type != FrameType::time);
}

namespace {

// A host end for the idle pause: the API's listener and a quiet one (the port watcher's), a VM
// the test pauses, and what the session says of its busy streams.
struct IdleHost {
    machine::test::TempDir dir;
    std::filesystem::path api = dir.path / "api.sock", quiet = dir.path / "quiet.sock";
    int api_listener = listen_on(api), quiet_listener = listen_on(quiet);
    int ends[2];
    std::atomic<bool> running{true}, paused{false};
    std::atomic<int> wakes{0};
    std::atomic<std::size_t> busy{0};
    std::thread thread;
    IdleHost() {
        REQUIRE(machine::platform::posix::socket_pair(ends) == 0);
        thread = std::thread([this] {
            EndpointOptions options;
            options.listener = api_listener;
            options.quiet_listener = quiet_listener;
            options.host_clock = [] { return std::int64_t(1); };
            options.wake = [this] {
                ++wakes;
                return paused.exchange(false);
            };
            options.paused = [this] { return paused.load(); };
            Session session(ends[0], options);
            session.run([&] {
                busy = session.busy_streams();
                return running.load();
            });
        });
    }
    ~IdleHost() {
        running = false;
        thread.join();
        ::close(ends[1]);
        ::close(api_listener);
        ::close(quiet_listener);
    }
};

std::vector<FrameType> types_of(const std::vector<Frame> &frames) {
    std::vector<FrameType> types;
    for (const auto &frame : frames)
        types.push_back(frame.type);
    return types;
}

} // namespace

TEST_CASE("a client wakes a paused VM before its stream opens, the port watcher's does not",
          "[mux]") {
    using namespace std::chrono_literals;
    IdleHost host;
    auto said = encode(hello(true, {.time = true})); // an agent that takes TIME
    ::send(host.ends[1], said.data(), said.size(), MSG_NOSIGNAL);
    FrameReader reader;
    auto greeting = types_of(frames_for(host.ends[1], reader, 300ms));
    // Its own HELLO, its answer to ours, and the clock.
    CHECK(greeting == std::vector<FrameType>{FrameType::hello, FrameType::hello, FrameType::time});

    // The port watcher's events stream: opened at once, waking nothing, keeping nothing awake.
    host.paused = true;
    int watcher = connect_to(host.quiet);
    auto opened = frames_for(host.ends[1], reader, 300ms);
    CHECK(types_of(opened) == std::vector<FrameType>{FrameType::open});
    CHECK(host.wakes == 0);
    CHECK(host.busy == 0);
    CHECK(host.paused);

    // A docker client: the VM runs on, its clock is set, then the stream opens.
    int client = connect_to(host.api);
    auto woken = frames_for(host.ends[1], reader, 300ms);
    CHECK(types_of(woken) == std::vector<FrameType>{FrameType::time, FrameType::open});
    CHECK(host.wakes == 1);
    CHECK_FALSE(host.paused);
    CHECK(host.busy == 1);

    // Another while the VM runs: woken for nothing, so no TIME.
    int second = connect_to(host.api);
    CHECK(types_of(frames_for(host.ends[1], reader, 300ms)) ==
          std::vector<FrameType>{FrameType::open});
    CHECK(host.wakes == 2);
    CHECK(host.busy == 2);
    for (int fd : {watcher, client, second})
        ::close(fd);
}

namespace {

// A host end with files changed in shared folders to send: the test queues guest paths and
// pokes the pipe, as SharedFolderChanges does.
struct ChangesHost {
    int ends[2];
    int poke[2];
    std::mutex mutex;
    std::vector<std::string> queued;
    std::atomic<int> drains{0};
    std::atomic<bool> running{true};
    std::thread thread;
    ChangesHost() {
        REQUIRE(machine::platform::posix::socket_pair(ends) == 0);
        REQUIRE(machine::platform::posix::make_pipe(poke) == 0);
        thread = std::thread([this] {
            EndpointOptions options;
            options.changed_files = poke[0];
            options.drain_changed_files = [this] {
                char byte;
                REQUIRE(::read(poke[0], &byte, 1) == 1);
                ++drains;
                std::lock_guard lock(mutex);
                return std::exchange(queued, {});
            };
            Session session(ends[0], options);
            session.run([this] { return running.load(); });
        });
    }
    void changed(std::vector<std::string> paths) {
        {
            std::lock_guard lock(mutex);
            queued = std::move(paths);
        }
        REQUIRE(::write(poke[1], "c", 1) == 1);
    }
    ~ChangesHost() {
        running = false;
        thread.join();
        ::close(poke[1]);
        ::close(poke[0]);
        ::close(ends[1]);
    }
};

} // namespace

TEST_CASE("files changed on the host are named to a guest that takes them, in order", "[mux]") {
    ChangesHost host;
    std::mutex mutex;
    std::vector<std::string> shown;
    std::atomic<bool> running{true};
    std::thread guest([&] {
        EndpointOptions options;
        options.file_changed = [&](const std::string &path) {
            std::lock_guard lock(mutex);
            shown.push_back(path);
        };
        Session session(::dup(host.ends[1]), options);
        session.run([&] { return running.load(); });
    });
    auto seen = [&](std::size_t count) {
        for (int i = 0; i < 200; ++i) {
            {
                std::lock_guard lock(mutex);
                if (shown.size() >= count)
                    return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    };
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // the HELLOs cross
    host.changed({"/src/app.js", "/src/style.css"});
    REQUIRE(seen(2));
    host.changed({"/home/core/notes.txt"});
    REQUIRE(seen(3));
    {
        std::lock_guard lock(mutex);
        CHECK(shown ==
              std::vector<std::string>{"/src/app.js", "/src/style.css", "/home/core/notes.txt"});
    }
    running = false;
    guest.join();
}

TEST_CASE("an agent that does not take CHANGED is never sent it, and the host still drains",
          "[mux]") {
    ChangesHost host;
    auto said = encode(hello(true, {.time = true})); // an agent of before CHANGED
    ::send(host.ends[1], said.data(), said.size(), MSG_NOSIGNAL);
    FrameReader reader;
    frames_for(host.ends[1], reader, std::chrono::milliseconds(300));
    host.changed({"/src/app.js"});
    auto frames = frames_for(host.ends[1], reader, std::chrono::milliseconds(300));
    for (const auto &frame : frames)
        CHECK(frame.type != FrameType::changed);
    CHECK(host.drains == 1); // the fd emptied: the loop does not spin on it
}

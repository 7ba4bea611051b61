// platform::connect_pipe on Windows or under Wine: a pipe made here as QEMU for Windows makes its
// `-chardev pipe` (chardev/char-pipe.c: one duplex byte-mode instance, overlapped), and our end
// a loopback socket relayed to it by threads.
#include "machine/errors.h"
#include "platform/guest_pipe.h"
#include "platform/interruptible_io.h"
#include "platform/socket_io.h"
#include "platform/unix_socket.h"
#include "platform/windows_text.h"
#include "random_bytes.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <thread>
#include <vector>

using namespace machine;
using namespace machine::platform;
using namespace std::chrono_literals;

using machine::test::random_bytes;

namespace {

// Unique per run, so that a test never meets a pipe an earlier one left.
std::string guest_test_pipe(const std::string &what) {
    return "machine-test-guest-" + what + "-" + std::to_string(GetCurrentProcessId());
}

int our_pid() {
    return int(GetCurrentProcessId());
}

// QEMU's end: made, then waiting for its one client.
class QemuPipe {
public:
    explicit QemuPipe(const std::string &name)
        : pipe_(CreateNamedPipeW(
              to_wide(R"(\\.\pipe\)" + name).c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
              PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, 1, 4096, 4096, 5000, nullptr)) {
        REQUIRE(pipe_);
    }
    bool accept() { return connector_.connect_client(pipe_.get()).ok(); }
    bool write(const std::string &data) {
        for (std::size_t done = 0; done < data.size();) {
            auto written =
                writer_.write(pipe_.get(), data.data() + done, DWORD(data.size() - done));
            if (!written.ok())
                return false;
            done += written.bytes;
        }
        return true;
    }
    // One read: what arrived, or empty with `error` set when the client has gone.
    std::string read_some(DWORD &error) {
        std::vector<char> buffer(64 * 1024);
        auto read = reader_.read(pipe_.get(), buffer.data(), DWORD(buffer.size()));
        error = read.error;
        return std::string(buffer.data(), read.bytes);
    }
    void close() { pipe_.reset(); }

private:
    WinHandle pipe_;
    InterruptibleIo connector_{{}}, reader_{{}}, writer_{{}};
};

// `size` bytes from our end of the stream, or what came before its end or `deadline`.
std::string read_bytes(int fd, std::size_t size, Clock::time_point deadline) {
    std::string data;
    char buffer[65536];
    while (data.size() < size && wait_readable(fd, deadline)) {
        auto n = receive_available(fd, buffer, std::min(sizeof buffer, size - data.size()));
        if (n && *n == 0)
            break;
        if (n)
            data.append(buffer, *n);
    }
    return data;
}

// True when our end of the stream reads as ended before `deadline`.
bool ends(int fd, Clock::time_point deadline) {
    char byte;
    while (wait_readable(fd, deadline)) {
        auto n = receive_available(fd, &byte, 1);
        if (n && *n == 0)
            return true;
        if (n)
            return false; // more came
    }
    return false;
}

} // namespace

TEST_CASE("bytes go both ways between the socket and a pipe QEMU-style serves") {
    auto name = guest_test_pipe("both-ways");
    QemuPipe qemu(name);
    auto stream = connect_pipe(name, our_pid(), Clock::now() + 10s);
    REQUIRE(qemu.accept());

    write_all(stream.get(), "hello from the host\n");
    DWORD error = 0;
    std::string heard;
    while (heard.size() < 20 && error == 0)
        heard += qemu.read_some(error);
    CHECK(heard == "hello from the host\n");

    REQUIRE(qemu.write("Ready\n"));
    std::string buffer;
    bool eof = false;
    CHECK(read_line(stream.get(), Clock::now() + 10s, buffer, eof) == "Ready");
    CHECK_FALSE(eof);
}

TEST_CASE("megabytes go through byte for byte while the host writes and reads at once") {
    auto name = guest_test_pipe("echo");
    QemuPipe qemu(name);
    auto stream = connect_pipe(name, our_pid(), Clock::now() + 10s);
    REQUIRE(qemu.accept());
    std::thread echo([&] {
        for (DWORD error = 0;;) {
            auto data = qemu.read_some(error);
            if (error != 0 || !qemu.write(data))
                return;
        }
    });

    // Far more than the pipe's and the sockets' buffers hold: a relay that did not carry both
    // ways at once would stall.
    auto upload = random_bytes(8 << 20, 7);
    std::thread writer([&] { write_all(stream.get(), upload); });
    auto answer = read_bytes(stream.get(), upload.size(), Clock::now() + 60s);
    writer.join();
    CHECK(answer.size() == upload.size());
    CHECK(answer == upload);

    stream = Fd(); // the client goes: the echo's read fails and it ends
    echo.join();
}

TEST_CASE("the pipe may come after the host began to wait for it") {
    auto name = guest_test_pipe("late");
    std::unique_ptr<QemuPipe> qemu;
    std::thread later([&] {
        Sleep(300);
        qemu = std::make_unique<QemuPipe>(name);
    });
    auto stream = connect_pipe(name, our_pid(), Clock::now() + 10s);
    later.join();
    REQUIRE(qemu->accept());
    REQUIRE(qemu->write("Ready\n"));
    CHECK(read_bytes(stream.get(), 6, Clock::now() + 10s) == "Ready\n");
}

TEST_CASE("QEMU's disconnect reads as the end of the stream") {
    auto name = guest_test_pipe("server-goes");
    QemuPipe qemu(name);
    auto stream = connect_pipe(name, our_pid(), Clock::now() + 10s);
    REQUIRE(qemu.accept());
    REQUIRE(qemu.write("bye\n"));
    CHECK(read_bytes(stream.get(), 4, Clock::now() + 10s) == "bye\n");
    qemu.close(); // QEMU exits
    CHECK(ends(stream.get(), Clock::now() + 10s));
    // Writing after the end is dropped, never waits for a reader that is gone.
    write_all(stream.get(), "anyone there?\n");
}

TEST_CASE("closing our end ends the pipe connection: QEMU's read fails") {
    auto name = guest_test_pipe("client-goes");
    QemuPipe qemu(name);
    auto stream = connect_pipe(name, our_pid(), Clock::now() + 10s);
    REQUIRE(qemu.accept());
    write_all(stream.get(), "last words");
    stream = Fd();
    DWORD error = 0;
    std::string heard;
    while (error == 0)
        heard += qemu.read_some(error);
    CHECK(heard == "last words");
    CHECK((error == ERROR_BROKEN_PIPE || error == ERROR_PIPE_NOT_CONNECTED));
}

TEST_CASE("a pipe nobody serves times out with Timeout, in about the time allowed") {
    auto start = Clock::now();
    CHECK_THROWS_AS(connect_pipe(guest_test_pipe("missing"), our_pid(), start + 300ms), Timeout);
    CHECK(Clock::now() - start >= 280ms); // Windows' timers tick every 15.6 ms
    CHECK(Clock::now() - start < 5s);
}

TEST_CASE("a pipe whose one instance is taken stays busy until the deadline: Timeout") {
    auto name = guest_test_pipe("busy");
    QemuPipe qemu(name);
    auto first = connect_pipe(name, our_pid(), Clock::now() + 10s);
    REQUIRE(qemu.accept());
    CHECK_THROWS_AS(connect_pipe(name, our_pid(), Clock::now() + 300ms), Timeout);
}

TEST_CASE("a pipe another process serves is refused: someone took the name first") {
    auto name = guest_test_pipe("squatted");
    QemuPipe squatter(name); // served by this process, not by the QEMU we expect
    try {
        connect_pipe(name, our_pid() + 4, Clock::now() + 10s);
        FAIL("connected");
    } catch (const HostNotReady &error) {
        CHECK_THAT(error.what(),
                   Catch::Contains(name) && Catch::Contains(std::to_string(our_pid() + 4)));
    }
}

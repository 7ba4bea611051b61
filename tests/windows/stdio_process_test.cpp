// platform::StdioProcess and platform::WaitableInput on Windows or under Wine: a real child
// (stdio_echo.exe, built beside this test) whose stdin and stdout are one loopback socket of ours,
// relayed by threads to its pipes, and local input that a wait on sockets can take in.
#include "machine/command.h"
#include "machine/errors.h"
#include "platform/file_io.h"
#include "platform/socket_io.h"
#include "platform/stdio_process.h"
#include "platform/unix_socket.h"
#include "platform/waitable_input.h"
#include "platform/winsock.h"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <fstream>
#include <io.h>
#include <sstream>

using namespace machine;
using namespace machine::platform;
using namespace std::chrono_literals;

namespace {

std::filesystem::path beside_this_test(const std::string &name) {
    wchar_t path[MAX_PATH];
    GetModuleFileNameW(nullptr, path, MAX_PATH);
    return std::filesystem::path(path).parent_path() / name;
}

Command echo(const std::string &exit_code, const std::string &input = {}) {
    Command command;
    command.program = beside_this_test("stdio_echo.exe").string();
    command.args = {exit_code};
    command.input = input;
    return command;
}

// Everything the stream gives until its end, or until `deadline`.
std::string read_to_end(int fd, Clock::time_point deadline) {
    std::string text;
    char buffer[4096];
    while (wait_readable(fd, deadline)) {
        auto n = receive_available(fd, buffer, sizeof buffer);
        if (n && *n == 0)
            return text;
        if (n)
            text.append(buffer, *n);
    }
    FAIL("the stream did not end in time; it gave: " << text);
    return text;
}

bool exits_within(StdioProcess &process, std::chrono::milliseconds limit) {
    auto deadline = Clock::now() + limit;
    while (process.running())
        if (Clock::now() > deadline)
            return false;
        else
            Sleep(20);
    return true;
}

} // namespace

TEST_CASE("a stdio process carries both ways over one socket, and its end reads as the end") {
    start_winsock();
    auto log = std::filesystem::temp_directory_path() / "machine-stdio-echo.log";
    std::filesystem::remove(log);
    StdioProcess process(echo("7"), log);
    write_all(process.fd(), "hello\n");
    char buffer[64];
    REQUIRE(wait_readable(process.fd(), Clock::now() + 10s));
    std::string first;
    while (first.size() < 6 && wait_readable(process.fd(), Clock::now() + 10s))
        if (auto n = receive_available(process.fd(), buffer, sizeof buffer); n && *n > 0)
            first.append(buffer, *n);
    CHECK(first == "hello\n");
    CHECK(process.running());

    // Half-closing ours ends the child's stdin: it exits, and our read ends.
    shutdown_sending(process.fd());
    CHECK(read_to_end(process.fd(), Clock::now() + 10s).empty());
    REQUIRE(exits_within(process, 10s));
    CHECK(process.exit_code() == 7);
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == "stdio_echo: started\n");
}

TEST_CASE("a stdio process given input reads it to its end, then only its output is left") {
    start_winsock();
    std::string input(300000, 'x'); // more than any socket or pipe buffer holds at once
    for (std::size_t i = 0; i < input.size(); i += 97)
        input[i] = char('a' + i % 26);
    StdioProcess process(echo("0", input));
    CHECK(read_to_end(process.fd(), Clock::now() + 30s) == input);
    REQUIRE(exits_within(process, 10s));
    CHECK(process.exit_code() == 0);
}

TEST_CASE("a stdio process that outlives its object is ended by it") {
    start_winsock();
    auto process = std::make_unique<StdioProcess>(echo("0"));
    Sleep(200);
    auto started = Clock::now();
    process.reset(); // our end closes: the relay ends its stdin and it exits by itself
    CHECK(Clock::now() - started < StdioProcess::grace);
}

TEST_CASE("a missing program for a stdio process is HostNotReady") {
    Command command;
    command.program = "machine-no-such-program.exe";
    CHECK_THROWS_AS(StdioProcess(command), HostNotReady);
}

TEST_CASE("waitable input: a pipe's bytes and its end arrive through a socket a wait can take") {
    start_winsock();
    int ends[2];
    REQUIRE(_pipe(ends, 4096, _O_BINARY) == 0);
    WaitableInput input(ends[0]);
    CHECK(wait_any_readable({input.wait_fd()}, 200ms) == std::vector<bool>{false});
    REQUIRE(_write(ends[1], "typed", 5) == 5);
    REQUIRE(wait_any_readable({input.wait_fd()}, 10s) == std::vector<bool>{true});
    char buffer[16];
    std::string got;
    while (got.size() < 5)
        got.append(buffer, input.read(buffer, sizeof buffer));
    CHECK(got == "typed");
    _close(ends[1]);
    REQUIRE(wait_any_readable({input.wait_fd()}, 10s) == std::vector<bool>{true});
    CHECK(input.read(buffer, sizeof buffer) == 0);
    _close(ends[0]);
}

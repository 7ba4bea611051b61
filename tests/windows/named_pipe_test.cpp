// The named-pipe relay (machine/platform/named_pipe.h), on Windows or under Wine: real pipes,
// a real TCP target on 127.0.0.1 (Wine 8 has no AF_UNIX), real threads.
#include "machine/errors.h"
#include "pipe_client.h"
#include "platform/api_pipe.h"
#include "platform/named_pipe.h"
#include "random_bytes.h"
#include "tcp_target.h"
#include "under_wine.h"

#include <aclapi.h>
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

using namespace machine;
using namespace machine::platform;

using machine::test::random_bytes;
using machine::test::under_wine;

namespace {

// Unique per run, so that a test never meets a pipe an earlier one left (it must not leave any).
std::string test_pipe(const std::string &what) {
    return R"(\\.\pipe\machine-test-)" + what + "-" + std::to_string(GetCurrentProcessId());
}

// The target most tests use: echoes until the relay half-closes, then answers `trailer`.
std::function<void(Conversation &)> echo_then(std::string trailer) {
    return [trailer](Conversation &conversation) {
        for (std::string data; !(data = conversation.receive()).empty();)
            if (!conversation.send(data))
                return;
        conversation.send(trailer);
    };
}

PipeRelay::ConnectTarget connect_to_target(const TcpTarget &target) {
    return [&target] { return target.connect(); };
}

// A manual-reset event a target sets and a test waits for.
struct Signal {
    WinHandle event{CreateEventW(nullptr, TRUE, FALSE, nullptr)};
    void set() { SetEvent(event.get()); }
    bool wait(DWORD milliseconds = 10000) {
        return WaitForSingleObject(event.get(), milliseconds) == WAIT_OBJECT_0;
    }
};

// Whether `done` comes true within a few seconds (for what nothing signals).
bool eventually(const std::function<bool()> &done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline)
        Sleep(20);
    return done();
}

// The error opening `name` as a client gives: ERROR_FILE_NOT_FOUND once nobody serves it.
DWORD open_error(const std::string &name) {
    WinHandle pipe(CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                               OPEN_EXISTING, 0, nullptr));
    return pipe ? 0 : GetLastError();
}

std::vector<unsigned char> current_user_sid() {
    HANDLE raw = nullptr;
    REQUIRE(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw));
    WinHandle token(raw);
    DWORD size = 0;
    GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
    std::vector<unsigned char> user(size);
    REQUIRE(GetTokenInformation(token.get(), TokenUser, user.data(), size, &size));
    PSID sid = reinterpret_cast<TOKEN_USER *>(user.data())->User.Sid;
    auto *bytes = static_cast<unsigned char *>(sid);
    return {bytes, bytes + GetLengthSid(sid)};
}

} // namespace

TEST_CASE("a machine's API pipe is \\\\.\\pipe\\machine-NAME") {
    CHECK(api_pipe_name("default") == R"(\\.\pipe\machine-default)");
    CHECK(api_pipe_name("dev.box_1") == R"(\\.\pipe\machine-dev.box_1)");
}

TEST_CASE("megabytes go through byte for byte while the client uploads and reads at once") {
    TcpTarget target(echo_then("end of echo"));
    auto name = test_pipe("echo");
    PipeRelay relay(name, connect_to_target(target));

    // Far more than the pipe's and both sockets' buffers hold: a relay that did not read and
    // write both ways at once would stall. Messages of 100 000 bytes are longer than the
    // relay's reads, so messages are read in parts too.
    auto upload = random_bytes(16 << 20, 1);
    PipeClient client(name);
    bool uploaded = false;
    std::thread writer([&] { uploaded = client.write(upload) && client.close_write(); });
    DWORD end = 0;
    auto answer = client.read_to_end(end);
    writer.join();

    CHECK(uploaded);
    CHECK(end == ERROR_BROKEN_PIPE);
    REQUIRE(answer.size() == upload.size() + std::string("end of echo").size());
    CHECK(answer == upload + "end of echo"); // byte for byte, in order
}

TEST_CASE("two dozen clients at once each get their own answer") {
    TcpTarget target(echo_then("!"));
    auto name = test_pipe("many");
    PipeRelay relay(name, connect_to_target(target));

    constexpr int clients = 24;
    std::vector<std::string> answers(clients);
    std::vector<DWORD> ends(clients);
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i)
        threads.emplace_back([&, i] {
            PipeClient client(name); // waits with WaitNamedPipe when all instances are taken
            client.write(random_bytes(200 * 1000, unsigned(i)));
            client.close_write();
            answers[i] = client.read_to_end(ends[i]);
        });
    for (auto &thread : threads)
        thread.join();

    for (int i = 0; i < clients; ++i) {
        CHECK(ends[i] == ERROR_BROKEN_PIPE);
        CHECK(answers[i] == random_bytes(200 * 1000, unsigned(i)) + "!");
    }
    CHECK(target.connections() == clients);
}

TEST_CASE("a client's CloseWrite reaches the target as EOF, and the answer after it arrives") {
    Signal target_saw_eof;
    TcpTarget target([&](Conversation &conversation) {
        std::string question;
        for (std::string data; !(data = conversation.receive()).empty();)
            question += data;
        target_saw_eof.set();
        conversation.send("answer to " + question); // written after the EOF
    });
    auto name = test_pipe("half-close");
    PipeRelay relay(name, connect_to_target(target));

    PipeClient client(name);
    REQUIRE(client.write("question"));
    REQUIRE(client.close_write()); // a zero-length message: go-winio's CloseWrite
    CHECK(target_saw_eof.wait());
    DWORD end = 0;
    CHECK(client.read_to_end(end) == "answer to question");
    CHECK(end == ERROR_BROKEN_PIPE);
}

TEST_CASE("a client that closes the pipe sends the target EOF") {
    Signal target_saw_eof;
    std::string received;
    TcpTarget target([&](Conversation &conversation) {
        for (std::string data; !(data = conversation.receive()).empty();)
            received += data;
        target_saw_eof.set();
    });
    auto name = test_pipe("client-closes");
    PipeRelay relay(name, connect_to_target(target));

    PipeClient client(name);
    REQUIRE(client.write("last words"));
    client.close();
    REQUIRE(target_saw_eof.wait());
    CHECK(received == "last words");
}

TEST_CASE("a client that half-closes, then goes away, ends its connection to a silent target") {
    Signal target_saw_eof, test_over;
    TcpTarget target([&](Conversation &conversation) {
        while (!conversation.receive().empty()) {
        }
        target_saw_eof.set();
        test_over.wait(60000); // says nothing, and keeps its socket open past the test's checks
    });
    auto name = test_pipe("gone");
    PipeRelay relay(name, connect_to_target(target));

    PipeClient client(name);
    REQUIRE(client.write("x"));
    REQUIRE(client.close_write());
    REQUIRE(target_saw_eof.wait());
    client.close();
    // Nothing the target sees tells a connection that ended from one left open, but its pipe
    // instance tells: a probe's connection reaching the target shows the relay has made the
    // instance waiting for the next client, and then only those two should be left.
    PipeClient probe(name);
    auto instances = [&] {
        DWORD count = 0;
        GetNamedPipeHandleStateA(probe.handle(), nullptr, &count, nullptr, nullptr, nullptr, 0);
        return count;
    };
    REQUIRE(eventually([&] { return target.connections() == 2; }));
    CHECK(eventually([&] { return instances() == 2; }));
    test_over.set();
}

TEST_CASE("when the target closes, the client reads all it sent, then the pipe ends") {
    auto download = random_bytes(3 << 20, 2);
    TcpTarget target([&](Conversation &conversation) { conversation.send(download); });
    auto name = test_pipe("target-closes");
    PipeRelay relay(name, connect_to_target(target));

    PipeClient client(name);
    DWORD end = 0;
    CHECK(client.read_to_end(end) == download);
    CHECK(end == ERROR_BROKEN_PIPE);
    CHECK_FALSE(client.write("too late")); // the relay closed its end
}

TEST_CASE("a target that cannot be reached ends that client's pipe; the next is served") {
    TcpTarget target(echo_then(""));
    auto name = test_pipe("unreachable");
    std::mutex mutex;
    std::vector<std::string> log;
    int calls = 0;
    PipeRelay relay(
        name,
        [&] {
            if (++calls == 1)
                throw HostNotReady("the target is not there yet");
            return target.connect();
        },
        [&](const std::string &line) {
            std::lock_guard lock(mutex);
            log.push_back(line);
        });

    PipeClient first(name);
    DWORD end = 0;
    CHECK(first.read_to_end(end).empty());
    CHECK(end == ERROR_BROKEN_PIPE);
    {
        std::lock_guard lock(mutex);
        REQUIRE(log.size() == 1);
        CHECK_THAT(log[0], Catch::Contains("the target is not there yet"));
    }

    PipeClient second(name);
    REQUIRE(second.write("hello"));
    REQUIRE(second.close_write());
    CHECK(second.read_to_end(end) == "hello");
}

TEST_CASE("a pipe name someone else serves is refused, naming the pipe") {
    TcpTarget target(echo_then(""));
    auto name = test_pipe("squatted");

    SECTION("another relay") {
        PipeRelay first(name, connect_to_target(target));
        try {
            PipeRelay second(name, connect_to_target(target));
            FAIL("a second relay on the same name was made");
        } catch (const HostNotReady &error) {
            CHECK_THAT(error.what(), Catch::Contains(name));
        }
        // The first still serves.
        PipeClient client(name);
        REQUIRE(client.write("still here"));
        REQUIRE(client.close_write());
        DWORD end = 0;
        CHECK(client.read_to_end(end) == "still here");
    }

    SECTION("another program's pipe, with its own settings and default security") {
        WinHandle squatter(CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE,
                                            PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, nullptr));
        REQUIRE(squatter);
        CHECK_THROWS_AS(PipeRelay(name, connect_to_target(target)), HostNotReady);
    }

    SECTION("a name served before is free again once its relay is gone") {
        std::make_unique<PipeRelay>(name, connect_to_target(target)).reset();
        CHECK(open_error(name) == ERROR_FILE_NOT_FOUND);
        PipeRelay again(name, connect_to_target(target));
        PipeClient client(name);
        CHECK(client.handle() != nullptr);
    }
}

TEST_CASE("only the current user may open the pipe") {
    TcpTarget target(echo_then(""));
    auto name = test_pipe("security");
    PipeRelay relay(name, connect_to_target(target));
    PipeClient client(name); // GENERIC_READ includes READ_CONTROL

    PSID owner = nullptr;
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    REQUIRE(GetSecurityInfo(client.handle(), SE_KERNEL_OBJECT,
                            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner, nullptr,
                            &dacl, nullptr, &descriptor) == ERROR_SUCCESS);
    std::unique_ptr<void, decltype(&LocalFree)> free_descriptor(descriptor, LocalFree);
    auto user = current_user_sid();

    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    REQUIRE(GetSecurityDescriptorControl(descriptor, &control, &revision));
    CHECK((control & SE_DACL_PRESENT) != 0);
    CHECK((control & SE_DACL_PROTECTED) != 0); // nothing inherited
    REQUIRE(owner != nullptr);
    CHECK(EqualSid(owner, user.data()));
    REQUIRE(dacl != nullptr); // a null DACL would let everyone in
    REQUIRE(dacl->AceCount == 1);
    ACE_HEADER *ace = nullptr;
    REQUIRE(GetAce(dacl, 0, reinterpret_cast<void **>(&ace)));
    REQUIRE(ace->AceType == ACCESS_ALLOWED_ACE_TYPE);
    auto *allowed = reinterpret_cast<ACCESS_ALLOWED_ACE *>(ace);
    CHECK(EqualSid(&allowed->SidStart, user.data()));
    CHECK(allowed->Mask == (FILE_GENERIC_READ | FILE_GENERIC_WRITE));
    // And the system checks it: a right the entry does not grant is refused. Wine 8 checks no
    // pipe's DACL when a client opens it (even an empty DACL lets everyone in).
    if (under_wine()) {
        WARN("Wine does not enforce a pipe's DACL: the refusal is not checked");
    } else {
        WinHandle executing(
            CreateFileA(name.c_str(), FILE_EXECUTE, 0, nullptr, OPEN_EXISTING, 0, nullptr));
        CHECK_FALSE(executing);
        CHECK(GetLastError() == ERROR_ACCESS_DENIED);
    }
    // Remote clients (PIPE_REJECT_REMOTE_CLIENTS) cannot be tried here: that needs SMB.
}

TEST_CASE("the relay ends promptly with clients connected, and leaves no handle behind") {
    auto handle_count = [] {
        DWORD count = 0;
        GetProcessHandleCount(GetCurrentProcess(), &count);
        return count;
    };
    std::atomic<bool> flood_ended = false;
    TcpTarget target([&](Conversation &conversation) {
        auto first = conversation.receive();
        if (first == "flood") { // more than the pipe and the sockets hold, to a client not reading
            conversation.send(random_bytes(32 << 20, 3));
            flood_ended = true;
            return;
        }
        conversation.send(first);
        echo_then("")(conversation);
    });
    auto name = test_pipe("stop");
    auto baseline = handle_count();

    auto relay = std::make_unique<PipeRelay>(name, connect_to_target(target));
    std::vector<std::unique_ptr<PipeClient>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<PipeClient>(name));
        REQUIRE(clients.back()->write("ping"));
        DWORD error = 0;
        REQUIRE(clients.back()->read_some(error) == "ping"); // relayed, both ways busy waiting
    }
    clients.push_back(std::make_unique<PipeClient>(name));
    REQUIRE(clients.back()->write("flood"));
    DWORD error = 0;
    REQUIRE_FALSE(clients.back()->read_some(error).empty()); // the flood has begun

    auto began = std::chrono::steady_clock::now();
    relay.reset();
    // Not a benchmark: a bound far above the milliseconds it takes, that a hang would pass.
    CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(5));

    for (auto &client : clients) {
        DWORD end = 0;
        client->read_to_end(end); // what was already in the pipe, then its end
        CHECK((end == ERROR_BROKEN_PIPE || end == ERROR_PIPE_NOT_CONNECTED));
    }
    CHECK(open_error(name) == ERROR_FILE_NOT_FOUND); // no pipe instance is left open
    bool ended = target.all_ended_within(std::chrono::seconds(10));
    INFO(target.ended() << " of " << target.connections()
                        << " conversations ended; flood ended: " << flood_ended);
    CHECK(ended); // nor a socket to the target
    clients.clear();
    if (under_wine()) // its GetProcessHandleCount always says 0
        WARN("Wine does not count a process's handles: handle leaks are not checked");
    else
        CHECK(handle_count() == baseline);
}

TEST_CASE("ApiPipe serves \\\\.\\pipe\\machine-NAME and relays it to the unix socket") {
    std::mutex mutex;
    std::vector<std::string> log;
    auto name = api_pipe_name("wine-test");
    {
        // No socket is there (and Wine 8 has no AF_UNIX at all): the client's pipe just ends.
        ApiPipe pipe("wine-test", R"(C:\no-such-folder\api.sock)", [&](const std::string &line) {
            std::lock_guard lock(mutex);
            log.push_back(line);
        });
        PipeClient client(name);
        DWORD end = 0;
        CHECK(client.read_to_end(end).empty());
        CHECK(end == ERROR_BROKEN_PIPE);
        std::lock_guard lock(mutex);
        REQUIRE(log.size() == 2); // serving docker_engine too; the client's failed connection
        CHECK_THAT(log[1], Catch::Contains(R"(C:\no-such-folder\api.sock)"));
    }
    CHECK(open_error(name) == ERROR_FILE_NOT_FOUND);
}

TEST_CASE("the first machine's ApiPipe serves docker_engine too, and the next leaves it alone") {
    std::mutex mutex;
    std::vector<std::string> log;
    auto record = [&](const std::string &line) {
        std::lock_guard lock(mutex);
        log.push_back(line);
    };
    REQUIRE(open_error(docker_engine_pipe) == ERROR_FILE_NOT_FOUND);
    {
        ApiPipe first("wine-first", R"(C:\no-such-folder\api.sock)", record);
        CHECK(first.serves_docker_engine());
        CHECK(open_error(docker_engine_pipe) != ERROR_FILE_NOT_FOUND);
        ApiPipe second("wine-second", R"(C:\no-such-folder\api.sock)", record);
        CHECK_FALSE(second.serves_docker_engine());
        CHECK(open_error(api_pipe_name("wine-second")) != ERROR_FILE_NOT_FOUND);
        std::lock_guard lock(mutex);
        CHECK(std::count(log.begin(), log.end(),
                         std::string("forwarder: serving ") + docker_engine_pipe + " too") == 1);
        CHECK(std::count(log.begin(), log.end(),
                         std::string("forwarder: ") + docker_engine_pipe +
                             " is served by another program; the docker CLI reaches this "
                             "machine with DOCKER_HOST=npipe:////./pipe/machine-wine-second") == 1);
    }
    CHECK(open_error(docker_engine_pipe) == ERROR_FILE_NOT_FOUND);
}

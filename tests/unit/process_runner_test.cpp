#include "platform/process_runner.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <pthread.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace machine;

TEST_CASE("the process runner hands a command its input on stdin and keeps both outputs") {
    platform::SpawnProcessRunner runner;
    std::string big(1 << 20, 'x'); // more than a pipe holds: the runner must write and read at once
    auto result = runner.run({"sh", {"-c", "cat; echo done >&2"}, {}, big});
    CHECK(result.exit_code == 0);
    CHECK(result.out == big);
    CHECK(result.err == "done\n");
}

TEST_CASE("a command without input reads the null device, one that stops reading is not fatal") {
    platform::SpawnProcessRunner runner;
    CHECK(runner.run({"sh", {"-c", "wc -c"}, {}}).out == "0\n");
    auto early = runner.run({"sh", {"-c", "head -c 3; exit 7"}, {}, std::string(1 << 20, 'y')});
    CHECK(early.exit_code == 7);
    CHECK(early.out == "yyy");
}

TEST_CASE("an attached command runs on our own descriptors and its exit code is returned") {
    auto ours = std::filesystem::read_symlink("/proc/self/fd/1").string();
    CHECK(platform::run_attached(
              {"sh", {"-c", "[ \"$(readlink /proc/$$/fd/1)\" = \"$0\" ]", ours}, {}}) == 0);
    CHECK(platform::run_attached({"sh", {"-c", "exit 3"}, {}}) == 3);
    CHECK(platform::run_attached({"sh", {"-c", "kill -9 $$"}, {}}) == 137);
}

TEST_CASE("a process is alive until its last thread has exited, not only its first", "[process]") {
    // A SIGKILLed QEMU shows its first thread as a zombie while the others still exit, holding
    // its files and its disk's lock: it must not count as gone yet.
    using namespace std::chrono_literals;
    // Forked from a thread of its own, so the child's first thread unwinds through no test frame.
    int pid = -1;
    std::thread([&] {
        pid = ::fork();
        if (pid == 0) {
            std::thread([] {
                std::this_thread::sleep_for(3s); // well past the check below, even under load
                ::_exit(0); // not exit(): the parent's copied stdio buffers must not be flushed
            }).detach();
            ::pthread_exit(nullptr); // the process lives on in the other thread
        }
    }).join();
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(300ms);
    CHECK(platform::process_alive(pid));
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (platform::process_alive(pid) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    CHECK_FALSE(platform::process_alive(pid)); // a zombie now, not reaped yet
    int status = 0;
    CHECK(::waitpid(pid, &status, 0) == pid);
}

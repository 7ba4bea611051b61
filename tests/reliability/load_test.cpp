// Load through the forwarded API socket of a real machine: 200 requests at once, then 2,000 one
// after another, each on a fresh connection, while a 100 MB `docker cp` goes into a container and
// back out. Every request must answer, every byte must come back equal.
#include "../vm/shared_machine.h"
#include "platform/unix_socket.h"
#include "tally.h"

#include <catch2/catch.hpp>
#include <future>
#include <thread>
#include <unistd.h>

using machine::test::run_in_sandbox;

namespace {

// GET /_ping on a new connection; true for a 200 with body OK.
bool ping() {
    try {
        auto fd = machine::platform::connect_unix(machine::test::vm_api_socket());
        machine::platform::write_all(fd.get(),
                                     "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n");
        std::string response;
        char buffer[4096];
        auto deadline = machine::platform::Clock::now() + std::chrono::seconds(60);
        while (machine::platform::wait_readable(fd.get(), deadline)) {
            auto n = ::read(fd.get(), buffer, sizeof buffer);
            if (n <= 0)
                break;
            response.append(buffer, std::size_t(n));
        }
        return response.rfind("HTTP/1.1 200", 0) == 0 && response.size() >= 2 &&
               response.substr(response.size() - 2) == "OK";
    } catch (const std::exception &) {
        return false;
    }
}

// 100 MB of random bytes into a container and back out with the docker CLI; true if equal.
bool copy_100_mb_both_ways() {
    auto dir = machine::test::vm_sandbox().root() / "load";
    std::filesystem::create_directories(dir);
    auto in = (dir / "random.bin").string(), out = (dir / "returned.bin").string();
    run_in_sandbox("sh", {"-c", "head -c 100000000 /dev/urandom > " + in});
    auto created = run_in_sandbox("docker", {"create", "localhost/busybox", "true"});
    if (created.exit_code != 0)
        return false;
    auto id = created.out.substr(0, 12);
    bool copied = run_in_sandbox("docker", {"cp", in, id + ":/random.bin"}).exit_code == 0 &&
                  run_in_sandbox("docker", {"cp", id + ":/random.bin", out}).exit_code == 0;
    run_in_sandbox("docker", {"rm", id});
    return copied && run_in_sandbox("cmp", {in, out}).exit_code == 0 &&
           std::filesystem::file_size(out) == 100000000;
}

} // namespace

TEST_CASE("load: 200 concurrent and 2,000 sequential requests beside a 100 MB docker cp",
          "[reliability][load]") {
    machine::test::ensure_vm_running();
    if (!machine::test::have_docker())
        return;
    auto copy = std::async(std::launch::async, copy_100_mb_both_ways);

    std::vector<std::future<bool>> concurrent;
    for (int i = 0; i < 200; ++i)
        concurrent.push_back(std::async(std::launch::async, ping));
    long concurrent_ok = 0;
    for (auto &answer : concurrent)
        concurrent_ok += answer.get();
    machine::test::tally(machine::test::load, "concurrent requests", concurrent_ok, 200);

    long sequential_ok = 0;
    for (int i = 0; i < 2000; ++i)
        sequential_ok += ping();
    machine::test::tally(machine::test::load, "sequential requests", sequential_ok, 2000);

    bool copied = copy.get();
    machine::test::tally(machine::test::load, "100 MB docker cp both ways", copied, 1);
    CHECK(concurrent_ok == 200);
    CHECK(sequential_ok == 2000);
    CHECK(copied);
}

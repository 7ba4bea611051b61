#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "tally.h"

#include "platform/host.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <exception>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace machine::test {

namespace {

long failed_assertions = 0;

// Catch tells every listener about every assertion; a Tally compares the count at its end.
struct FailureCounter : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    void assertionStarting(const Catch::AssertionInfo &) override {}
    bool assertionEnded(const Catch::AssertionStats &stats) override {
        if (!stats.assertionResult.isOk())
            ++failed_assertions;
        return true;
    }
};

CATCH_REGISTER_LISTENER(FailureCounter)

} // namespace

void tally(const std::string &kind, const std::string &name, long passed, long total) {
    const char *path = std::getenv("MACHINE_TEST_TALLY");
    if (!path || !*path)
        return;
    auto printable = name; // one record per line, whatever the name holds
    for (auto &c : printable)
        if (static_cast<unsigned char>(c) < 0x20)
            c = '?';
    auto line = fmt::format("{}\t{}\t{}\t{}\n", kind, passed, total, printable);
    int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    // One write with O_APPEND: lines from concurrent test processes never interleave.
    [[maybe_unused]] auto written = ::write(fd, line.data(), line.size());
    ::close(fd);
}

void skip(const std::string &why) {
    WARN("skipped: " << why);
    tally(skipped, Catch::getResultCapture().getCurrentTestName() + ": " + why, 0, 1);
}

bool have_program(const std::string &program, const std::string &installed_by) {
    if (!platform::find_program(program).empty())
        return true;
    skip(program + " is not on PATH (" + installed_by + ")");
    return false;
}

Tally::Tally(std::string kind, std::string name)
    : kind_(std::move(kind)), name_(std::move(name)), failures_at_start_(failed_assertions),
      exceptions_at_start_(std::uncaught_exceptions()) {}

Tally::~Tally() {
    bool survived = failed_assertions == failures_at_start_ &&
                    std::uncaught_exceptions() <= exceptions_at_start_;
    tally(kind_, name_, survived ? 1 : 0, 1);
}

} // namespace machine::test

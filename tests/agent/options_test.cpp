// The agent's flags: none in the guest; the rest for tests and trying a config by hand.
#include "agent_test_support.h"
#include "provisioning/agent/errors.h"
#include "provisioning/agent/options.h"

using namespace machine::agent;
using namespace machine::agent::test;

namespace {

template <std::size_t N> Options parse(const char *const (&args)[N]) {
    return parse_options(static_cast<int>(N), args);
}

} // namespace

TEST_CASE("without flags the agent works on the real system and waits", "[agent]") {
    const char *const args[] = {"machine-agent"};
    auto options = parse(args);
    CHECK(options.root == "/");
    CHECK_FALSE(options.config);
    CHECK_FALSE(options.ready_port);
    CHECK(options.wait);
    CHECK(options.timeout == std::chrono::seconds(120));
    CHECK_FALSE(options.help);
}

TEST_CASE("every flag is read, with its value apart or after '='", "[agent]") {
    const char *const args[] = {"machine-agent", "--config",  "/tmp/c.ign", "--root=/tmp/root",
                                "--ready-port",  "/tmp/port", "--no-wait",  "--timeout=5"};
    auto options = parse(args);
    CHECK(options.config == "/tmp/c.ign");
    CHECK(options.root == "/tmp/root");
    CHECK(options.ready_port == "/tmp/port");
    CHECK_FALSE(options.wait);
    CHECK(options.timeout == std::chrono::seconds(5));
    const char *const help[] = {"machine-agent", "-h"};
    CHECK(parse(help).help);
}

TEST_CASE("bad flags are refused with a usage error", "[agent]") {
    struct Case {
        std::vector<const char *> args;
        std::string problem;
    };
    for (const auto &c : {
             Case{{"machine-agent", "--config"}, "--config needs a value"},
             Case{{"machine-agent", "--bogus"}, "unknown argument --bogus"},
             Case{{"machine-agent", "extra"}, "unknown argument extra"},
             Case{{"machine-agent", "--no-wait=yes"}, "--no-wait takes no value"},
             Case{{"machine-agent", "--timeout", "0"}, "not a number of seconds"},
             Case{{"machine-agent", "--timeout", "5s"}, "not a number of seconds"},
             Case{{"machine-agent", "--root="}, "--root needs a directory"},
         }) {
        INFO(c.problem);
        auto error = thrown<UsageError>(
            [&] { parse_options(static_cast<int>(c.args.size()), c.args.data()); });
        CHECK_THAT(error.what(), Catch::Contains(c.problem));
    }
}

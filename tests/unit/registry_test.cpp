// Which providers exist, which one a host uses by default, and the $MACHINE_PROVIDER override.
#include "../helpers/fake_provider.h"
#include "../helpers/recording_runner.h"
#include "machine/errors.h"
#include "machine/provider_registry.h"
#include "platform/host.h"
#include "thrown.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>
#include <string>

using namespace machine;
using machine::test::one_line;
using machine::test::thrown;
using Names = std::vector<std::string>;

namespace {

// Sets or unsets an environment variable for one test and puts the old value back.
class ScopedEnv {
public:
    ScopedEnv(const char *name, const char *value) : name_(name) {
        if (const char *old = std::getenv(name))
            old_ = old;
        if (value)
            ::setenv(name, value, 1);
        else
            ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }

private:
    const char *name_;
    std::optional<std::string> old_;
};

// A factory that makes the shared fake provider and records which name it was made for.
std::vector<std::string> made;
test::FakeProviderState fake_state;

ProviderRegistry::Factory named(const std::string &name) {
    return [name](ProcessRunner &) -> std::unique_ptr<Provider> {
        made.push_back(name);
        return std::make_unique<test::FakeProvider>(fake_state);
    };
}

bool contains(const Names &names, const std::string &name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

TEST_CASE("the built-in providers include qemu", "[registry]") {
    CHECK(contains(ProviderRegistry::builtin().names(), "qemu"));
}

TEST_CASE("make builds the named provider with the given runner", "[registry]") {
    test::RecordingRunner runner;
    auto provider = ProviderRegistry::builtin().make("qemu", runner);
    REQUIRE(provider);
    CHECK(provider->name() == "qemu");
}

TEST_CASE("an unknown provider is an InvalidInput listing the accepted ones", "[registry]") {
    test::RecordingRunner runner;
    auto registry = ProviderRegistry::builtin();
    registry.add("fake", named("fake"));
    auto error = thrown<InvalidInput>([&] { registry.make("nope", runner); });
    CHECK(error.field() == "--provider");
    std::string accepted; // every built-in provider, then the one added here
    for (const auto &name : registry.names())
        accepted += (accepted.empty() ? "" : ", ") + name;
    CHECK(accepted.starts_with("qemu, "));
    CHECK(accepted.ends_with(", fake"));
    CHECK_THAT(error.what(),
               Catch::Contains("\"nope\"") && Catch::Contains("; accepted: " + accepted));
    CHECK(one_line(error.what()));
}

TEST_CASE("the caller names the field an unknown provider came from", "[registry]") {
    test::RecordingRunner runner;
    auto error = thrown<InvalidInput>(
        [&] { ProviderRegistry::builtin().make("nope", runner, "MACHINE_PROVIDER"); });
    CHECK(error.field() == "MACHINE_PROVIDER");
    CHECK_THAT(error.what(), Catch::StartsWith("MACHINE_PROVIDER:"));
}

TEST_CASE("provider names match exactly", "[registry]") {
    test::RecordingRunner runner;
    auto registry = ProviderRegistry::builtin();
    CHECK_THROWS_AS(registry.make("QEMU", runner), InvalidInput);
    CHECK_THROWS_AS(registry.make("qemu ", runner), InvalidInput);
    CHECK_THROWS_AS(registry.make("", runner), InvalidInput);
}

TEST_CASE("added providers are listed in order and made by name", "[registry]") {
    test::RecordingRunner runner;
    ProviderRegistry registry;
    CHECK(registry.names().empty());
    registry.add("one", named("one"));
    registry.add("two", named("two"));
    CHECK(registry.names() == Names{"one", "two"});
    made.clear();
    CHECK(registry.make("two", runner) != nullptr);
    CHECK(made == Names{"two"});
}

TEST_CASE("each host OS prefers its native hypervisor", "[registry]") {
    CHECK(preferred_providers("linux") == Names{"qemu", "libvirt"});
    CHECK(preferred_providers("darwin") == Names{"applehv", "qemu"});
    CHECK(preferred_providers("windows") == Names{"wsl", "hyperv", "qemu"});
    CHECK(preferred_providers("freebsd") == Names{"qemu", "libvirt"});
}

// A provider that this host can or cannot run, for the default's choice.
class Checked : public test::FakeProvider {
public:
    explicit Checked(std::string refusal)
        : FakeProvider(fake_state), refusal_(std::move(refusal)) {}
    void check_host() const override {
        if (!refusal_.empty())
            throw HostNotReady(refusal_, "install it");
    }

private:
    std::string refusal_;
};

ProviderRegistry::Factory checked(const std::string &name, const std::string &refusal) {
    return [name, refusal](ProcessRunner &) -> std::unique_ptr<Provider> {
        made.push_back(name);
        return std::make_unique<Checked>(refusal);
    };
}

TEST_CASE("the default is the host's first preferred provider that can run here, and why",
          "[registry]") {
    ScopedEnv env("MACHINE_PROVIDER", nullptr);
    test::RecordingRunner runner;
    auto preferred = preferred_providers(platform::host_os_name());
    REQUIRE(preferred.size() >= 2);
    auto list = fmt::format("{}", fmt::join(preferred, ", "));

    ProviderRegistry registry;
    registry.add("zzz", named("zzz"));
    auto lone = registry.default_provider(runner);
    CHECK(lone.name == "zzz"); // nothing preferred: the first registered
    CHECK(lone.reason == "none of this host's usual providers is built in");

    registry.add(preferred[1], checked(preferred[1], ""));
    registry.add(preferred[0], checked(preferred[0], "no " + preferred[0] + " here"));
    auto second = registry.default_provider(runner);
    CHECK(second.name == preferred[1]);
    CHECK(second.reason == fmt::format("the first of {} that this host can run ({}: no {} here)",
                                       list, preferred[0], preferred[0]));

    ProviderRegistry none;
    none.add(preferred[0], checked(preferred[0], "A missing"));
    none.add(preferred[1], checked(preferred[1], "B missing"));
    auto fallback = none.default_provider(runner);
    ProviderRegistry one;
    one.add(preferred[0], checked(preferred[0], ""));
    CHECK(one.default_provider(runner).reason ==
          "the only one of this host's providers that is built in");
    CHECK(fallback.name == preferred[0]); // its own check then says what to install
    CHECK(fallback.reason ==
          fmt::format("none of {}, {} can run here ({}: A missing; {}: B missing)", preferred[0],
                      preferred[1], preferred[0], preferred[1]));

    ProviderRegistry first;
    first.add(preferred[1], checked(preferred[1], ""));
    first.add(preferred[0], checked(preferred[0], ""));
    CHECK(first.default_provider(runner).name == preferred[0]);
    CHECK(first.default_provider(runner).reason ==
          fmt::format("the first of {}, {} that this host can run", preferred[0], preferred[1]));
}

TEST_CASE("on Windows the order is WSL, then Hyper-V, then QEMU", "[registry]") {
    CHECK(preferred_providers("windows") == Names{"wsl", "hyperv", "qemu"});
}

TEST_CASE("an empty registry has no default", "[registry]") {
    ScopedEnv env("MACHINE_PROVIDER", nullptr);
    test::RecordingRunner runner;
    CHECK(ProviderRegistry().default_provider(runner).name.empty());
}

TEST_CASE("$MACHINE_PROVIDER overrides the default", "[registry]") {
    test::RecordingRunner runner;
    auto registry = ProviderRegistry::builtin();
    registry.add("fake", named("fake"));
    {
        ScopedEnv env("MACHINE_PROVIDER", "fake");
        CHECK(registry.default_provider(runner).name == "fake");
        CHECK(registry.default_provider(runner).reason == "MACHINE_PROVIDER is set");
    }
    {
        ScopedEnv env("MACHINE_PROVIDER", "nope");
        CHECK(registry.default_provider(runner).name == "nope"); // make() then rejects it by name
        CHECK_THROWS_AS(registry.make(registry.default_provider(runner).name, runner),
                        InvalidInput);
    }
}

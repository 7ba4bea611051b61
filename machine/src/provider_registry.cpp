#include "machine/provider_registry.h"

#include "machine/errors.h"
#include "platform/host.h"
#include "providers/apple/krunkit_provider.h"
#include "providers/apple/vfkit_provider.h"
#include "providers/hyperv/hyperv_provider.h"
#include "providers/libvirt/libvirt_registration.h"
#include "providers/qemu/qemu_provider.h"
#include "providers/wsl/wsl_provider.h"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace machine {

std::string to_string(MachineState state) {
    switch (state) {
    case MachineState::starting:
        return "starting";
    case MachineState::running:
        return "running";
    case MachineState::stopped:
        break;
    }
    return "stopped";
}

std::vector<std::string> preferred_providers(const std::string &host_os) {
    if (host_os == "darwin")
        return {"applehv", "qemu"};
    if (host_os == "windows")
        return {"wsl", "hyperv", "qemu"};
    return {"qemu", "libvirt"};
}

ProviderRegistry ProviderRegistry::builtin() {
    ProviderRegistry registry;
    registry.add("qemu", [](ProcessRunner &runner) -> std::unique_ptr<Provider> {
        return std::make_unique<QemuProvider>(runner);
    });
    // Everywhere, so that `--provider hyperv` is known on every host: check_host() refuses it off
    // Windows in one line.
    registry.add("hyperv", [](ProcessRunner &runner) -> std::unique_ptr<Provider> {
        return std::make_unique<HyperVProvider>(runner);
    });
    // Everywhere too: off Windows, check_host() refuses it in one line.
    registry.add("wsl", [](ProcessRunner &runner) -> std::unique_ptr<Provider> {
        return std::make_unique<WslProvider>(runner);
    });
    // And the Apple family: off macOS, check_host() refuses them in one line.
    registry.add("applehv", [](ProcessRunner &) -> std::unique_ptr<Provider> {
        return std::make_unique<VfkitProvider>();
    });
    registry.add("libkrun", [](ProcessRunner &) -> std::unique_ptr<Provider> {
        return std::make_unique<KrunkitProvider>();
    });
    add_libvirt_provider(registry);
    return registry;
}

void ProviderRegistry::add(const std::string &name, Factory factory) {
    factories_.emplace_back(name, std::move(factory));
}

std::vector<std::string> ProviderRegistry::names() const {
    std::vector<std::string> names;
    for (const auto &[name, factory] : factories_)
        names.push_back(name);
    return names;
}

DefaultProvider ProviderRegistry::default_provider(ProcessRunner &runner) const {
    if (const char *chosen = std::getenv("MACHINE_PROVIDER"); chosen && *chosen)
        return {chosen, "MACHINE_PROVIDER is set"};
    auto available = names();
    std::vector<std::string> candidates;
    for (const auto &name : preferred_providers(platform::host_os_name()))
        if (std::find(available.begin(), available.end(), name) != available.end())
            candidates.push_back(name);
    if (candidates.empty())
        return {available.empty() ? std::string() : available.front(),
                "none of this host's usual providers is built in"};
    std::vector<std::string> skipped; // "NAME: why it cannot run here"
    for (const auto &name : candidates) {
        try {
            make(name, runner)->check_host();
            if (candidates.size() == 1)
                return {name, "the only one of this host's providers that is built in", true};
            auto reason =
                fmt::format("the first of {} that this host can run", fmt::join(candidates, ", "));
            if (!skipped.empty())
                reason += fmt::format(" ({})", fmt::join(skipped, "; "));
            return {name, reason, true};
        } catch (const Error &e) { // HostNotReady, or its check itself failed
            skipped.push_back(name + ": " + e.what());
        }
    }
    return {candidates.front(), fmt::format("none of {} can run here ({})",
                                            fmt::join(candidates, ", "), fmt::join(skipped, "; "))};
}

std::unique_ptr<Provider> ProviderRegistry::make(const std::string &name, ProcessRunner &runner,
                                                 const std::string &field) const {
    for (const auto &[known, factory] : factories_)
        if (known == name)
            return factory(runner);
    throw InvalidInput(field, fmt::format("{}: unknown provider \"{}\"; accepted: {}", field, name,
                                          fmt::join(names(), ", ")));
}

} // namespace machine

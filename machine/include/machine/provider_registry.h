#pragma once
// The one place that knows which providers exist and which one a host uses by default.
#include "machine/command.h"
#include "machine/provider.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace machine {

class ProviderRegistry {
public:
    using Factory = std::function<std::unique_ptr<Provider>(ProcessRunner &)>;

    // The providers built into this binary, for this host.
    static ProviderRegistry builtin();

    void add(const std::string &name, Factory factory);
    std::vector<std::string> names() const;

    // The first of the host OS's preferred providers that is registered, unless
    // $MACHINE_PROVIDER names one (as podman's CONTAINERS_MACHINE_PROVIDER does).
    std::string default_name() const;

    // Throws InvalidInput(field) listing the accepted names when `name` is unknown.
    std::unique_ptr<Provider> make(const std::string &name, ProcessRunner &runner,
                                   const std::string &field = "--provider") const;

private:
    std::vector<std::pair<std::string, Factory>> factories_;
};

// Preference order per host OS, best first.
std::vector<std::string> preferred_providers(const std::string &host_os);

} // namespace machine

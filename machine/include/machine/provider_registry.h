#pragma once
// The one place that knows which providers exist and which one a host uses by default.
#include "machine/command.h"
#include "machine/provider.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace machine {

// The provider `init` uses when none is named, and why (for `machine info`).
struct DefaultProvider {
    std::string name;
    std::string reason;
    bool host_ready = false; // its check_host() passed just now: no need to ask again
};

class ProviderRegistry {
public:
    using Factory = std::function<std::unique_ptr<Provider>(ProcessRunner &)>;

    // The providers built into this binary, for this host.
    static ProviderRegistry builtin();

    void add(const std::string &name, Factory factory);
    std::vector<std::string> names() const;

    // $MACHINE_PROVIDER when set (as podman's CONTAINERS_MACHINE_PROVIDER); else the first of
    // the host OS's preferred providers whose check_host() passes (on Windows: WSL when wsl.exe
    // is there, else Hyper-V when enabled, else QEMU); else the first preferred one, whose own
    // check then tells the user what to install. Empty when nothing is registered.
    DefaultProvider default_provider(ProcessRunner &runner) const;

    // Throws InvalidInput(field) listing the accepted names when `name` is unknown.
    std::unique_ptr<Provider> make(const std::string &name, ProcessRunner &runner,
                                   const std::string &field = "--provider") const;

private:
    std::vector<std::pair<std::string, Factory>> factories_;
};

// Preference order per host OS, best first.
std::vector<std::string> preferred_providers(const std::string &host_os);

} // namespace machine

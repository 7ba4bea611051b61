#include "providers/libvirt/libvirt_registration.h"

#include "providers/libvirt/libvirt_provider.h"

namespace machine {

void add_libvirt_provider(ProviderRegistry &registry) {
    registry.add("libvirt", [](ProcessRunner &) -> std::unique_ptr<Provider> {
        return std::make_unique<LibvirtProvider>();
    });
}

} // namespace machine

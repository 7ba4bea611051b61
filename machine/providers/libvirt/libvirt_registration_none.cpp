#include "providers/libvirt/libvirt_registration.h"

namespace machine {

void add_libvirt_provider(ProviderRegistry &) {}

} // namespace machine

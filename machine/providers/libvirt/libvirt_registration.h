#pragma once
// Provider "libvirt" where this build has libvirt's library (Linux); nothing elsewhere, where
// `--provider libvirt` is then refused as unknown.
#include "machine/provider_registry.h"

namespace machine {

void add_libvirt_provider(ProviderRegistry &registry);

} // namespace machine

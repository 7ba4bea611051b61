#include "platform/shared_library.h"

#include "machine/errors.h"

#include <dlfcn.h>
#include <fmt/format.h>

namespace machine::platform {

SharedLibrary::SharedLibrary(const std::string &name, const std::string &install_hint)
    : name_(name), install_hint_(install_hint) {
    handle_ = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
        const char *reason = ::dlerror();
        throw HostNotReady(
            fmt::format("{} cannot be loaded: {}", name, reason ? reason : "no reason given"),
            install_hint);
    }
}

void *SharedLibrary::address(const char *symbol) const {
    void *found = ::dlsym(handle_, symbol);
    if (!found)
        throw HostNotReady(fmt::format("{} lacks {}: too old", name_, symbol), install_hint_);
    return found;
}

} // namespace machine::platform

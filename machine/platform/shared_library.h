#pragma once
// A system library loaded when first needed rather than linked: a library that pulls in dozens
// of others (libvirt's) would cost every run of the CLI their loading, `list` included.
#include <string>

namespace machine::platform {

class SharedLibrary {
public:
    // Throws HostNotReady naming `name` and `install_hint` when it cannot be loaded.
    SharedLibrary(const std::string &name, const std::string &install_hint);
    // Never unloaded: such libraries register process-wide state.
    SharedLibrary(const SharedLibrary &) = delete;
    SharedLibrary &operator=(const SharedLibrary &) = delete;

    // Binds `function` to the library's symbol `symbol`; throws HostNotReady when it lacks it.
    template <typename F> void bind(const char *symbol, F &function) const {
        function = reinterpret_cast<F>(address(symbol));
    }

private:
    void *address(const char *symbol) const;

    std::string name_, install_hint_;
    void *handle_ = nullptr;
};

} // namespace machine::platform

#include "platform/curl.h"

#include "machine/errors.h"
#include "platform/shared_library.h" // POSIX: libcurl is loaded

#include <fmt/format.h>
#include <mutex>
#include <string>

namespace machine::platform {

namespace {

#if defined(__APPLE__)
// macOS's own libcurl, part of every macOS: TLS through Secure Transport and the keychain's
// certificates (a company's own CA included), and nothing for this tool to carry or update.
constexpr const char *library_name = "/usr/lib/libcurl.4.dylib";
constexpr const char *install_hint = "reinstall macOS's command line tools or update macOS";
#else
constexpr const char *library_name = "libcurl.so.4";
constexpr const char *install_hint =
    "install it: apt install libcurl4 (Debian/Ubuntu), dnf install libcurl (Fedora)";
#endif

[[noreturn]] void not_ready(const std::string &problem) {
    throw HostNotReady("cannot download images: libcurl is not usable: " + problem, install_hint);
}

#ifdef _WIN32
// Linked in (libcurl on Schannel, built by .ci/cross-deps-windows): nothing to load.
CurlLibrary load() {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        not_ready("libcurl failed to initialize");
    return {&curl_easy_init,    &curl_easy_cleanup, &curl_easy_setopt,
            &curl_easy_perform, &curl_easy_getinfo, &curl_easy_strerror};
}
#else
CurlLibrary load() {
    // Never unloaded: libcurl and the TLS library it pulls in register process-wide state.
    static const SharedLibrary library(library_name, install_hint);
    CurlLibrary curl{};
    CURLcode (*global_init)(long) = nullptr;
    library.bind("curl_global_init", global_init);
    library.bind("curl_easy_init", curl.easy_init);
    library.bind("curl_easy_cleanup", curl.easy_cleanup);
    library.bind("curl_easy_setopt", curl.easy_setopt);
    library.bind("curl_easy_perform", curl.easy_perform);
    library.bind("curl_easy_getinfo", curl.easy_getinfo);
    library.bind("curl_easy_strerror", curl.easy_strerror);
    if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        not_ready("libcurl failed to initialize");
    return curl;
}

#endif

} // namespace

const CurlLibrary &curl_library() {
    // Loaded under a lock, and retried on the next call if it failed.
    static std::mutex mutex;
    static std::unique_ptr<CurlLibrary> library;
    std::lock_guard lock(mutex);
    if (!library)
        library = std::make_unique<CurlLibrary>(load());
    return *library;
}

CurlEasy::CurlEasy()
    : library_(&curl_library()), handle_(library_->easy_init(), Cleanup{library_}) {
    if (!handle_)
        throw Error("cannot download images: libcurl could not create a transfer");
}

void CurlEasy::check_option(CURLoption option, CURLcode code) const {
    if (code != CURLE_OK)
        throw Error(fmt::format("libcurl refused option {}: {}", int(option), describe(code)),
                    "a newer libcurl (7.85 or later) is needed");
}

void CurlEasy::check_info(CURLINFO what, CURLcode code) const {
    if (code != CURLE_OK)
        throw Error(fmt::format("libcurl has no info {}: {}", int(what), describe(code)));
}

} // namespace machine::platform

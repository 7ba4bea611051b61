#pragma once
// libcurl, loaded when the first download starts rather than linked: binding a shared libcurl's
// symbols would cost every start of the tool (`machine list` included) several milliseconds.
// The only place that knows the library is loaded by hand; callers see an RAII easy handle.
#include <curl/curl.h> // types and constants only: no libcurl function is called directly

#include <memory>
#include <type_traits>

namespace machine::platform {

// The functions of libcurl.so.4 this tool uses.
struct CurlLibrary {
    CURL *(*easy_init)();
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
};

// Loads libcurl once per process (it stays loaded). Throws HostNotReady naming the package when
// the library is missing.
const CurlLibrary &curl_library();

// One easy handle. Options and infos are typed as libcurl documents them.
class CurlEasy {
public:
    CurlEasy();

    // Throws Error naming the option's number when libcurl refuses it (too old a libcurl).
    template <typename T> void set(CURLoption option, T value) {
        static_assert(std::is_same_v<T, long> || std::is_same_v<T, curl_off_t> ||
                          std::is_pointer_v<T>,
                      "libcurl options take a long, a curl_off_t or a pointer");
        check_option(option, library_->easy_setopt(handle_.get(), option, value));
    }
    template <typename T> T info(CURLINFO what) const {
        T value{};
        check_info(what, library_->easy_getinfo(handle_.get(), what, &value));
        return value;
    }
    // The transfer's result; CURLE_OK or the reason it failed.
    CURLcode perform() { return library_->easy_perform(handle_.get()); }
    const char *describe(CURLcode code) const { return library_->easy_strerror(code); }

private:
    void check_option(CURLoption option, CURLcode code) const;
    void check_info(CURLINFO what, CURLcode code) const;

    struct Cleanup {
        const CurlLibrary *library;
        void operator()(CURL *handle) const { library->easy_cleanup(handle); }
    };
    const CurlLibrary *library_;
    std::unique_ptr<CURL, Cleanup> handle_;
};

} // namespace machine::platform

#pragma once
// Fetching an image over http(s): redirects followed (at most 5), TLS certificates verified
// (never switched off), and a transfer that ends early or fails is an error, never a short file.
#include "platform/staged_file.h"

#include <cstdint>
#include <functional>
#include <string>

namespace machine {

struct Download {
    std::uint64_t bytes = 0;
    std::string sha256; // of the bytes as they arrived
};

// True for an http:// or https:// URL (any case).
bool is_download_url(const std::string &source);

// `url` fit for a one-line message: without "user:password@", control characters as '?'.
std::string display_url(const std::string &url);

// Downloads `url` into `out`, hashing on the way; `progress(done, total)` as bytes arrive (total
// 0 while the size is unknown). Throws NotFound for HTTP 404/410, Error for any other HTTP
// status, a network or TLS failure, or a transfer shorter than its Content-Length; HostNotReady
// when libcurl is missing. `out` then holds garbage: the caller drops it.
Download download(const std::string &url, platform::StagedFile &out,
                  const std::function<void(std::uint64_t, std::uint64_t)> &progress);

} // namespace machine

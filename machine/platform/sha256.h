#pragma once
// SHA-256 of a stream of bytes, fed as it passes by (a download, a copy, a decompression), so no
// file is read twice just to be hashed.
#include <cstddef>
#include <memory>
#include <string>

struct evp_md_ctx_st;

namespace machine::platform {

class Sha256 {
public:
    Sha256();
    void update(const void *data, std::size_t size);
    // The digest as 64 lower-case hex digits; the object is spent afterwards.
    std::string hex_digest();

private:
    struct Free {
        void operator()(evp_md_ctx_st *context) const;
    };
    std::unique_ptr<evp_md_ctx_st, Free> context_;
};

// True for 64 hex digits (either case).
bool is_sha256_hex(const std::string &text);

} // namespace machine::platform

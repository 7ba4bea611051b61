#pragma once
// SHA-256 of a stream of bytes, fed as it passes by (a download, a copy, a decompression), so no
// file is read twice just to be hashed.
#include <cstddef>
#include <memory>
#include <string>

namespace machine::platform {

class Sha256 {
public:
    Sha256();
    void update(const void *data, std::size_t size);
    // The digest as 64 lower-case hex digits; the object is spent afterwards.
    std::string hex_digest();

    Sha256(Sha256 &&) noexcept;
    ~Sha256();

private:
    struct State; // the system library's: OpenSSL's, macOS's CommonCrypto or Windows' CNG
    std::unique_ptr<State> state_;
};

// Lower-case hex digits, two per byte.
std::string to_hex(const unsigned char *bytes, std::size_t size);

// True for 64 hex digits (either case).
bool is_sha256_hex(const std::string &text);

} // namespace machine::platform

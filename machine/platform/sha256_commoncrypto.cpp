#include "platform/sha256.h"

#include <CommonCrypto/CommonDigest.h>
#include <algorithm>
#include <array>
#include <limits>

namespace machine::platform {

// macOS's own, in libSystem: no crypto library to carry for a checksum.
struct Sha256::State {
    CC_SHA256_CTX context{};
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
    CC_SHA256_Init(&state_->context);
}

Sha256::Sha256(Sha256 &&) noexcept = default;
Sha256::~Sha256() = default;

void Sha256::update(const void *data, std::size_t size) {
    // CC_LONG is 32 bits: larger buffers go in pieces.
    const auto *bytes = static_cast<const unsigned char *>(data);
    while (size > 0) {
        auto piece = CC_LONG(std::min<std::size_t>(size, std::numeric_limits<CC_LONG>::max()));
        CC_SHA256_Update(&state_->context, bytes, piece);
        bytes += piece;
        size -= piece;
    }
}

std::string Sha256::hex_digest() {
    std::array<unsigned char, CC_SHA256_DIGEST_LENGTH> digest{};
    CC_SHA256_Final(digest.data(), &state_->context);
    return to_hex(digest.data(), digest.size());
}

} // namespace machine::platform

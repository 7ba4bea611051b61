#include "platform/sha256.h"

#include "machine/errors.h"
#include "platform/windows_handle.h"

#include <algorithm>
#include <bcrypt.h>

// Windows' own SHA-256 (CNG), so the Windows build needs no OpenSSL.
namespace machine::platform {

namespace {

void check(NTSTATUS status, const char *what) {
    if (status < 0)
        throw Error(std::string("SHA-256: ") + what + " failed");
}

} // namespace

struct Sha256::State {
    BCRYPT_HASH_HANDLE hash = nullptr;
    ~State() {
        if (hash)
            BCryptDestroyHash(hash);
    }
};

namespace {

// Opened once and kept for the life of the process, as CNG intends (opening it is the slow part).
BCRYPT_ALG_HANDLE sha256_provider() {
    static BCRYPT_ALG_HANDLE provider = [] {
        BCRYPT_ALG_HANDLE opened = nullptr;
        check(BCryptOpenAlgorithmProvider(&opened, BCRYPT_SHA256_ALGORITHM, nullptr, 0), "open");
        return opened;
    }();
    return provider;
}

} // namespace

Sha256::Sha256() : state_(std::make_unique<State>()) {
    check(BCryptCreateHash(sha256_provider(), &state_->hash, nullptr, 0, nullptr, 0, 0), "init");
}

Sha256::Sha256(Sha256 &&) noexcept = default;
Sha256::~Sha256() = default;

void Sha256::update(const void *data, std::size_t size) {
    auto *bytes = static_cast<const unsigned char *>(data);
    while (size > 0) {
        auto piece = ULONG(std::min<std::size_t>(size, 1 << 30));
        check(BCryptHashData(state_->hash, const_cast<unsigned char *>(bytes), piece, 0), "update");
        bytes += piece;
        size -= piece;
    }
}

std::string Sha256::hex_digest() {
    unsigned char digest[32];
    check(BCryptFinishHash(state_->hash, digest, sizeof digest, 0), "final");
    return to_hex(digest, sizeof digest);
}

} // namespace machine::platform

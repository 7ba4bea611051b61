#include "platform/sha256.h"

#include "machine/errors.h"

#include <array>
#include <openssl/evp.h>

namespace machine::platform {

namespace {

void check(int ok, const char *what) {
    if (ok != 1)
        throw Error(std::string("SHA-256: ") + what + " failed");
}

} // namespace

struct Sha256::State {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context{EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free};
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
    if (!state_->context)
        throw Error("SHA-256: out of memory");
    check(EVP_DigestInit_ex(state_->context.get(), EVP_sha256(), nullptr), "init");
}

Sha256::Sha256(Sha256 &&) noexcept = default;
Sha256::~Sha256() = default;

void Sha256::update(const void *data, std::size_t size) {
    check(EVP_DigestUpdate(state_->context.get(), data, size), "update");
}

std::string Sha256::hex_digest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned length = 0;
    check(EVP_DigestFinal_ex(state_->context.get(), digest.data(), &length), "final");
    return to_hex(digest.data(), length);
}

} // namespace machine::platform

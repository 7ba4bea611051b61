#include "platform/sha256.h"

#include "machine/errors.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <openssl/evp.h>

namespace machine::platform {

namespace {

void check(int ok, const char *what) {
    if (ok != 1)
        throw Error(std::string("SHA-256: ") + what + " failed");
}

} // namespace

void Sha256::Free::operator()(evp_md_ctx_st *context) const {
    EVP_MD_CTX_free(context);
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
    if (!context_)
        throw Error("SHA-256: out of memory");
    check(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr), "init");
}

void Sha256::update(const void *data, std::size_t size) {
    check(EVP_DigestUpdate(context_.get(), data, size), "update");
}

std::string Sha256::hex_digest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned length = 0;
    check(EVP_DigestFinal_ex(context_.get(), digest.data(), &length), "final");
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned i = 0; i < length; ++i) {
        text += hex[digest[i] >> 4];
        text += hex[digest[i] & 0xf];
    }
    return text;
}

bool is_sha256_hex(const std::string &text) {
    return text.size() == 64 &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c); });
}

} // namespace machine::platform

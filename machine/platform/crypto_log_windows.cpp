#include "platform/crypto_log.h"

#include <cstdarg>
#include <cstdio>
#include <gcrypt.h>

namespace machine::platform {

namespace {

// Warnings and worse still reach stderr; notes and debugging do not.
void log_problems_only(void *, int level, const char *format, va_list args) {
    if (level == GCRY_LOG_CONT || level == GCRY_LOG_INFO || level == GCRY_LOG_DEBUG)
        return;
    std::vfprintf(stderr, format, args);
}

} // namespace

void quiet_crypto_library() {
    gcry_set_log_handler(log_problems_only, nullptr);
}

} // namespace machine::platform

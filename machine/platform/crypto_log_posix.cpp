#include "platform/crypto_log.h"

namespace machine::platform {

void quiet_crypto_library() {} // OpenSSL prints nothing of its own

} // namespace machine::platform

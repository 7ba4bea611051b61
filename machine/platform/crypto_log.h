#pragma once
// The crypto library's own chatter kept off our stderr, where one line is the error and nothing
// else. Windows: libssh there sits on libgcrypt, whose entropy gatherer logs "NOTE: you should
// run 'diskperf -y' to enable the disk statistics" to stderr whenever disk counters are off.
// POSIX (OpenSSL): nothing to do.
namespace machine::platform {

// Call once, first thing in main().
void quiet_crypto_library();

} // namespace machine::platform

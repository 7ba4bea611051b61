#pragma once
// Ed25519 key pairs made with libssh: the user's client key and the guest's host key, both made
// at `init` so the host key is pinned before the first connect.
#include <filesystem>
#include <string>

namespace machine::provisioning {

struct KeyPair {
    std::string private_pem; // OpenSSH private key format
    std::string public_line; // "ssh-ed25519 AAAA... comment"
    std::string fingerprint; // "SHA256:..." as OpenSSH prints it
};

KeyPair generate_ed25519(const std::string &comment);

// Writes `private` (0600 whatever the umask) and `private.pub` (0644), atomically.
void write_key_pair(const KeyPair &keys, const std::filesystem::path &private_path);

// The fingerprint of a public key line ("ssh-ed25519 AAAA..."). Throws InvalidInput.
std::string fingerprint_of(const std::string &public_line);

} // namespace machine::provisioning

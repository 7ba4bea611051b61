#include "provisioning/ssh_keys.h"

#include "machine/errors.h"
#include "platform/atomic_file.h"

#include <libssh/libssh.h>
#include <memory>
#include <sstream>

namespace machine::provisioning {

namespace {

struct KeyDeleter {
    void operator()(ssh_key key) const { ssh_key_free(key); }
};
using Key = std::unique_ptr<ssh_key_struct, KeyDeleter>;

struct CStringDeleter {
    void operator()(char *text) const { ssh_string_free_char(text); }
};
using CString = std::unique_ptr<char, CStringDeleter>;

std::string fingerprint(const ssh_key key) {
    unsigned char *hash = nullptr;
    size_t length = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) != SSH_OK)
        throw Error("cannot hash an SSH key");
    CString text(ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length));
    ssh_clean_pubkey_hash(&hash);
    return text.get();
}

} // namespace

KeyPair generate_ed25519(const std::string &comment) {
    ssh_key raw = nullptr;
    if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &raw) != SSH_OK)
        throw Error("cannot generate an ed25519 key");
    Key key(raw);
    char *pem = nullptr;
    if (ssh_pki_export_privkey_base64(key.get(), nullptr, nullptr, nullptr, &pem) != SSH_OK)
        throw Error("cannot export an ed25519 private key");
    CString private_pem(pem);
    char *b64 = nullptr;
    if (ssh_pki_export_pubkey_base64(key.get(), &b64) != SSH_OK)
        throw Error("cannot export an ed25519 public key");
    CString public_b64(b64);
    return {private_pem.get(), std::string("ssh-ed25519 ") + public_b64.get() + " " + comment,
            fingerprint(key.get())};
}

void write_key_pair(const KeyPair &keys, const std::filesystem::path &private_path) {
    platform::write_file_atomically(private_path, keys.private_pem, 0600);
    auto public_path = private_path;
    public_path += ".pub";
    platform::write_file_atomically(public_path, keys.public_line + "\n", 0644);
}

std::string fingerprint_of(const std::string &public_line) {
    std::istringstream words(public_line);
    std::string type, b64;
    words >> type >> b64;
    ssh_key raw = nullptr;
    if (ssh_pki_import_pubkey_base64(b64.c_str(), ssh_key_type_from_name(type.c_str()), &raw) !=
        SSH_OK)
        throw InvalidInput("public key", "not an OpenSSH public key: " + public_line.substr(0, 40));
    Key key(raw);
    return fingerprint(key.get());
}

} // namespace machine::provisioning

#pragma once
// The CA certificates a machine's guest is to trust (`init --ca-certs FILE|DIR`, else the host's
// SSL_CERT_FILE): read on the host at init, kept in the config, installed into the guest's trust
// store at boot.
#include <filesystem>
#include <string>

namespace machine {

// The PEM certificates of `path`: a file, or every *.pem, *.crt and *.cer file of a folder, in
// name order; one "-----BEGIN CERTIFICATE-----" block after another, nothing else kept.
// InvalidInput(field) names the file that is missing, holds no certificate, holds a private key,
// or is too large (over 1 MiB in all).
std::string read_ca_certs(const std::filesystem::path &path, const std::string &field);

// The number of certificates in a bundle read_ca_certs made.
std::size_t count_ca_certs(const std::string &bundle);

} // namespace machine

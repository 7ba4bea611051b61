#pragma once
// The files that give the guest the host's proxy and CA certificates, for both renderers
// (Ignition, cloud-init), so they cannot drift apart.
//   - the proxy variables in systemd's default environment, for the system's services (rootful
//     podman) and every user's manager (rootless podman), and in the login shells' profile;
//   - the CA certificates as one file in Debian's local trust folder, and a unit that runs
//     update-ca-certificates when that file is newer than the bundle (the first boot; after a
//     change), and costs a `test` on every other boot. That run takes 20 s under TCG, so the
//     certificates also go straight into /etc/ssl/certs, where Go's TLS (podman's pulls) reads
//     every file: the engine trusts them from its first start.
#include "provisioning/guest_settings.h"

#include <string>
#include <vector>

namespace machine::provisioning {

struct GuestFile {
    std::string path;
    int mode;
    std::string contents;
};

inline constexpr int mode_0644 = 0644; // a plain configuration file

inline constexpr const char *ca_certs_path = "/usr/local/share/ca-certificates/machine.crt";
inline constexpr const char *ca_certs_for_go_path = "/etc/ssl/certs/machine-ca-certs.pem";
inline constexpr const char *ca_certs_unit_name = "machine-ca-certs.service";

// The proxy and CA files, always written (empty of variables or certificates when there are none,
// so a later config can take them away).
std::vector<GuestFile> proxy_files(const GuestSettings &s);

// The unit that installs ca_certs_path into the trust store, in the config only with
// certificates (an empty file after some were taken away still runs it: the unit stays).
std::string ca_certs_unit();

} // namespace machine::provisioning

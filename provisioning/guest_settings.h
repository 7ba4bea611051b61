#pragma once
// Everything the guest is told at first boot, derived from a MachineConfig and the keys `init`
// made. Both renderers (Ignition, cloud-init) take this one value, so they cannot drift apart.
#include "machine/machine_config.h"

#include <string>
#include <vector>

namespace machine::provisioning {

struct GuestSettings {
    std::string hostname;
    std::string username;
    std::string authorized_key;   // "ssh-ed25519 AAAA... machine-NAME"
    std::string host_private_key; // OpenSSH PEM of the guest's host key, made at init
    std::string host_public_key;
    std::string timezone; // an IANA name; empty keeps the image's
    bool rootful = false;
    int uid = 1000;                // the user's, in the guest
    std::vector<Mount> mounts;     // mounted from tags vol0, vol1, ... (mount_tag) in this order
    std::string share_type = "9p"; // how they arrive: "9p" (QEMU) or "virtiofs" (vfkit, krunkit)
    bool rosetta = false;          // Apple's Rosetta share is there: x86_64 programs run through it
    ProxySettings proxy;           // as the guest must see it (proxy_for_guest)
    std::string host_address;      // the host as the guest reaches it; empty: unknown
    std::string ca_certs;          // PEM certificates to trust besides Debian's
};

// /var/run/docker.sock as the engine's socket, for systemd-tmpfiles (a link made at every boot).
inline constexpr const char *docker_socket_tmpfiles_path = "/etc/tmpfiles.d/machine-docker.conf";
std::string docker_socket_tmpfiles(const GuestSettings &s);

// `timezone` "local" becomes the host's zone (from /etc/localtime or /etc/timezone).
GuestSettings guest_settings(const MachineConfig &config, const std::string &authorized_key,
                             const std::string &host_private_key,
                             const std::string &host_public_key);

// The host's IANA time zone name, or "UTC" when it cannot be told.
std::string host_timezone();

// systemd's unit name for a mount point: "/home/a-b" -> "home-a\x2db.mount".
std::string mount_unit_name(const std::string &path);

} // namespace machine::provisioning

#pragma once
// What a machine's things are called on the libvirt host, and which libvirt it talks to.
#include <filesystem>
#include <string>

namespace machine {

// The connection a new machine is made on: MACHINE_LIBVIRT_URI when set (`env_uri`), else
// libvirt's own default for this user: the system instance for root, the user's session otherwise.
std::string libvirt_uri(const char *env_uri, bool root);

// True for a URI of a system instance (qemu:///system, qemu+ssh://user@host/system).
bool is_system_uri(const std::string &uri);

// True for a URI naming a host (qemu+ssh://user@host/system), false for this one's libvirtd.
bool is_remote_uri(const std::string &uri);

// The console log of a machine on a remote host: in libvirt's own log folder there (the
// machine's local folders do not exist on that host).
std::string remote_console_log(const std::string &machine);

// Our pool, on every libvirt host.
inline constexpr const char *libvirt_pool = "machine";

// Where our pool keeps its files: beside libvirt's own default pool on a system instance, in
// the user's data folder (`data_home`, XDG_DATA_HOME) on a session.
std::string libvirt_pool_path(const std::string &uri, const std::filesystem::path &data_home);

std::string libvirt_domain_name(const std::string &machine);
std::string overlay_volume_name(const std::string &machine);
std::string config_volume_name(const std::string &machine);
// A file of the image cache (named by its digest: sha256-HEX.qcow2, .vmlinuz, .initrd) as a
// volume, uploaded once for every machine that boots it.
std::string base_volume_name(const std::string &cached_file);

} // namespace machine

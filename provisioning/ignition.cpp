#include "provisioning/ignition.h"

#include "machine/guest_user.h"
#include "provisioning/guest_files.h"
#include "provisioning/proxy_files.h"

#include <fmt/format.h>

namespace machine::provisioning {

namespace {

constexpr int mode_0600 = 0600;

std::string base64(const std::string &bytes) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        unsigned n = unsigned(static_cast<unsigned char>(bytes[i])) << 16 |
                     unsigned(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                     unsigned(static_cast<unsigned char>(bytes[i + 2]));
        out += {alphabet[n >> 18], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63],
                alphabet[n & 63]};
    }
    if (i + 1 == bytes.size()) {
        unsigned n = unsigned(static_cast<unsigned char>(bytes[i])) << 16;
        out += {alphabet[n >> 18], alphabet[(n >> 12) & 63], '=', '='};
    } else if (i + 2 == bytes.size()) {
        unsigned n = unsigned(static_cast<unsigned char>(bytes[i])) << 16 |
                     unsigned(static_cast<unsigned char>(bytes[i + 1])) << 8;
        out += {alphabet[n >> 18], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63], '='};
    }
    return out;
}

nlohmann::json file(const std::string &path, int mode, const std::string &contents,
                    const std::string &owner = "root") {
    return {{"path", path},
            {"mode", mode},
            {"overwrite", true},
            {"user", {{"name", owner}}},
            {"group", {{"name", owner}}},
            {"contents", {{"source", data_url(contents)}}}};
}

// A path as a unit file value: systemd expands '%' specifiers in values, so '%' is doubled.
std::string unit_value(const std::string &path) {
    std::string value;
    for (char c : path)
        value += c == '%' ? std::string("%%") : std::string(1, c);
    return value;
}

// Both share types mount by tag: 9p from QEMU's -virtfs, virtiofs from vfkit's and krunkit's
// virtio-fs devices.
std::string mount_unit(const Mount &mount, std::size_t index, const std::string &share_type) {
    auto options = share_type == "virtiofs"
                       ? std::string(mount.read_only ? "ro" : "defaults")
                       : fmt::format("trans=virtio,version=9p2000.L,msize=524288,cache=mmap{}",
                                     mount.read_only ? ",ro" : "");
    return fmt::format("[Unit]\n"
                       "Description=Host folder {}\n"
                       "DefaultDependencies=no\n"
                       "After=systemd-remount-fs.service\n"
                       "Before=local-fs.target umount.target\n"
                       "Conflicts=umount.target\n\n"
                       "[Mount]\n"
                       "What={}\n"
                       "Where={}\n"
                       "Type={}\n"
                       "Options={}\n\n"
                       "[Install]\n"
                       "WantedBy=local-fs.target\n",
                       unit_value(mount.host_path), mount_tag(index), unit_value(mount.guest_path),
                       share_type == "virtiofs" ? "virtiofs" : "9p", options);
}

// Apple's Rosetta share (vfkit's `rosetta` device) and the binfmt_misc entry that hands x86_64
// ELF programs to it. Registered by a unit after the share is mounted, not from /etc/binfmt.d,
// which systemd reads before any share is there. Flags as Apple documents them: 'F' opens the
// interpreter at registration (so containers use it too), 'C' keeps setuid programs' rights.
constexpr const char *rosetta_dir = "/mnt/rosetta";
constexpr const char *rosetta_binfmt_file = "/etc/machine/rosetta.binfmt";

std::string rosetta_binfmt() {
    return R"(:rosetta:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00:)"
           R"(\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:)"
           "/mnt/rosetta/rosetta:CF\n";
}

std::string rosetta_mount_unit() {
    return fmt::format("[Unit]\n"
                       "Description=Apple's Rosetta, shared by the host\n\n"
                       "[Mount]\n"
                       "What=rosetta\n"
                       "Where={}\n"
                       "Type=virtiofs\n"
                       "Options=ro\n",
                       rosetta_dir);
}

std::string rosetta_binfmt_unit() {
    return fmt::format("[Unit]\n"
                       "Description=Run x86_64 programs through Rosetta\n"
                       "Requires={0}\n"
                       "After={0}\n\n"
                       "[Service]\n"
                       "Type=oneshot\n"
                       "RemainAfterExit=yes\n"
                       "ExecStart=/usr/lib/systemd/systemd-binfmt {1}\n\n"
                       "[Install]\n"
                       "WantedBy=multi-user.target\n",
                       mount_unit_name(rosetta_dir), rosetta_binfmt_file);
}

// Applies the docker.sock rule once the agent has written it (guest_settings.h).
std::string docker_socket_unit() {
    return fmt::format("[Unit]\n"
                       "Description=/var/run/docker.sock, the engine's\n"
                       "After=machine-agent.service\n\n"
                       "[Service]\n"
                       "Type=oneshot\n"
                       "ExecStart=systemd-tmpfiles --create {}\n\n"
                       "[Install]\n"
                       "WantedBy=multi-user.target\n",
                       docker_socket_tmpfiles_path);
}

} // namespace

std::string data_url(const std::string &contents) {
    return "data:;base64," + base64(contents);
}

std::string ready_unit() {
    return "[Unit]\n"
           "Description=Tell the host this machine is ready\n"
           "After=sshd.service ssh.service podman.socket\n"
           "Requires=dev-virtio\\x2dports-org.fedoraproject.port.0.device\n"
           "After=dev-virtio\\x2dports-org.fedoraproject.port.0.device\n"
           // Our own images' agent says Ready itself, once the podman socket is up too.
           "ConditionPathExists=!/usr/local/bin/machine-agent\n\n"
           "[Service]\n"
           "Type=oneshot\n"
           "ExecStart=/bin/sh -c 'echo Ready >/dev/virtio-ports/org.fedoraproject.port.0'\n\n"
           "[Install]\n"
           "RequiredBy=default.target\n";
}

nlohmann::json render_ignition(const GuestSettings &s) {
    auto home = "/home/" + s.username;
    auto users = nlohmann::json::array();
    users.push_back({{"name", s.username},
                     {"uid", s.uid},
                     {"sshAuthorizedKeys", {s.authorized_key}},
                     {"groups", {"sudo"}}});
    if (s.rootful) // podman machine lets `ssh root@` in too when rootful
        users.push_back({{"name", "root"}, {"sshAuthorizedKeys", {s.authorized_key}}});

    auto files = nlohmann::json::array();
    files.push_back(file("/etc/hostname", mode_0644, s.hostname + "\n"));
    files.push_back(file("/etc/ssh/ssh_host_ed25519_key", mode_0600, s.host_private_key));
    files.push_back(file("/etc/ssh/ssh_host_ed25519_key.pub", mode_0644, s.host_public_key));
    // Only the key made at init: sshd must never offer a host key the host has not pinned.
    files.push_back(file("/etc/ssh/sshd_config.d/machine.conf", mode_0644,
                         "HostKey /etc/ssh/ssh_host_ed25519_key\n"
                         "PasswordAuthentication no\n"
                         "KbdInteractiveAuthentication no\n"));
    files.push_back(
        file("/etc/sudoers.d/machine", 0440, s.username + " ALL=(ALL) NOPASSWD: ALL\n"));

    auto directories = nlohmann::json::array();
    auto links = nlohmann::json::array();
    if (!s.timezone.empty())
        links.push_back({{"path", "/etc/localtime"},
                         {"target", "/usr/share/zoneinfo/" + s.timezone},
                         {"hard", false},
                         {"overwrite", true}});

    auto units = nlohmann::json::array();
    if (s.rootful) {
        units.push_back({{"name", "podman.socket"}, {"enabled", true}});
    } else {
        // Lingering starts the user's manager at boot, so the rootless socket is there at once.
        files.push_back(file("/var/lib/systemd/linger/" + s.username, mode_0644, ""));
        // Parents Ignition creates belong to root; these must belong to the user.
        for (const char *dir : {"/.config", "/.config/systemd", "/.config/systemd/user",
                                "/.config/systemd/user/sockets.target.wants"})
            directories.push_back({{"path", home + dir},
                                   {"mode", 0755},
                                   {"user", {{"name", s.username}}},
                                   {"group", {{"name", s.username}}}});
        links.push_back(
            {{"path", home + "/.config/systemd/user/sockets.target.wants/podman.socket"},
             {"target", "/usr/lib/systemd/user/podman.socket"},
             {"user", {{"name", s.username}}},
             {"group", {{"name", s.username}}},
             {"hard", false},
             {"overwrite", true}});
    }
    for (std::size_t i = 0; i < s.mounts.size(); ++i)
        units.push_back({{"name", mount_unit_name(s.mounts[i].guest_path)},
                         {"enabled", true},
                         {"contents", mount_unit(s.mounts[i], i, s.share_type)}});
    if (s.rosetta) {
        files.push_back(file(rosetta_binfmt_file, mode_0644, rosetta_binfmt()));
        units.push_back(
            {{"name", mount_unit_name(rosetta_dir)}, {"contents", rosetta_mount_unit()}});
        units.push_back({{"name", "rosetta-binfmt.service"},
                         {"enabled", true},
                         {"contents", rosetta_binfmt_unit()}});
    }
    // /var/run/docker.sock, where Docker's clients look (and testcontainers mounts it into its
    // Ryuk container): the engine's socket. /run is a tmpfs: systemd-tmpfiles makes the link at
    // every boot, and once more after the agent (on the first boot, its rule came after
    // systemd-tmpfiles-setup). Not an Ignition link: the agent would make it anew at every boot.
    files.push_back(file(docker_socket_tmpfiles_path, mode_0644, docker_socket_tmpfiles(s)));
    units.push_back({{"name", "machine-docker-socket.service"},
                     {"enabled", true},
                     {"contents", docker_socket_unit()}});
    for (const auto &f : guest_files(s))
        files.push_back(file(f.path, f.mode, f.contents));
    if (!s.ca_certs.empty())
        units.push_back(
            {{"name", ca_certs_unit_name}, {"enabled", true}, {"contents", ca_certs_unit()}});
    units.push_back(
        {{"name", "machine-ready.service"}, {"enabled", true}, {"contents", ready_unit()}});

    return {{"ignition", {{"version", "3.4.0"}}},
            {"passwd", {{"users", users}}},
            {"storage", {{"directories", directories}, {"files", files}, {"links", links}}},
            {"systemd", {{"units", units}}}};
}

} // namespace machine::provisioning

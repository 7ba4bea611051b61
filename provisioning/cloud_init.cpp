#include "provisioning/cloud_init.h"

#include "machine/errors.h"
#include "provisioning/guest_files.h"
#include "provisioning/ignition.h"
#include "provisioning/proxy_files.h"
#include "provisioning/seed_image.h"

#include <fmt/format.h>
#include <memory>
#include <yaml-cpp/yaml.h>

namespace machine::provisioning {

namespace {

// A mount point as an fstab field (where cloud-init writes it): blanks and '\\' as octal escapes.
std::string fstab_field(const std::string &path) {
    std::string field;
    for (char c : path)
        field += (c == ' ' || c == '\t' || c == '\\') ? fmt::format("\\{:03o}", int(c))
                                                      : std::string(1, c);
    return field;
}

void write_mount_file(YAML::Emitter &out, const GuestSettings &s) {
    out << YAML::Key << "mounts" << YAML::Value << YAML::BeginSeq;
    for (std::size_t i = 0; i < s.mounts.size(); ++i) {
        const auto &m = s.mounts[i];
        bool virtiofs = s.share_type == "virtiofs";
        out << YAML::Flow << YAML::BeginSeq << mount_tag(i) << fstab_field(m.guest_path)
            << (virtiofs ? "virtiofs" : "9p")
            << (virtiofs ? fmt::format("defaults{},nofail", m.read_only ? ",ro" : "")
                         : fmt::format("trans=virtio,version=9p2000.L,msize=524288,cache=mmap{},"
                                       "nofail",
                                       m.read_only ? ",ro" : ""))
            << "0"
            << "0" << YAML::EndSeq;
    }
    out << YAML::EndSeq;
}

} // namespace

std::string render_user_data(const GuestSettings &s) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "hostname" << YAML::Value << s.hostname;
    if (!s.timezone.empty())
        out << YAML::Key << "timezone" << YAML::Value << s.timezone;
    out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq;
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.username;
    out << YAML::Key << "uid" << YAML::Value << s.uid;
    out << YAML::Key << "shell" << YAML::Value << "/bin/bash";
    out << YAML::Key << "sudo" << YAML::Value << "ALL=(ALL) NOPASSWD:ALL";
    out << YAML::Key << "lock_passwd" << YAML::Value << true;
    out << YAML::Key << "ssh_authorized_keys" << YAML::Value << YAML::BeginSeq << s.authorized_key
        << YAML::EndSeq << YAML::EndMap;
    out << YAML::EndSeq;
    if (s.rootful) // podman machine lets `ssh root@` in too when rootful
        out << YAML::Key << "disable_root" << YAML::Value << false;
    out << YAML::Key << "write_files" << YAML::Value << YAML::BeginSeq;
    if (s.rootful) {
        out << YAML::BeginMap;
        out << YAML::Key << "path" << YAML::Value << "/root/.ssh/authorized_keys";
        out << YAML::Key << "permissions" << YAML::Value << "0600";
        out << YAML::Key << "content" << YAML::Value << s.authorized_key + "\n";
        out << YAML::EndMap;
    }
    out << YAML::BeginMap; // /var/run/docker.sock, made by systemd-tmpfiles at every boot
    out << YAML::Key << "path" << YAML::Value << docker_socket_tmpfiles_path;
    out << YAML::Key << "permissions" << YAML::Value << "0644";
    out << YAML::Key << "content" << YAML::Value << docker_socket_tmpfiles(s);
    out << YAML::EndMap;
    for (const auto &f : guest_files(s)) {
        out << YAML::BeginMap;
        out << YAML::Key << "path" << YAML::Value << f.path;
        out << YAML::Key << "permissions" << YAML::Value << fmt::format("{:04o}", f.mode);
        out << YAML::Key << "content" << YAML::Value;
        if (f.contents.empty())
            out << "";
        else
            out << YAML::Literal << f.contents;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    // The host key made at init, and no other: the host pins it before the first connect.
    out << YAML::Key << "ssh_deletekeys" << YAML::Value << true;
    out << YAML::Key << "ssh_genkeytypes" << YAML::Value << YAML::Flow << YAML::BeginSeq
        << YAML::EndSeq;
    out << YAML::Key << "ssh_keys" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "ed25519_private" << YAML::Value << YAML::Literal << s.host_private_key;
    out << YAML::Key << "ed25519_public" << YAML::Value << s.host_public_key;
    out << YAML::EndMap;
    out << YAML::Key << "ssh_pwauth" << YAML::Value << false;
    write_mount_file(out, s);
    out << YAML::Key << "runcmd" << YAML::Value << YAML::BeginSeq;
    out << "systemctl daemon-reload"; // the proxy in systemd's default environment
    if (!s.ca_certs.empty())
        out << "update-ca-certificates";
    if (s.rootful)
        out << "systemctl enable --now podman.socket";
    else
        out << fmt::format("loginctl enable-linger {}", s.username)
            << fmt::format("systemctl --user -M {}@ enable --now podman.socket", s.username);
    out << fmt::format("systemd-tmpfiles --create {}", docker_socket_tmpfiles_path);
    out << "echo Ready >/dev/virtio-ports/org.fedoraproject.port.0";
    out << YAML::EndSeq;
    out << YAML::EndMap;
    return "#cloud-config\n" + std::string(out.c_str()) + "\n";
}

std::string render_meta_data(const GuestSettings &s, const std::string &instance_id) {
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "instance-id" << YAML::Value << instance_id << YAML::Key
        << "local-hostname" << YAML::Value << s.hostname << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

void write_seed_image(const std::filesystem::path &iso, const std::string &user_data,
                      const std::string &meta_data) {
    write_seed_image(iso, "cidata", {{"user-data", user_data}, {"meta-data", meta_data}});
}

} // namespace machine::provisioning

// The Ignition and cloud-init renderers against golden output, the mount unit names systemd
// expects, the cidata seed image, and key generation.
#include "../helpers/ignition_source.h"
#include "machine/guest_user.h"
#include "provisioning/cloud_init.h"
#include "provisioning/ignition.h"
#include "provisioning/ssh_keys.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace machine;
using namespace machine::provisioning;
using machine::test::decode_source;

namespace {

GuestSettings settings(bool rootful) {
    GuestSettings s;
    s.hostname = "dev";
    s.username = "core";
    s.authorized_key = "ssh-ed25519 AAAAclient machine-dev";
    s.host_private_key =
        "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n";
    s.host_public_key = "ssh-ed25519 AAAAhost root@dev";
    s.timezone = "Europe/Berlin";
    s.rootful = rootful;
    s.mounts = {{"/home/me/src", "/src", false}, {"/data", "/mnt/a-b", true}};
    return s;
}

const nlohmann::json *find_by(const nlohmann::json &list, const std::string &key,
                              const std::string &value) {
    for (const auto &item : list)
        if (item[key] == value)
            return &item;
    return nullptr;
}

} // namespace

TEST_CASE("mount unit names follow systemd's escaping", "[provisioning]") {
    CHECK(mount_unit_name("/src") == "src.mount");
    CHECK(mount_unit_name("/mnt/a-b") == "mnt-a\\x2db.mount");
    CHECK(mount_unit_name("/home/me/my dir/") == "home-me-my\\x20dir.mount");
    CHECK(mount_unit_name("/") == "-.mount");
}

TEST_CASE("Ignition for a rootless machine", "[provisioning]") {
    auto ignition = render_ignition(settings(false));
    CHECK(ignition["ignition"]["version"] == "3.4.0");
    CHECK(ignition["passwd"]["users"] ==
          nlohmann::json::parse(R"([{"name":"core","uid":1000,"groups":["sudo"],
                                     "sshAuthorizedKeys":["ssh-ed25519 AAAAclient machine-dev"]}])"));
    const auto &files = ignition["storage"]["files"];
    auto *hostname = find_by(files, "path", "/etc/hostname");
    REQUIRE(hostname);
    CHECK(decode_source(*hostname) == "dev\n");
    CHECK((*hostname)["mode"] == 0644);
    auto *host_key = find_by(files, "path", "/etc/ssh/ssh_host_ed25519_key");
    REQUIRE(host_key);
    CHECK((*host_key)["mode"] == 0600);
    CHECK(decode_source(*host_key) == settings(false).host_private_key);
    REQUIRE(find_by(files, "path", "/var/lib/systemd/linger/core"));
    auto *sshd = find_by(files, "path", "/etc/ssh/sshd_config.d/machine.conf");
    REQUIRE(sshd);
    CHECK(decode_source(*sshd).find("PasswordAuthentication no") != std::string::npos);

    const auto &links = ignition["storage"]["links"];
    auto *localtime = find_by(links, "path", "/etc/localtime");
    REQUIRE(localtime);
    CHECK((*localtime)["target"] == "/usr/share/zoneinfo/Europe/Berlin");
    auto *socket = find_by(links, "path",
                           "/home/core/.config/systemd/user/sockets.target.wants/podman.socket");
    REQUIRE(socket);
    CHECK((*socket)["user"]["name"] == "core");
    auto *config_dir = find_by(ignition["storage"]["directories"], "path", "/home/core/.config");
    REQUIRE(config_dir);
    CHECK((*config_dir)["user"]["name"] == "core");

    const auto &units = ignition["systemd"]["units"];
    CHECK_FALSE(find_by(units, "name", "podman.socket"));
    auto *src = find_by(units, "name", "src.mount");
    REQUIRE(src);
    CHECK((*src)["enabled"] == true);
    CHECK((*src)["contents"].get<std::string>().find("What=vol0\nWhere=/src\nType=9p\n") !=
          std::string::npos);
    auto *ro = find_by(units, "name", "mnt-a\\x2db.mount");
    REQUIRE(ro);
    CHECK((*ro)["contents"].get<std::string>().find("What=vol1") != std::string::npos);
    CHECK((*ro)["contents"].get<std::string>().find(",ro\n") != std::string::npos);
    auto *ready = find_by(units, "name", "machine-ready.service");
    REQUIRE(ready);
    CHECK((*ready)["contents"] == ready_unit());
}

TEST_CASE("Ignition for a rootful machine", "[provisioning]") {
    auto ignition = render_ignition(settings(true));
    CHECK(find_by(ignition["passwd"]["users"], "name", "root"));
    CHECK(find_by(ignition["systemd"]["units"], "name", "podman.socket"));
    CHECK_FALSE(find_by(ignition["storage"]["files"], "path", "/var/lib/systemd/linger/core"));
}

TEST_CASE("the guest user gets the host user's uid when it is an ordinary user's",
          "[provisioning]") {
    auto own = settings(false);
    own.uid = 1234;
    CHECK(render_ignition(own)["passwd"]["users"][0]["uid"] == 1234);
    CHECK(render_user_data(own).find("uid: 1234") != std::string::npos);
    auto host_uid = int(::getuid());
    CHECK(guest_user_uid() == (host_uid >= 1000 && host_uid < 60000 ? host_uid : 1000));
}

TEST_CASE("cloud-init user-data carries the same settings", "[provisioning]") {
    auto user_data = render_user_data(settings(false));
    CHECK(user_data.rfind("#cloud-config\n", 0) == 0);
    for (const char *expected :
         {"hostname: dev", "timezone: Europe/Berlin", "name: core", "uid: 1000",
          "- ssh-ed25519 AAAAclient machine-dev", "ssh_deletekeys: true",
          "ed25519_public: ssh-ed25519 AAAAhost root@dev", "ssh_pwauth: false",
          "[vol0, /src, 9p, \"trans=virtio,version=9p2000.L,msize=524288,cache=mmap,nofail\"",
          "loginctl enable-linger core", "echo Ready >/dev/virtio-ports/org.fedoraproject.port.0"})
        CHECK(user_data.find(expected) != std::string::npos);
    CHECK(user_data.find("BEGIN OPENSSH PRIVATE KEY") != std::string::npos);
    auto rootful = render_user_data(settings(true));
    CHECK(rootful.find("systemctl enable --now podman.socket") != std::string::npos);
    CHECK(rootful.find("/root/.ssh/authorized_keys") != std::string::npos);
    CHECK(render_meta_data(settings(false), "machine-dev") ==
          "instance-id: machine-dev\nlocal-hostname: dev\n");
    for (const char *expected : {"path: /etc/tmpfiles.d/machine-docker.conf",
                                 "L+ /run/docker.sock - - - - /run/user/1000/podman/podman.sock",
                                 "systemd-tmpfiles --create /etc/tmpfiles.d/machine-docker.conf"})
        CHECK(user_data.find(expected) != std::string::npos);
    CHECK(rootful.find("L+ /run/docker.sock - - - - /run/podman/podman.sock") != std::string::npos);
}

TEST_CASE("/var/run/docker.sock is the engine's socket, at every boot", "[provisioning]") {
    for (bool rootful : {false, true}) {
        auto engine = rootful ? "/run/podman/podman.sock" : "/run/user/1000/podman/podman.sock";
        auto ignition = render_ignition(settings(rootful));
        auto *tmpfiles =
            find_by(ignition["storage"]["files"], "path", "/etc/tmpfiles.d/machine-docker.conf");
        REQUIRE(tmpfiles);
        CHECK(decode_source(*tmpfiles) ==
              std::string("L+ /run/docker.sock - - - - ") + engine + "\n");
        auto *unit = find_by(ignition["systemd"]["units"], "name", "machine-docker-socket.service");
        REQUIRE(unit);
        CHECK((*unit)["enabled"] == true);
        CHECK((*unit)["contents"].get<std::string>().find(
                  "ExecStart=systemd-tmpfiles --create /etc/tmpfiles.d/machine-docker.conf\n") !=
              std::string::npos);
        CHECK_FALSE(find_by(ignition["storage"]["links"], "path", "/run/docker.sock"));
    }
}

TEST_CASE("the seed image is an ISO 9660 volume labelled cidata", "[provisioning]") {
    auto iso = std::filesystem::temp_directory_path() / "machine-seed-test.iso";
    write_seed_image(iso, "#cloud-config\n", "instance-id: x\n");
    std::ifstream in(iso, std::ios::binary);
    std::string image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(iso);
    REQUIRE(image.size() > 32768 + 72);
    CHECK(image.substr(32769, 5) == "CD001");
    auto label = image.substr(32768 + 40, 32);
    CHECK((label.rfind("CIDATA", 0) == 0 || label.rfind("cidata", 0) == 0));
    CHECK(image.find("instance-id: x") != std::string::npos);
}

TEST_CASE("ed25519 keys are written 0600 whatever the umask", "[provisioning]") {
    auto keys = generate_ed25519("test@machine");
    CHECK(keys.private_pem.rfind("-----BEGIN OPENSSH PRIVATE KEY-----", 0) == 0);
    CHECK(keys.public_line.rfind("ssh-ed25519 AAAA", 0) == 0);
    CHECK(keys.fingerprint.rfind("SHA256:", 0) == 0);
    CHECK(fingerprint_of(keys.public_line) == keys.fingerprint);
    CHECK(generate_ed25519("x").fingerprint != keys.fingerprint);
    auto path = std::filesystem::temp_directory_path() / "machine-key-test";
    auto old = ::umask(0);
    write_key_pair(keys, path);
    ::umask(old);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + ".pub");
}

TEST_CASE("paths with '%' and blanks stay literal in units and fstab", "[provisioning]") {
    auto s = settings(false);
    s.mounts = {{"/home/me/100% done", "/src/100% done", false}};
    auto ignition = render_ignition(s);
    auto *unit = find_by(ignition["systemd"]["units"], "name", mount_unit_name("/src/100% done"));
    REQUIRE(unit);
    CHECK((*unit)["contents"].get<std::string>().find("Where=/src/100%% done\n") !=
          std::string::npos);
    CHECK((*unit)["contents"].get<std::string>().find("Host folder /home/me/100%% done\n") !=
          std::string::npos);
    CHECK(render_user_data(s).find("[vol0, /src/100%\\040done, 9p,") != std::string::npos);
}

TEST_CASE("virtiofs shares and Apple's Rosetta, as vfkit and krunkit give them", "[provisioning]") {
    auto s = settings(false);
    s.share_type = "virtiofs";
    s.rosetta = true;
    auto ignition = render_ignition(s);
    const auto &units = ignition["systemd"]["units"];
    auto contents = [&](const std::string &name) {
        auto *unit = find_by(units, "name", name);
        REQUIRE(unit);
        return (*unit)["contents"].get<std::string>();
    };
    CHECK(contents(mount_unit_name("/src"))
              .find("[Mount]\nWhat=vol0\nWhere=/src\nType=virtiofs\n"
                    "Options=defaults\n") != std::string::npos);
    CHECK(contents(mount_unit_name("/mnt/a-b"))
              .find("What=vol1\nWhere=/mnt/a-b\nType=virtiofs\nOptions=ro\n") != std::string::npos);

    // Rosetta: its share mounted when the unit that registers it with binfmt_misc asks.
    CHECK(contents("mnt-rosetta.mount") == "[Unit]\nDescription=Apple's Rosetta, shared by the "
                                           "host\n\n[Mount]\nWhat=rosetta\nWhere=/mnt/rosetta\n"
                                           "Type=virtiofs\nOptions=ro\n");
    CHECK_FALSE(find_by(units, "name", "mnt-rosetta.mount")->contains("enabled"));
    CHECK(contents("rosetta-binfmt.service") ==
          "[Unit]\nDescription=Run x86_64 programs through Rosetta\nRequires=mnt-rosetta.mount\n"
          "After=mnt-rosetta.mount\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"
          "ExecStart=/usr/lib/systemd/systemd-binfmt /etc/machine/rosetta.binfmt\n\n"
          "[Install]\nWantedBy=multi-user.target\n");
    CHECK((*find_by(units, "name", "rosetta-binfmt.service"))["enabled"] == true);
    auto *binfmt = find_by(ignition["storage"]["files"], "path", "/etc/machine/rosetta.binfmt");
    REQUIRE(binfmt);
    CHECK(decode_source(*binfmt) ==
          R"(:rosetta:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00:)"
          R"(\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:)"
          "/mnt/rosetta/rosetta:CF\n");

    auto user_data = render_user_data(s);
    CHECK(user_data.find("[vol0, /src, virtiofs, \"defaults,nofail\", 0, 0]") != std::string::npos);
    CHECK(user_data.find("[vol1, /mnt/a-b, virtiofs, \"defaults,ro,nofail\", 0, 0]") !=
          std::string::npos);

    s.rosetta = false; // and without it, nothing of it
    CHECK(render_ignition(s).dump().find("rosetta") == std::string::npos);
}

TEST_CASE("the host's proxy and CA certificates reach systemd, login shells and the trust store",
          "[provisioning][proxy]") {
    auto s = settings(false);
    s.proxy = {"http://10.0.2.2:3128", "http://10.0.2.2:3129", "localhost,.corp"};
    s.ca_certs = "-----BEGIN CERTIFICATE-----\nQUFB\n-----END CERTIFICATE-----\n";
    auto ignition = render_ignition(s);
    auto &files = ignition["storage"]["files"];
    auto defaults = std::string("# The host's proxy, given at `machine init`.\n[Manager]\n"
                                "DefaultEnvironment=\"HTTP_PROXY=http://10.0.2.2:3128\" "
                                "\"http_proxy=http://10.0.2.2:3128\" "
                                "\"HTTPS_PROXY=http://10.0.2.2:3129\" "
                                "\"https_proxy=http://10.0.2.2:3129\" "
                                "\"NO_PROXY=localhost,.corp\" \"no_proxy=localhost,.corp\"\n");
    for (const char *path : {"/etc/systemd/system.conf.d/50-machine-proxy.conf",
                             "/etc/systemd/user.conf.d/50-machine-proxy.conf"}) {
        INFO(path);
        auto *file = find_by(files, "path", path);
        REQUIRE(file);
        CHECK(decode_source(*file) == defaults);
    }
    auto *profile = find_by(files, "path", "/etc/profile.d/machine-proxy.sh");
    REQUIRE(profile);
    CHECK(decode_source(*profile).find("export https_proxy='http://10.0.2.2:3129'\n") !=
          std::string::npos);
    for (const char *path :
         {"/usr/local/share/ca-certificates/machine.crt", "/etc/ssl/certs/machine-ca-certs.pem"}) {
        INFO(path);
        auto *certs = find_by(files, "path", path);
        REQUIRE(certs);
        CHECK(decode_source(*certs) == s.ca_certs);
    }
    auto *unit = find_by(ignition["systemd"]["units"], "name", "machine-ca-certs.service");
    REQUIRE(unit);
    CHECK((*unit)["enabled"] == true);
    CHECK((*unit)["contents"].get<std::string>().find(
              "ExecStart=/usr/sbin/update-ca-certificates\n") != std::string::npos);

    auto user_data = render_user_data(s);
    for (const char *expected :
         {"path: /etc/systemd/user.conf.d/50-machine-proxy.conf", "\"NO_PROXY=localhost,.corp\"",
          "path: /usr/local/share/ca-certificates/machine.crt", "- update-ca-certificates",
          "- systemctl daemon-reload"})
        CHECK(user_data.find(expected) != std::string::npos);

    // Without them: the files say nothing (a later config may have to empty them), and no unit
    // runs update-ca-certificates at the first boot.
    auto plain = render_ignition(settings(false));
    auto *none = find_by(plain["storage"]["files"], "path",
                         "/etc/systemd/system.conf.d/50-machine-proxy.conf");
    REQUIRE(none);
    CHECK(decode_source(*none).find("DefaultEnvironment") == std::string::npos);
    auto *no_certs =
        find_by(plain["storage"]["files"], "path", "/usr/local/share/ca-certificates/machine.crt");
    REQUIRE(no_certs);
    CHECK(decode_source(*no_certs).empty());
    CHECK_FALSE(find_by(plain["systemd"]["units"], "name", "machine-ca-certs.service"));
    CHECK(render_user_data(settings(false)).find("update-ca-certificates") == std::string::npos);
}

TEST_CASE("the host's names resolve to its address in the guest, and rootless containers reach it",
          "[provisioning][host-names]") {
    auto s = settings(false);
    s.host_address = "10.0.2.2";
    auto ignition = render_ignition(s);
    auto *hosts = find_by(ignition["storage"]["files"], "path", "/etc/hosts");
    REQUIRE(hosts);
    auto text = decode_source(*hosts);
    CHECK(text.rfind("127.0.0.1\tlocalhost\n", 0) == 0);
    CHECK(text.find("\n10.0.2.2\thost.docker.internal host.containers.internal\n") !=
          std::string::npos);
    auto *conf = find_by(ignition["storage"]["files"], "path",
                         "/etc/containers/containers.conf.d/50-machine-host.conf");
    REQUIRE(conf);
    CHECK(decode_source(*conf).find("network_cmd_options = [\"cidr=10.0.3.0/24\"]\n") !=
          std::string::npos);
    CHECK(render_user_data(s).find("host.docker.internal host.containers.internal") !=
          std::string::npos);

    // gvproxy's host address does not clash with slirp4netns's range; an unknown one names nothing.
    s.host_address = "192.168.127.254";
    auto gvproxy = render_ignition(s);
    CHECK(decode_source(*find_by(gvproxy["storage"]["files"], "path", "/etc/hosts"))
              .find("192.168.127.254\thost.docker.internal") != std::string::npos);
    CHECK_FALSE(find_by(gvproxy["storage"]["files"], "path",
                        "/etc/containers/containers.conf.d/50-machine-host.conf"));
    s.host_address.clear();
    auto unknown = render_ignition(s);
    CHECK(decode_source(*find_by(unknown["storage"]["files"], "path", "/etc/hosts"))
              .find("host.docker.internal") == std::string::npos);
}

// What `systemctl enable` would read from a unit file, and the links it would make.
#include "provisioning/agent/unit_file.h"

#include <catch2/catch.hpp>

using namespace machine::agent;

TEST_CASE("the [Install] section is read as systemd reads it", "[agent]") {
    auto install = parse_install_section("[Unit]\n"
                                         "Description=WantedBy=not.this\n"
                                         "WantedBy=nor-this.target\n"
                                         "\n"
                                         "[Install]\n"
                                         "# WantedBy=commented.target\n"
                                         "WantedBy=multi-user.target  default.target\n"
                                         "WantedBy = sockets.target\n"
                                         "RequiredBy=a.target \\\n"
                                         "  b.target\n"
                                         "Alias=sshd.service\n"
                                         "Also=other.socket\n"
                                         "[Service]\n"
                                         "WantedBy=ignored.target\n");
    CHECK(install.wanted_by ==
          std::vector<std::string>{"multi-user.target", "default.target", "sockets.target"});
    CHECK(install.required_by == std::vector<std::string>{"a.target", "b.target"});
    CHECK(install.alias == std::vector<std::string>{"sshd.service"});
    CHECK(install.also == std::vector<std::string>{"other.socket"});
}

TEST_CASE("an empty assignment clears the list, as in systemd", "[agent]") {
    auto install =
        parse_install_section("[Install]\nWantedBy=a.target\nWantedBy=\nWantedBy=b.target\r\n");
    CHECK(install.wanted_by == std::vector<std::string>{"b.target"});
    CHECK(parse_install_section("[Unit]\nDescription=x\n").wanted_by.empty());
    CHECK(parse_install_section("").wanted_by.empty());
}

TEST_CASE("enabling links the unit into each target's .wants and .requires, and aliases",
          "[agent]") {
    InstallSection install;
    install.wanted_by = {"sockets.target"};
    install.required_by = {"local-fs.target"};
    install.alias = {"api.socket"};
    CHECK(enable_links("podman.socket", "/lib/systemd/system/podman.socket", install) ==
          std::vector<SymlinkSpec>{
              {"/etc/systemd/system/sockets.target.wants/podman.socket",
               "/lib/systemd/system/podman.socket"},
              {"/etc/systemd/system/local-fs.target.requires/podman.socket",
               "/lib/systemd/system/podman.socket"},
              {"/etc/systemd/system/api.socket", "/lib/systemd/system/podman.socket"},
          });
}

TEST_CASE("a template is enabled as its default instance, or not at all", "[agent]") {
    InstallSection install;
    install.wanted_by = {"multi-user.target"};
    CHECK(enable_links("getty@.service", "/lib/systemd/system/getty@.service", install).empty());
    install.default_instance = "tty1";
    CHECK(
        enable_links("getty@.service", "/lib/systemd/system/getty@.service", install) ==
        std::vector<SymlinkSpec>{{"/etc/systemd/system/multi-user.target.wants/getty@tty1.service",
                                  "/lib/systemd/system/getty@.service"}});
    CHECK(
        enable_links("getty@tty2.service", "/lib/systemd/system/getty@.service", install) ==
        std::vector<SymlinkSpec>{{"/etc/systemd/system/multi-user.target.wants/getty@tty2.service",
                                  "/lib/systemd/system/getty@.service"}});
    CHECK(template_of("getty@tty2.service") == "getty@.service");
    CHECK(template_of("getty@.service").empty());
    CHECK(template_of("ssh.service").empty());
}

TEST_CASE("unit names are checked like systemd checks them", "[agent]") {
    for (auto name : {"podman.socket", "-.mount", "home-core-src.mount", "getty@tty1.service",
                      "getty@.service", "dev-virtio\\x2dports-x.device", "machine.slice"})
        CHECK(valid_unit_name(name));
    for (auto name : {"", "podman", ".service", "a/b.service", "a.conf", "a b.service",
                      "@x.service", "a@b@c.service", "../../etc/passwd.service"})
        CHECK_FALSE(valid_unit_name(name));
}

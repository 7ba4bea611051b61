// The WSL provider's wsl.exe command lines as golden argv lists (with their stdin and WSL_UTF8=1),
// the wsl.conf it writes and the Ignition config as WSL applies it.
#include "machine/command.h"
#include "machine/errors.h"
#include "providers/wsl/wsl_commands.h"
#include "providers/wsl/wsl_conf.h"
#include "providers/wsl/wsl_ignition.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace machine;
using Args = std::vector<std::string>;
using Env = std::map<std::string, std::string>;

namespace {

const Env utf8{{"WSL_UTF8", "1"}};

} // namespace

TEST_CASE("golden: the distribution of a machine", "[wsl]") {
    CHECK(wsl_distribution("default") == "machine-default");
    CHECK(wsl_distribution("dev.box_2") == "machine-dev.box_2");
}

TEST_CASE("golden: wsl --import of the root filesystem tarball", "[wsl]") {
    auto command = wsl_import("machine-dev", "C:\\Users\\me\\AppData\\Local\\machine\\dev\\wsl",
                              "C:\\cache\\sha256-ab.tar");
    CHECK(command ==
          Command{"wsl.exe",
                  {"--import", "machine-dev", "C:\\Users\\me\\AppData\\Local\\machine\\dev\\wsl",
                   "C:\\cache\\sha256-ab.tar", "--version", "2"},
                  utf8,
                  ""});
}

TEST_CASE("golden: the setup before systemd first boots, wsl.conf on stdin", "[wsl]") {
    auto command = wsl_setup("machine-dev", "[boot]\nsystemd=true\n");
    CHECK(command.program == "wsl.exe");
    CHECK(command.env == utf8);
    CHECK(command.input == "[boot]\nsystemd=true\n");
    CHECK(command.args ==
          Args{"-d", "machine-dev", "-u", "root", "--exec", "/bin/sh", "-c",
               "set -e; umask 022; cat >/etc/wsl.conf; rm -f /etc/resolv.conf; for unit in "
               "\"$@\"; do ln -sfn /dev/null \"/etc/systemd/system/$unit\"; done",
               "sh", "systemd-networkd.service", "systemd-networkd.socket",
               "systemd-resolved.service", "machine-agent.service", "machine-api.service"});
}

TEST_CASE("golden: the agent applies the config from stdin and says Ready on stdout", "[wsl]") {
    auto init = wsl_provision("machine-dev", "{\"ignition\":{}}\n", false);
    CHECK(init ==
          Command{"wsl.exe",
                  {"-d", "machine-dev", "-u", "root", "--exec", "/usr/local/bin/machine-agent",
                   "--config", "/dev/stdin", "--ready-port", "/dev/stdout", "--no-wait"},
                  utf8,
                  "{\"ignition\":{}}\n"});
    auto start = wsl_provision("machine-dev", "{}", true);
    CHECK(start.args == Args{"-d", "machine-dev", "-u", "root", "--exec",
                             "/usr/local/bin/machine-agent", "--config", "/dev/stdin",
                             "--ready-port", "/dev/stdout"});
    CHECK(start.input == "{}");
}

TEST_CASE("golden: machine-mux over the agent's stdio, no shell in between", "[wsl]") {
    CHECK(wsl_mux_stdio("machine-dev") == Command{"wsl.exe",
                                                  {"-d", "machine-dev", "-u", "root", "--exec",
                                                   "/usr/local/bin/machine-agent", "--mux-stdio"},
                                                  utf8,
                                                  ""});
}

TEST_CASE("golden: terminate, unregister and the two lists", "[wsl]") {
    CHECK(wsl_terminate("machine-dev") ==
          Command{"wsl.exe", {"--terminate", "machine-dev"}, utf8, ""});
    CHECK(wsl_unregister("machine-dev") ==
          Command{"wsl.exe", {"--unregister", "machine-dev"}, utf8, ""});
    CHECK(wsl_list_running() == Command{"wsl.exe", {"--list", "--quiet", "--running"}, utf8, ""});
    CHECK(wsl_list_all() == Command{"wsl.exe", {"--list", "--quiet"}, utf8, ""});
}

TEST_CASE("golden: wsl.conf turns systemd on and names the default user", "[wsl]") {
    CHECK(render_wsl_conf("core") ==
          "# Written by machine when it made this distribution; WSL reads it at every start.\n"
          "[boot]\n"
          "# systemd as PID 1: sshd, the podman socket and the user's manager, as in every "
          "machine\n"
          "systemd=true\n"
          "\n"
          "[user]\n"
          "default=core\n"
          "\n"
          "[network]\n"
          "# WSL configures eth0 and writes resolv.conf and hosts; networkd and resolved are "
          "masked\n"
          "generateResolvConf=true\n"
          "generateHosts=true\n"
          "\n"
          "[automount]\n"
          "# the Windows drives, under /mnt (C: is /mnt/c): WSL's own share of host folders\n"
          "enabled=true\n"
          "root=/mnt/\n");
}

TEST_CASE("the Ignition config for WSL drops the virtio-serial Ready unit and the hostname",
          "[wsl]") {
    nlohmann::json config = {
        {"ignition", {{"version", "3.4.0"}}},
        {"passwd", {{"users", {{{"name", "core"}, {"uid", 1000}}}}}},
        {"storage",
         {{"files",
           {{{"path", "/etc/hostname"}, {"mode", 420}},
            {{"path", "/etc/sudoers.d/machine"}, {"mode", 288}}}}}},
        {"systemd",
         {{"units",
           {{{"name", "podman.socket"}, {"enabled", true}},
            {{"name", "machine-ready.service"}, {"enabled", true}, {"contents", "[Unit]\n"}}}}}}};
    auto adjusted = nlohmann::json::parse(wsl_ignition(config.dump()));
    CHECK(adjusted["systemd"]["units"] ==
          nlohmann::json::array({{{"name", "podman.socket"}, {"enabled", true}}}));
    CHECK(adjusted["storage"]["files"] ==
          nlohmann::json::array({{{"path", "/etc/sudoers.d/machine"}, {"mode", 288}}}));
    CHECK(adjusted["passwd"] == config["passwd"]); // the rest as rendered
    CHECK(adjusted["ignition"] == config["ignition"]);

    // Sections that are not there stay away; what is not an object is refused.
    CHECK(nlohmann::json::parse(wsl_ignition("{\"ignition\":{\"version\":\"3.4.0\"}}")) ==
          nlohmann::json{{"ignition", {{"version", "3.4.0"}}}});
    CHECK_THROWS_AS(wsl_ignition("[]"), Error);
    CHECK_THROWS_AS(wsl_ignition("{"), Error);
}

TEST_CASE("golden: `machine ssh` into a distribution: a login shell, or a command line", "[wsl]") {
    CHECK(wsl_login("machine-dev", "core", "") ==
          Command{"wsl.exe", {"-d", "machine-dev", "-u", "core", "--cd", "~"}, {}, ""});
    CHECK(wsl_login("machine-dev", "core", "uname -a | tr a-z A-Z") ==
          Command{"wsl.exe",
                  {"-d", "machine-dev", "-u", "core", "--cd", "~", "--exec", "/bin/sh", "-c",
                   "uname -a | tr a-z A-Z"},
                  {},
                  ""});
}

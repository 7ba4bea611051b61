// qemu-img command lines as golden argv lists, and how commands are shown in logs.
#include "machine/command.h"
#include "providers/qemu/qemu_img_command.h"

#include <catch2/catch.hpp>

using namespace machine;
using Args = std::vector<std::string>;

TEST_CASE("golden: a qcow2 overlay backed by a raw image", "[qemu][qemu_img]") {
    auto command =
        qemu_img_create_overlay("/images/fcos.raw", "raw", "/data/machines/dev/disk.qcow2", 100);
    CHECK(command.program == "qemu-img");
    CHECK(command.env.empty());
    CHECK(command.args == Args{"create", "-q", "-f", "qcow2", "-F", "raw", "-b", "/images/fcos.raw",
                               "/data/machines/dev/disk.qcow2", "100G"});
}

TEST_CASE("golden: a qcow2 overlay backed by a qcow2 image with odd paths", "[qemu][qemu_img]") {
    auto command = qemu_img_create_overlay("/images/with space,comma.qcow2", "qcow2",
                                           "/data/my disk.qcow2", 1);
    CHECK(command.args == Args{"create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                               "/images/with space,comma.qcow2", "/data/my disk.qcow2", "1G"});
}

TEST_CASE("golden: growing a disk", "[qemu][qemu_img]") {
    auto command = qemu_img_resize("/data/machines/dev/disk.qcow2", 65536);
    CHECK(command ==
          Command{"qemu-img",
                  {"resize", "-q", "-f", "qcow2", "/data/machines/dev/disk.qcow2", "65536G"},
                  {}});
}

TEST_CASE("display() quotes only the words a shell would split", "[command]") {
    Command command{
        "qemu-img", {"create", "-b", "/a b/c", "it's", "", "a=b,c:d@e%f+g", "$HOME", "x;y"}, {}};
    CHECK(command.display() ==
          "qemu-img create -b '/a b/c' 'it'\\''s' '' a=b,c:d@e%f+g '$HOME' 'x;y'");
    CHECK(Command{"/usr/bin/true", {}, {}}.display() == "/usr/bin/true");
}

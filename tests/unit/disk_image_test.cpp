// Recognizing disk images by their first bytes, and the kernel, initrd and manifest beside them.
#include "../helpers/disk_bytes.h"
#include "../helpers/temp_dir.h"
#include "machine/disk_image.h"
#include "machine/errors.h"
#include "platform/process_runner.h"
#include "thrown.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace machine;
using machine::test::one_line;
using machine::test::thrown;
namespace fs = std::filesystem;
using machine::test::TempDir;

namespace {

std::string qcow2_header(std::uint64_t virtual_size, std::size_t length = 512) {
    return test::as_qcow2(std::string(length, '\0'), virtual_size);
}

std::string mbr_disk(std::size_t length) {
    return test::as_mbr(std::string(length, '\0'));
}

std::string gpt_disk(std::size_t length) {
    std::string bytes(length, '\0');
    bytes.replace(512, 8, "EFI PART");
    return bytes;
}

void check_rejected(const fs::path &path, const std::string &problem) {
    auto error = thrown<InvalidInput>([&] { inspect_disk_image(path); });
    CHECK(error.field() == "--image");
    CHECK_THAT(error.what(), Catch::Contains(path.string()) && Catch::Contains(problem) &&
                                 Catch::Contains("qcow2, raw or VHDX"));
    CHECK(one_line(error.what()));
}

} // namespace

TEST_CASE("a qcow2 image is recognized with its virtual size", "[disk_image]") {
    TempDir dir;
    auto info = inspect_disk_image(dir.write("fcos.qcow2", qcow2_header(20ull << 30)));
    CHECK(info.format == "qcow2");
    CHECK(info.virtual_size == 20ull << 30);
    CHECK(info.kernel.empty());
    CHECK(info.initrd.empty());
    CHECK(info.kernel_cmdline.empty());
    CHECK(info.provisioning.empty());
}

TEST_CASE("the qcow2 size is read big-endian in full 64 bits", "[disk_image]") {
    TempDir dir;
    auto size =
        GENERATE(std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0x0102030405060708}, UINT64_MAX);
    CHECK(inspect_disk_image(dir.write("a.img", qcow2_header(size))).virtual_size == size);
}

TEST_CASE("a qcow2 image is recognized from its content, not its name", "[disk_image]") {
    TempDir dir;
    CHECK(inspect_disk_image(dir.write("disk.raw", qcow2_header(1 << 30))).format == "qcow2");
    CHECK(inspect_disk_image(dir.write("noext", qcow2_header(1 << 30, 32))).format == "qcow2");
}

TEST_CASE("a raw disk with an MBR is recognized with its file size", "[disk_image]") {
    TempDir dir;
    auto info = inspect_disk_image(dir.write("disk.img", mbr_disk(4096)));
    CHECK(info.format == "raw");
    CHECK(info.virtual_size == 4096);
}

TEST_CASE("a raw disk with a GPT header is recognized", "[disk_image]") {
    TempDir dir;
    auto info = inspect_disk_image(dir.write("disk.raw", gpt_disk(8192)));
    CHECK(info.format == "raw");
    CHECK(info.virtual_size == 8192);
}

TEST_CASE("a sparse raw disk reports its full size", "[disk_image]") {
    TempDir dir;
    auto path = dir.write("sparse.raw", mbr_disk(1024));
    fs::resize_file(path, 10ull << 30);
    CHECK(inspect_disk_image(path).virtual_size == 10ull << 30);
}

TEST_CASE("a raw disk of one 512-byte sector with an MBR is recognized", "[disk_image]") {
    // The check needs 520 bytes for both signatures, so a one-sector MBR disk is rejected.
    TempDir dir;
    CHECK(inspect_disk_image(dir.write("one-sector.raw", mbr_disk(512))).format == "raw");
}

TEST_CASE("files that are not disk images are rejected", "[disk_image]") {
    TempDir dir;
    auto [name, bytes] = GENERATE(
        std::pair<std::string, std::string>{"notes.txt", "hello, this is text\n"},
        std::pair<std::string, std::string>{"empty.img", ""},
        std::pair<std::string, std::string>{"zeros.img", std::string(4096, '\0')},
        std::pair<std::string, std::string>{"short.qcow2", "QFI\xfb"},
        std::pair<std::string, std::string>{"almost.qcow2", "QFI\xfa" + std::string(508, '\0')},
        std::pair<std::string, std::string>{"iso.iso", std::string(1024, 'x')},
        std::pair<std::string, std::string>{"half-mbr.img", mbr_disk(511)});
    CAPTURE(name);
    check_rejected(dir.write(name, bytes), "is not a disk image");
}

TEST_CASE("a folder is rejected", "[disk_image]") {
    TempDir dir;
    check_rejected(dir.path, "is a folder");
}

TEST_CASE("a missing path is rejected", "[disk_image]") {
    TempDir dir;
    check_rejected(dir.path / "missing.qcow2", "does not exist");
    check_rejected(dir.path / "no" / "such" / "dir.qcow2", "does not exist");
}

TEST_CASE("a symlink to an image is followed", "[disk_image]") {
    TempDir dir;
    auto target = dir.write("real.qcow2", qcow2_header(5ull << 30));
    fs::create_symlink(target, dir.path / "link.qcow2");
    CHECK(inspect_disk_image(dir.path / "link.qcow2").format == "qcow2");
}

TEST_CASE("a kernel and an initrd beside the image are found", "[disk_image]") {
    TempDir dir;
    auto image = dir.write("fcos.qcow2", qcow2_header(10ull << 30));
    dir.write("vmlinuz", "kernel");
    SECTION("initrd") {
        dir.write("initrd", "initrd");
        auto info = inspect_disk_image(image);
        CHECK(info.kernel == (dir.path / "vmlinuz").string());
        CHECK(info.initrd == (dir.path / "initrd").string());
    }
    SECTION("initrd.img") {
        dir.write("initrd.img", "initrd");
        CHECK(inspect_disk_image(image).initrd == (dir.path / "initrd.img").string());
    }
    SECTION("initrd is preferred over initrd.img") {
        dir.write("initrd", "initrd");
        dir.write("initrd.img", "initrd");
        CHECK(inspect_disk_image(image).initrd == (dir.path / "initrd").string());
    }
    SECTION("no initrd") {
        auto info = inspect_disk_image(image);
        CHECK(info.kernel == (dir.path / "vmlinuz").string());
        CHECK(info.initrd.empty());
    }
}

TEST_CASE("folders named like a kernel or initrd are not taken for one", "[disk_image]") {
    TempDir dir;
    auto image = dir.write("disk.raw", mbr_disk(1024));
    fs::create_directory(dir.path / "vmlinuz");
    fs::create_directory(dir.path / "initrd");
    auto info = inspect_disk_image(image);
    CHECK(info.kernel.empty());
    CHECK(info.initrd.empty());
}

TEST_CASE("a manifest beside the image gives the command line and provisioning", "[disk_image]") {
    TempDir dir;
    auto image = dir.write("disk.qcow2", qcow2_header(1 << 30));
    SECTION("both") {
        dir.write("manifest.json",
                  R"({"kernel_cmdline": "rw quiet", "provisioning": "cloud-init", "x": 1})");
        auto info = inspect_disk_image(image);
        CHECK(info.kernel_cmdline == "rw quiet");
        CHECK(info.provisioning == "cloud-init");
    }
    SECTION("neither") {
        dir.write("manifest.json", "{}");
        auto info = inspect_disk_image(image);
        CHECK(info.kernel_cmdline.empty());
        CHECK(info.provisioning.empty());
    }
    SECTION("not JSON") {
        auto manifest = dir.write("manifest.json", "{not json");
        auto error = thrown<InvalidInput>([&] { inspect_disk_image(image); });
        CHECK(error.field() == "--image");
        CHECK_THAT(error.what(), Catch::Contains(manifest.string()));
    }
    SECTION("not an object") {
        dir.write("manifest.json", "[1, 2]");
        CHECK(thrown<InvalidInput>([&] { inspect_disk_image(image); }).field() == "--image");
    }
}

TEST_CASE("a manifest with values of the wrong type is an InvalidInput", "[disk_image]") {
    // json.value("kernel_cmdline", "") throws nlohmann::json::type_error for a number, which is
    // not a machine::Error.
    TempDir dir;
    auto image = dir.write("disk.qcow2", qcow2_header(1 << 30));
    dir.write("manifest.json", R"({"kernel_cmdline": 42, "provisioning": ["ignition"]})");
    CHECK(thrown<InvalidInput>([&] { inspect_disk_image(image); }).field() == "--image");
}

TEST_CASE("a root filesystem tarball is recognized as tar, with no disk size of its own",
          "[disk_image]") {
    TempDir dir;
    dir.write("tree/etc/os-release", "ID=debian\n");
    auto tarball = dir.path / "rootfs.tar";
    REQUIRE(
        std::system(("tar -cf " + tarball.string() + " -C " + (dir.path / "tree").string() + " .")
                        .c_str()) == 0);
    auto info = inspect_disk_image(tarball);
    CHECK(info.format == "tar");
    CHECK(info.virtual_size == 0);
    // Only the magic at its place counts: "ustar" anywhere else is no tarball.
    check_rejected(dir.write("not.tar", "ustar" + std::string(1019, '\0')), "is not a disk image");
}

TEST_CASE("a VHDX made by qemu-img is recognized with its virtual size", "[disk_image]") {
    TempDir dir;
    auto vhdx = dir.path / "disk.vhdx";
    platform::SpawnProcessRunner runner;
    runner.check({"qemu-img", {"create", "-q", "-f", "vhdx", vhdx.string(), "3G"}, {}});
    auto info = inspect_disk_image(vhdx);
    CHECK(info.format == "vhdx");
    CHECK(info.virtual_size == 3ull << 30);

    // Another size, so the size is read, not assumed (qemu-img cannot resize a VHDX).
    auto other = dir.path / "other.vhdx";
    runner.check({"qemu-img", {"create", "-q", "-f", "vhdx", other.string(), "1025M"}, {}});
    CHECK(inspect_disk_image(other).virtual_size == 1025ull << 20);
}

TEST_CASE("a VHDX cut short or without its metadata is rejected", "[disk_image]") {
    TempDir dir;
    auto vhdx = dir.path / "disk.vhdx";
    platform::SpawnProcessRunner runner;
    runner.check({"qemu-img", {"create", "-q", "-f", "vhdx", vhdx.string(), "1G"}, {}});
    std::ifstream in(vhdx, std::ios::binary);
    std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

    // Only the file identifier and the headers: no region table.
    check_rejected(dir.write("short.vhdx", whole.substr(0, 192 * 1024)),
                   "is a VHDX whose metadata is missing or damaged");
    // The region table's signature broken.
    auto broken = whole;
    broken[192 * 1024] = 'X';
    check_rejected(dir.write("broken.vhdx", broken),
                   "is a VHDX whose metadata is missing or damaged");
    // Just the signature.
    check_rejected(dir.write("signature.vhdx", "vhdxfile"),
                   "is a VHDX whose metadata is missing or damaged");
}

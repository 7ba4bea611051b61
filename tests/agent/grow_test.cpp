// Growing the root filesystem: finding the root mount in mountinfo, reading an ext
// superblock's size (synthetic and one made by mke2fs), and when a grow is due.
#include "../reliability/tally.h"
#include "agent_test_support.h"
#include "provisioning/agent/files.h"
#include "provisioning/agent/grow.h"
#include "provisioning/agent/unique_fd.h"

#include <fcntl.h>
#include <fstream>

using namespace machine::agent;
using namespace machine::agent::test;

namespace {

void put32(std::string &bytes, std::size_t offset, std::uint32_t value) {
    for (int i = 0; i < 4; ++i)
        bytes[offset + static_cast<std::size_t>(i)] = static_cast<char>((value >> (8 * i)) & 0xff);
}

std::string superblock(std::uint32_t blocks, std::uint32_t log_block_size, std::uint32_t high = 0) {
    std::string bytes(1024, '\0');
    put32(bytes, 0x04, blocks);
    put32(bytes, 0x18, log_block_size);
    bytes[0x38] = '\x53';
    bytes[0x39] = '\xef';
    if (high) {
        put32(bytes, 0x60, 0x80);
        put32(bytes, 0x150, high);
    }
    return bytes;
}

} // namespace

TEST_CASE("the root mount is found in mountinfo", "[agent]") {
    auto mount =
        root_mount("22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
                   "1 0 254:0 / / rw,relatime shared:1 - ext4 /dev/root rw,errors=remount-ro\n"
                   "25 1 0:5 / /dev rw,nosuid shared:2 - devtmpfs devtmpfs rw\n");
    REQUIRE(mount);
    CHECK(mount->major == 254);
    CHECK(mount->minor == 0);
    CHECK(mount->source == "/dev/root");
    CHECK(mount->fstype == "ext4");
}

TEST_CASE("the last mount on / wins, and escapes and optional fields are read", "[agent]") {
    auto mount = root_mount("1 0 254:1 / / rw - ext4 /dev/vda1 rw\n"
                            "2 1 0:30 / / rw shared:1 master:2 - overlay over\\040lay rw\n"
                            "3 1 0:31 / /my\\040root rw - tmpfs tmpfs rw\n");
    REQUIRE(mount);
    CHECK(mount->fstype == "overlay");
    CHECK(mount->source == "over lay");
    CHECK_FALSE(root_mount("22 1 0:21 / /proc rw - proc proc rw\n"));
    CHECK_FALSE(root_mount("garbage\n\n1 0 x:y / / rw - ext4 /dev/vda rw\n"));
}

TEST_CASE("an ext superblock gives the filesystem's size", "[agent]") {
    auto size = ext_superblock_size(superblock(1048576, 2)); // 4 KiB blocks
    REQUIRE(size);
    CHECK(size->block_size == 4096);
    CHECK(size->bytes() == 4ull << 30);
    auto big = ext_superblock_size(superblock(0, 2, 1)); // 64bit: 2^32 blocks
    REQUIRE(big);
    CHECK(big->bytes() == 16ull << 40);
    CHECK_FALSE(ext_superblock_size(std::string(1024, '\0')));
    CHECK_FALSE(ext_superblock_size(superblock(1, 2).substr(0, 100)));
    CHECK_FALSE(ext_superblock_size(superblock(1, 30)));
}

TEST_CASE("a grow is due only when the disk has room for another block", "[agent]") {
    ExtSize four_gib{1048576, 4096};
    CHECK(needs_grow(four_gib, 100ull << 30));
    CHECK_FALSE(needs_grow(four_gib, 4ull << 30));
    CHECK_FALSE(needs_grow(four_gib, (4ull << 30) + 4095));
    CHECK(needs_grow(four_gib, (4ull << 30) + 4096));
}

TEST_CASE("the size of a filesystem made by mke2fs is read from its superblock", "[agent]") {
    const char *mke2fs = nullptr;
    for (auto path : {"/usr/sbin/mke2fs", "/sbin/mke2fs"})
        if (fs::exists(path))
            mke2fs = path;
    if (!mke2fs) {
        machine::test::skip("mke2fs is not installed (e2fsprogs)");
        return;
    }
    TempDir dir;
    auto image = dir.path() / "disk.raw";
    {
        UniqueFd fd(::open(image.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
        REQUIRE(fd);
        REQUIRE(::ftruncate(fd.get(), 64 << 20) == 0);
    }
    SpawnSystem().run({mke2fs, "-q", "-F", "-t", "ext4", "-b", "4096", image.string(), "32M"});
    std::string bytes(1024, '\0');
    UniqueFd fd(::open(image.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(::pread(fd.get(), bytes.data(), bytes.size(), 1024) == 1024);
    auto size = ext_superblock_size(bytes);
    REQUIRE(size);
    CHECK(size->bytes() == 32u << 20);
    CHECK(needs_grow(*size, 64u << 20));
    CHECK_FALSE(needs_grow(*size, 32u << 20));
}

TEST_CASE("a GPT partition grows only when the disk grew under it", "[agent]") {
    // Our image: the root partition from 1 MiB + 64 MiB to the end of a 4 GiB disk.
    PartitionPlace root{"/dev/vda", true, 2, 133120, 8255455, 8388608};
    CHECK_FALSE(partition_can_grow(root));
    root.disk_sectors = 20ull << 21; // `machine init --disk-size 20`
    CHECK(partition_can_grow(root));
    root.gpt = false; // an MBR disk is left alone
    CHECK_FALSE(partition_can_grow(root));
}

TEST_CASE("growing a partition moves the backup GPT, extends it, and tells the kernel", "[agent]") {
    RecordingSystem system;
    for (const auto &step : partition_grow_steps({"/dev/sda", true, 2, 133120, 1, 1}))
        system.run_with_input(step.argv, step.input);
    CHECK(system.commands() ==
          std::vector<Argv>{
              {"sfdisk", "--force", "--relocate", "gpt-bak-std", "/dev/sda"},
              {"sfdisk", "--force", "--no-reread", "--no-tell-kernel", "-N", "2", "/dev/sda"},
              {"partx", "--update", "--nr", "2", "/dev/sda"}});
    CHECK(system.inputs() == std::vector<std::string>{"", ", +\n", ""});
}

TEST_CASE("sfdisk's steps grow the last partition of a real GPT image that grew", "[agent]") {
    if (!fs::exists("/usr/sbin/sfdisk") && !fs::exists("/sbin/sfdisk")) {
        machine::test::skip("sfdisk is not installed (fdisk)");
        return;
    }
    TempDir dir;
    auto image = dir.path() / "disk.raw";
    std::ofstream(image).close();
    fs::resize_file(image, 64u << 20);
    SpawnSystem system;
    system.run_with_input({"sfdisk", "--quiet", image.string()},
                          "label: gpt\nsize=8MiB, type=U\ntype=L\n");
    fs::resize_file(image, 256u << 20); // `machine set --disk-size`, as the guest sees it
    auto steps = partition_grow_steps({image.string(), true, 2, 0, 0, 0});
    REQUIRE(steps.size() == 3);
    for (std::size_t i = 0; i < 2; ++i) // the third tells a kernel: an image file has none
        system.run_with_input(steps[i].argv, steps[i].input);

    // What sfdisk now says, and what verifies the table (backup GPT at the disk's end).
    TempDir out;
    auto dump = out.path() / "dump";
    system.run({"sh", "-c", "sfdisk --dump \"$0\" > \"$1\" && sfdisk --verify \"$0\"",
                image.string(), dump.string()});
    auto text = read_file(dump).value_or("");
    INFO(text);
    // 256 MiB = 524288 sectors: the backup table moved to the end (the last usable sector is
    // 524254, before its 33 sectors), and partition 2 (from 9 MiB) now ends there.
    CHECK(text.find("last-lba: 524254") != std::string::npos);
    CHECK(text.find("start=       18432, size=      505823") != std::string::npos);
}

// The image cache with local sources: plain and compressed images land under their digest, an
// unchanged image is never hashed twice, kernel and initrd come along with a manifest, and a bad
// source leaves nothing behind.
#include "../helpers/disk_bytes.h"
#include "../helpers/small_filesystem.h"
#include "../helpers/temp_dir.h"
#include "../reliability/tally.h"
#include "machine/errors.h"
#include "machine/image_manifest.h"
#include "machine/image_store.h"
#include "platform/file_identity.h"
#include "platform/process_runner.h"
#include "platform/sha256.h"
#include "thrown.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace machine;
using machine::test::one_line;
using machine::test::thrown;
namespace fs = std::filesystem;
using machine::test::TempDir;

namespace {

// Bytes that compress, but not to nothing: a header followed by a counting pattern.
std::string filler(std::size_t length, int seed) {
    std::string bytes(length, '\0');
    for (std::size_t i = 0; i < length; ++i)
        bytes[i] = char((i * 7 + std::size_t(seed) * 13 + i / 251) & 0xff);
    return bytes;
}

std::string qcow2_image(std::uint64_t virtual_size, int seed = 1, std::size_t length = 256 << 10) {
    return test::as_qcow2(filler(length, seed), virtual_size);
}

std::string mbr_image(std::size_t length, int seed = 2) {
    return test::as_mbr(filler(length, seed));
}

std::string sha256_of(const std::string &bytes) {
    platform::Sha256 sha;
    sha.update(bytes.data(), bytes.size());
    return sha.hex_digest();
}

std::string read(const fs::path &file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every name in the cache folder, hidden and temporary files included.
std::set<std::string> listing(const fs::path &dir) {
    std::set<std::string> names;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir, ec))
        names.insert(entry.path().filename().string());
    return names;
}

// `tool -k FILE` ("zstd", "xz", "gzip") writes FILE plus the tool's extension beside it.
fs::path compress(const fs::path &file, const std::string &tool) {
    static const std::map<std::string, std::string> extension{
        {"zstd", ".zst"}, {"xz", ".xz"}, {"gzip", ".gz"}};
    platform::SpawnProcessRunner runner;
    runner.check({tool, {"-q", "-k", "-f", file.string()}, {}});
    return fs::path(file).concat(extension.at(tool));
}

struct Calls {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> seen;
    std::function<void(std::uint64_t, std::uint64_t)> callback() {
        return [this](std::uint64_t done, std::uint64_t total) { seen.emplace_back(done, total); };
    }
};

const auto no_progress = [](std::uint64_t, std::uint64_t) {};

void set_mtime_ns(const fs::path &file, std::int64_t ns) {
    struct timespec times[2] = {{0, UTIME_OMIT}, {ns / 1'000'000'000, ns % 1'000'000'000}};
    REQUIRE(::utimensat(AT_FDCWD, file.c_str(), times, 0) == 0);
}

std::int64_t mtime_ns(const fs::path &file) {
    return platform::file_identity(file).mtime_ns;
}

} // namespace

TEST_CASE("a local qcow2 image is copied into the cache under its digest", "[image]") {
    TempDir dir;
    auto bytes = qcow2_image(10ull << 30);
    auto source = dir.write("images/fcos.qcow2", bytes);
    ImageStore store(dir.path / "cache");
    Calls progress;

    auto image = store.resolve(source.string(), "", progress.callback());

    auto digest = sha256_of(bytes);
    CHECK(image.sha256 == digest);
    CHECK(image.disk == (dir.path / "cache" / ("sha256-" + digest + ".qcow2")).string());
    CHECK(image.format == "qcow2");
    CHECK(image.virtual_size == 10ull << 30);
    CHECK(image.kernel.empty());
    CHECK(image.initrd.empty());
    CHECK(image.kernel_cmdline.empty());
    CHECK(image.provisioning.empty());
    CHECK(read(image.disk) == bytes);
    CHECK(listing(dir.path / "cache") ==
          std::set<std::string>{"index.json", "sha256-" + digest + ".qcow2"});
    // A copy (or reflink), never a hard link: the user may edit the original.
    CHECK(fs::hard_link_count(image.disk) == 1);
    CHECK(fs::hard_link_count(source) == 1);
    CHECK((fs::status(image.disk).permissions() & fs::perms::all) == fs::perms(0444));
    REQUIRE_FALSE(progress.seen.empty());
    CHECK(progress.seen.back() ==
          std::pair<std::uint64_t, std::uint64_t>(bytes.size(), bytes.size()));
}

TEST_CASE("a raw disk is cached as .raw with its file size as virtual size", "[image]") {
    TempDir dir;
    auto bytes = mbr_image(300 << 10);
    auto source = dir.write("disk.img", bytes);
    ImageStore store(dir.path / "cache");

    auto image = store.resolve(source.string(), "", no_progress);

    CHECK(image.format == "raw");
    CHECK(image.virtual_size == bytes.size());
    CHECK(fs::path(image.disk).filename() == "sha256-" + sha256_of(bytes) + ".raw");
    CHECK(read(image.disk) == bytes);
}

TEST_CASE("a relative path is resolved against the working directory", "[image]") {
    TempDir dir;
    auto bytes = qcow2_image(1ull << 30);
    dir.write("rel.qcow2", bytes);
    struct Chdir {
        fs::path previous = fs::current_path();
        explicit Chdir(const fs::path &to) { fs::current_path(to); }
        ~Chdir() { fs::current_path(previous); }
    } chdir(dir.path);
    ImageStore store("cache");
    auto image = store.resolve("rel.qcow2", "", no_progress);
    CHECK(fs::path(image.disk).is_absolute());
    CHECK(fs::path(image.disk).parent_path() == dir.path / "cache");
}

TEST_CASE("compressed images are recognized by content and decompressed into the cache",
          "[image]") {
    auto tool = GENERATE(as<std::string>{}, "zstd", "xz", "gzip");
    TempDir dir;
    auto bytes = qcow2_image(4ull << 30);
    auto compressed = compress(dir.write("disk.qcow2", bytes), tool);
    // The name says nothing: only the first bytes count.
    auto source = dir.path / "download.bin";
    fs::rename(compressed, source);
    auto compressed_digest = sha256_of(read(source));
    ImageStore store(dir.path / "cache");
    Calls progress;

    auto image = store.resolve(source.string(), compressed_digest, progress.callback());

    INFO(tool);
    CHECK(image.format == "qcow2");
    CHECK(image.virtual_size == 4ull << 30);
    CHECK(image.sha256 == sha256_of(bytes));
    CHECK(read(image.disk) == bytes);
    CHECK(listing(dir.path / "cache") ==
          std::set<std::string>{"index.json", "sha256-" + sha256_of(bytes) + ".qcow2"});
    REQUIRE_FALSE(progress.seen.empty());
    CHECK(progress.seen.back().first == fs::file_size(source));
    CHECK(progress.seen.back().second == fs::file_size(source));

    // The plain image of the same disk finds the same cache entry.
    auto plain = store.resolve((dir.path / "disk.qcow2").string(), "", no_progress);
    CHECK(plain.disk == image.disk);
    CHECK(listing(dir.path / "cache").size() == 2);
}

TEST_CASE("an unchanged image is not read again: the index knows its digest", "[image]") {
    TempDir dir;
    auto bytes = qcow2_image(2ull << 30);
    auto source = dir.write("disk.qcow2", bytes);
    ImageStore store(dir.path / "cache");
    auto first = store.resolve(source.string(), "", no_progress);
    auto index = dir.path / "cache" / "index.json";
    auto index_text = read(index);
    auto index_mtime = mtime_ns(index);
    auto disk_mtime = mtime_ns(first.disk);

    Calls progress;
    auto second = store.resolve(source.string(), "", progress.callback());

    CHECK(second.disk == first.disk);
    CHECK(second.sha256 == first.sha256);
    CHECK(second.virtual_size == first.virtual_size);
    CHECK(progress.seen.empty()); // nothing was read, copied or hashed
    CHECK(read(index) == index_text);
    CHECK(mtime_ns(index) == index_mtime);
    CHECK(mtime_ns(first.disk) == disk_mtime);
    CHECK(listing(dir.path / "cache").size() == 2);

    SECTION("proof: content changed behind the index's back (same size and mtime) goes unseen") {
        auto stamp = mtime_ns(source);
        {
            std::fstream out(source, std::ios::in | std::ios::out | std::ios::binary);
            out.seekp(4096);
            out << "changed in place";
        }
        set_mtime_ns(source, stamp);
        CHECK(store.resolve(source.string(), "", no_progress).sha256 == first.sha256);
    }
    SECTION("a given digest is checked against the index, without reading the file") {
        CHECK(store.resolve(source.string(), first.sha256, progress.callback()).disk == first.disk);
        auto error = thrown<InvalidInput>(
            [&] { store.resolve(source.string(), std::string(64, 'a'), no_progress); });
        CHECK(error.field() == "--image-sha256");
        CHECK(progress.seen.empty());
    }
    SECTION("a cache entry removed by hand is made again") {
        fs::remove(first.disk);
        CHECK(store.resolve(source.string(), "", no_progress).disk == first.disk);
        CHECK(read(first.disk) == bytes);
    }
    SECTION("an unreadable index is only a lost shortcut") {
        std::ofstream(index) << "{not json";
        CHECK(store.resolve(source.string(), "", no_progress).disk == first.disk);
        CHECK(read(index).find(source.string()) != std::string::npos);
    }
}

TEST_CASE("the same content from two paths is cached once", "[image]") {
    TempDir dir;
    auto bytes = qcow2_image(2ull << 30);
    ImageStore store(dir.path / "cache");
    auto a = store.resolve(dir.write("a/disk.qcow2", bytes).string(), "", no_progress);
    auto b = store.resolve(dir.write("b/disk.qcow2", bytes).string(), "", no_progress);
    CHECK(a.disk == b.disk);
    CHECK(listing(dir.path / "cache").size() == 2);
}

TEST_CASE("a modified original gets a new cache entry, the old one stays for its machines",
          "[image]") {
    TempDir dir;
    auto source = dir.write("disk.qcow2", qcow2_image(2ull << 30, 1));
    ImageStore store(dir.path / "cache");
    auto before = store.resolve(source.string(), "", no_progress);

    auto changed = qcow2_image(3ull << 30, 5);
    std::ofstream(source, std::ios::binary | std::ios::trunc) << changed;
    auto after = store.resolve(source.string(), "", no_progress);

    CHECK(after.sha256 == sha256_of(changed));
    CHECK(after.sha256 != before.sha256);
    CHECK(after.virtual_size == 3ull << 30);
    CHECK(fs::exists(before.disk));
    CHECK(listing(dir.path / "cache").size() == 3);
    CHECK(read(before.disk) != read(after.disk));
}

TEST_CASE("a manifest brings the kernel, initrd, command line and provisioning along", "[image]") {
    TempDir dir;
    auto bytes = qcow2_image(8ull << 30);
    auto disk = dir.write("build/disk.qcow2", bytes);
    dir.write("build/vmlinuz", "kernel-1");
    dir.write("build/initrd", "initrd-1");
    dir.write("build/manifest.json",
              R"({"kernel_cmdline": "root=/dev/vda rw console=ttyS0", "provisioning": "ignition",
                  "files": {"disk.qcow2": {"sha256": ")" +
                  sha256_of(bytes) + R"(", "size": 1}, "vmlinuz": {"size": 8}}})");
    ImageStore store(dir.path / "cache");

    auto image = store.resolve(disk.string(), "", no_progress);

    auto base = dir.path / "cache" / ("sha256-" + image.sha256);
    CHECK(image.kernel == fs::path(base).concat(".vmlinuz").string());
    CHECK(image.initrd == fs::path(base).concat(".initrd").string());
    CHECK(read(image.kernel) == "kernel-1");
    CHECK(read(image.initrd) == "initrd-1");
    CHECK(image.kernel_cmdline == "root=/dev/vda rw console=ttyS0");
    CHECK(image.provisioning == "ignition");
    CHECK(listing(dir.path / "cache").size() == 4);

    SECTION("an unchanged kernel is not copied again") {
        auto stamp = mtime_ns(image.kernel);
        CHECK(store.resolve(disk.string(), "", no_progress).kernel == image.kernel);
        CHECK(mtime_ns(image.kernel) == stamp);
    }
    SECTION("a rebuilt kernel replaces the cached copy") {
        dir.write("build/vmlinuz", "kernel-2");
        set_mtime_ns(dir.path / "build/vmlinuz", mtime_ns(image.kernel) + 1'000'000'000);
        CHECK(read(store.resolve(disk.string(), "", no_progress).kernel) == "kernel-2");
        CHECK(listing(dir.path / "cache").size() == 4);
    }
    SECTION("a digest in the manifest that does not match is refused, leaving nothing new") {
        auto other = dir.write("other/disk.qcow2", qcow2_image(1ull << 30, 9));
        dir.write("other/vmlinuz", "kernel-x");
        dir.write("other/manifest.json",
                  R"({"files": {"disk.qcow2": {"sha256": ")" + std::string(64, '0') + R"("}}})");
        auto names = listing(dir.path / "cache");
        auto error = thrown<InvalidInput>([&] { store.resolve(other.string(), "", no_progress); });
        CHECK(error.field() == "--image");
        CHECK_THAT(error.what(),
                   Catch::Contains(other.string()) && Catch::Contains("manifest.json says 000"));
        CHECK(one_line(error.what()));
        CHECK(listing(dir.path / "cache") == names);
    }
}

TEST_CASE("without a manifest, files beside the image are not taken", "[image]") {
    TempDir dir;
    auto disk = dir.write("downloads/cloud.qcow2", qcow2_image(1ull << 30));
    dir.write("downloads/vmlinuz", "someone else's kernel");
    ImageStore store(dir.path / "cache");
    auto image = store.resolve(disk.string(), "", no_progress);
    CHECK(image.kernel.empty());
    CHECK(listing(dir.path / "cache").size() == 2);
}

TEST_CASE("bad sources are refused in one line and leave nothing in the cache", "[image]") {
    TempDir dir;
    auto cache = dir.path / "cache";
    ImageStore store(cache);
    // Something cached already must survive every failure untouched.
    auto good =
        store.resolve(dir.write("good.qcow2", qcow2_image(1ull << 30)).string(), "", no_progress);
    auto names = listing(cache);
    REQUIRE(names.size() == 2);

    auto refused = [&](const std::string &source, const std::string &field,
                       const std::string &expected_sha256 = "") {
        auto error =
            thrown<InvalidInput>([&] { store.resolve(source, expected_sha256, no_progress); });
        CHECK(error.field() == field);
        CHECK(one_line(error.what()));
        CHECK(listing(cache) == names);
        return std::string(error.what());
    };

    SECTION("a missing file") {
        auto missing = (dir.path / "nope.qcow2").string();
        CHECK_THAT(refused(missing, "--image"),
                   Catch::Contains(missing) && Catch::Contains("does not exist"));
    }
    SECTION("a folder") {
        CHECK_THAT(refused(dir.path.string(), "--image"), Catch::Contains("is a folder"));
    }
    SECTION("a file that is no disk image") {
        auto text = dir.write("notes.qcow2", std::string(4096, 'x'));
        CHECK_THAT(refused(text.string(), "--image"),
                   Catch::Contains(text.string()) && Catch::Contains("not a disk image"));
    }
    SECTION("a compressed file that holds no disk image names the file, not a temporary one") {
        auto packed = compress(dir.write("notes.txt", std::string(8192, 'y')), "gzip");
        auto message = refused(packed.string(), "--image");
        CHECK_THAT(message, Catch::Contains(packed.string() + " (gzip-decompressed)") &&
                                Catch::Contains("not a disk image"));
        CHECK_THAT(message, !Catch::Contains("partial-"));
    }
    SECTION("a corrupt compressed stream") {
        auto tool = GENERATE(as<std::string>{}, "zstd", "xz", "gzip");
        auto packed = compress(dir.write("disk.qcow2", qcow2_image(1ull << 30, 3)), tool);
        auto bytes = read(packed);
        for (std::size_t i = bytes.size() / 3; i < bytes.size(); i += 7)
            bytes[i] = char(bytes[i] ^ 0x5a);
        auto broken = dir.write("broken." + tool, bytes);
        INFO(tool);
        CHECK_THAT(refused(broken.string(), "--image"),
                   Catch::Contains(broken.string()) && Catch::Contains("not a valid " + tool));
    }
    SECTION("a truncated compressed stream") {
        auto tool = GENERATE(as<std::string>{}, "zstd", "xz", "gzip");
        auto packed = compress(dir.write("disk.qcow2", qcow2_image(1ull << 30, 4)), tool);
        auto bytes = read(packed);
        auto cut = dir.write("cut." + tool, bytes.substr(0, bytes.size() / 2));
        INFO(tool);
        CHECK_THAT(refused(cut.string(), "--image"), Catch::Contains(cut.string()));
    }
    SECTION("a qcow2 with a backing file") {
        auto bytes = qcow2_image(1ull << 30, 6);
        bytes[15] = 0x70; // backing_file_offset = 0x70
        auto overlay = dir.write("overlay.qcow2", bytes);
        CHECK_THAT(refused(overlay.string(), "--image"), Catch::Contains("backing file"));
    }
    SECTION("a wrong --image-sha256") {
        auto disk = dir.write("other.qcow2", qcow2_image(1ull << 30, 7));
        auto message = refused(disk.string(), "--image-sha256", std::string(64, 'b'));
        CHECK_THAT(message, Catch::Contains(disk.string()) &&
                                Catch::Contains(sha256_of(read(disk))) &&
                                Catch::Contains(std::string(64, 'b')));
    }
    SECTION("a malformed --image-sha256, before anything is read") {
        auto disk = dir.write("other.qcow2", qcow2_image(1ull << 30, 8));
        for (const auto *digest : {"abc", "sha256:xyz", "md5:0123"})
            CHECK_THAT(refused(disk.string(), "--image-sha256", digest),
                       Catch::Contains("64 hex digits"));
    }
    SECTION("a URL of a scheme other than http(s)") {
        CHECK_THAT(refused("ftp://example.org/disk.qcow2", "--image"),
                   Catch::Contains("ftp://example.org/disk.qcow2") &&
                       Catch::Contains("http:// or https://"));
    }
    SECTION("an empty source") {
        refused("", "--image");
    }
    CHECK(fs::exists(good.disk));
}

TEST_CASE("a digest may be given in either case and with a sha256: prefix", "[image]") {
    TempDir dir;
    auto bytes = mbr_image(64 << 10);
    auto disk = dir.write("disk.raw", bytes);
    std::string upper = sha256_of(bytes);
    for (auto &c : upper)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    ImageStore store(dir.path / "cache");
    CHECK(store.resolve(disk.string(), "sha256:" + upper, no_progress).sha256 == sha256_of(bytes));
}

TEST_CASE("files left by a killed resolve are swept, those of a live one are kept", "[image]") {
    TempDir dir;
    auto cache = dir.path / "cache";
    fs::create_directories(cache);
    int dead = 0;
    for (int pid = 4'000'000; pid > 1; --pid) // pid_max is at most 2^22: surely a free pid
        if (!platform::process_alive(pid) && pid != ::getpid()) {
            dead = pid;
            break;
        }
    REQUIRE(dead > 0);
    dir.write("cache/partial-" + std::to_string(dead) + "-AbCdEf", "half a download");
    dir.write("cache/index.json.tmp-" + std::to_string(dead), "{");
    auto live = "partial-" + std::to_string(::getpid()) + "-XyZxYz";
    dir.write("cache/" + live, "in progress");

    ImageStore store(cache);
    auto image =
        store.resolve(dir.write("disk.qcow2", qcow2_image(1ull << 30)).string(), "", no_progress);

    CHECK(listing(cache) ==
          std::set<std::string>{"index.json", live, fs::path(image.disk).filename().string()});
}

TEST_CASE("a full disk fails in one line and leaves nothing in the cache", "[image]") {
    TempDir dir;
    auto cache = dir.path / "cache";
    fs::create_directories(cache);
    auto small = machine::test::mount_small_filesystem(cache, 64);
    if (!small) {
        machine::test::skip("mounting a small tmpfs needs root on Linux");
        return;
    }
    ImageStore store(cache);
    auto big = dir.write("big.qcow2", qcow2_image(1ull << 30, 1, 1 << 20));

    auto error = thrown<SystemError>([&] { store.resolve(big.string(), "", no_progress); });
    CHECK_THAT(error.what(),
               Catch::Contains(cache.string()) && Catch::Contains("No space left on device"));
    CHECK(one_line(error.what()));
    CHECK(listing(cache).empty());

    SECTION("decompressing too") {
        auto packed = compress(big, "zstd");
        thrown<SystemError>([&] { store.resolve(packed.string(), "", no_progress); });
        CHECK(listing(cache).empty());
    }
}

TEST_CASE("a compressed root filesystem tarball is cached decompressed, as WSL imports it",
          "[image]") {
    TempDir dir;
    dir.write("tree/etc/os-release", "ID=debian\n");
    dir.write("tree/usr/bin/tool", filler(64 << 10, 3));
    auto tarball = dir.path / "rootfs.tar";
    REQUIRE(
        std::system(("tar -cf " + tarball.string() + " -C " + (dir.path / "tree").string() + " .")
                        .c_str()) == 0);
    auto bytes = read(tarball);
    auto source = compress(tarball, "zstd");
    ImageStore store(dir.path / "cache");

    auto image = store.resolve(source.string(), "", no_progress);
    CHECK(image.format == "tar");
    CHECK(image.virtual_size == 0);
    CHECK(image.sha256 == sha256_of(bytes));
    CHECK(read(image.disk) == bytes);
    CHECK(listing(dir.path / "cache") ==
          std::set<std::string>{"index.json", "sha256-" + sha256_of(bytes) + ".tar"});

    // The index remembers it like a disk: not read again.
    Calls progress;
    CHECK(store.resolve(source.string(), "", progress.callback()).disk == image.disk);
    CHECK(progress.seen.empty());
}

TEST_CASE("a manifest's formats name, per provider, a file of its own folder", "[image]") {
    TempDir dir;
    dir.write("manifest.json", R"({"formats": {"qemu": "disk.qcow2", "wsl": "rootfs.tar.zst"}})");
    CHECK(read_image_manifest(dir.path).formats ==
          std::map<std::string, std::string>{{"qemu", "disk.qcow2"}, {"wsl", "rootfs.tar.zst"}});
    for (const char *bad :
         {R"("../disk.qcow2")", R"("/etc/passwd")", R"("a\\b")", R"("")", R"(".hidden")", "7"}) {
        dir.write("manifest.json", std::string(R"({"formats": {"wsl": )") + bad + "}}");
        auto error = thrown<InvalidInput>([&] { read_image_manifest(dir.path); });
        CAPTURE(bad);
        CHECK(error.field() == "--image");
        CHECK(one_line(error.what()));
    }
}

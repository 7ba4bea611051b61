#include "machine/image_store.h"

#include "machine/disk_image.h"
#include "machine/errors.h"
#include "machine/image_decompress.h"
#include "machine/image_download.h"
#include "machine/image_index.h"
#include "machine/image_manifest.h"
#include "platform/atomic_file.h"
#include "platform/file_identity.h"
#include "platform/process_runner.h"
#include "platform/sha256.h"
#include "platform/staged_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

namespace machine {

namespace fs = std::filesystem;

namespace {

using Progress = std::function<void(std::uint64_t, std::uint64_t)>;
using Staged = std::unique_ptr<platform::StagedFile>;

constexpr unsigned cached_mode = 0444; // a base image is never written once cached
constexpr const char *index_name = "index.json";

// The digest the file must have, and who said so: --image-sha256 (origin "") or a manifest.
struct Expected {
    std::string sha256;
    std::string origin;
};

// A complete file waiting to be renamed into the cache once everything else has succeeded.
struct Pending {
    Staged file;
    fs::path target;
    bool replace; // false: a file already there has the same contents (it is named by them)
};

// A disk staged in the cache folder, not yet under its name.
struct StagedDisk {
    Staged file;
    std::string source_sha256; // of the file as given
    std::string disk_sha256;   // of the disk in it
    std::string label;         // names it in messages
};

[[noreturn]] void reject(const std::string &label, const std::string &problem) {
    throw InvalidInput("--image", fmt::format("--image: {} {}", label, problem));
}

Expected expected_from_flag(const std::string &given) {
    if (given.empty())
        return {};
    std::string digest = given.rfind("sha256:", 0) == 0 ? given.substr(7) : given;
    if (!platform::is_sha256_hex(digest))
        throw InvalidInput("--image-sha256", "--image-sha256: not a sha256 digest; give 64 hex "
                                             "digits, optionally prefixed with \"sha256:\"");
    std::transform(digest.begin(), digest.end(), digest.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return {digest, ""};
}

void verify(const Expected &expected, const std::string &actual, const std::string &label) {
    if (expected.sha256.empty() || expected.sha256 == actual)
        return;
    if (expected.origin.empty())
        throw InvalidInput(
            "--image-sha256",
            fmt::format("--image-sha256: {} has sha256 {}, not {}", label, actual, expected.sha256),
            "check the digest; if it is right, the image is damaged: fetch it "
            "again");
    throw InvalidInput("--image",
                       fmt::format("--image: {} has sha256 {}, but {} says {}", label, actual,
                                   expected.origin, expected.sha256),
                       "the image is damaged or its manifest is stale: build or fetch it again");
}

// "scheme://..." other than http(s): a URL we cannot fetch, not a file name.
bool has_other_scheme(const std::string &source) {
    auto colon = source.find("://");
    if (colon == std::string::npos || colon == 0 || !std::isalpha((unsigned char)source[0]))
        return false;
    return std::all_of(source.begin(), source.begin() + std::ptrdiff_t(colon), [](char c) {
        return std::isalnum((unsigned char)c) || c == '+' || c == '.' || c == '-';
    });
}

fs::path cached_disk(const fs::path &cache, const ImageDigest &digest) {
    return cache / fmt::format("sha256-{}.{}", digest.disk_sha256, digest.format);
}

std::uint64_t big_endian(const unsigned char *bytes, int count) {
    std::uint64_t value = 0;
    for (int i = 0; i < count; ++i)
        value = value << 8 | bytes[i];
    return value;
}

// A cached base must stand alone: a qcow2 naming a backing file or an external data file would
// make QEMU open some other file of the host (whatever a downloaded image names).
void require_self_contained(const fs::path &disk, const std::string &format,
                            const std::string &label) {
    if (format != "qcow2")
        return;
    std::array<unsigned char, 80> header{};
    std::ifstream in(disk, std::ios::binary);
    in.read(reinterpret_cast<char *>(header.data()), header.size());
    auto length = std::size_t(in.gcount());
    if (length >= 16 && big_endian(&header[8], 8) != 0)
        reject(label, "is a qcow2 image with a backing file; give a standalone image (qemu-img "
                      "convert -O qcow2 makes one)");
    constexpr std::uint64_t external_data_file = 1u << 2;
    if (length >= 80 && big_endian(&header[4], 4) >= 3 &&
        (big_endian(&header[72], 8) & external_data_file) != 0)
        reject(label, "is a qcow2 image with an external data file; give a standalone image "
                      "(qemu-img convert -O qcow2 makes one)");
}

// Recognizes the staged disk by content; messages name `label`, not the temporary file.
DiskImageInfo inspect_staged(const fs::path &staged, const std::string &label) {
    DiskImageInfo info;
    try {
        info = inspect_disk_image(staged);
    } catch (const InvalidInput &error) {
        std::string message = error.what();
        for (auto at = message.find(staged.string()); at != std::string::npos;
             at = message.find(staged.string(), at + label.size()))
            message.replace(at, staged.string().size(), label);
        throw InvalidInput(error.field(), message, error.hint());
    }
    require_self_contained(staged, info.format, label);
    return info;
}

ResolvedImage describe(const fs::path &cache, const ImageDigest &digest) {
    auto disk = cached_disk(cache, digest);
    auto info = inspect_disk_image(disk);
    ResolvedImage image;
    image.disk = disk.string();
    image.format = info.format;
    image.virtual_size = info.virtual_size;
    image.sha256 = digest.disk_sha256;
    return image;
}

void commit_all(std::vector<Pending> &pending) {
    for (auto &file : pending)
        if (file.replace || !fs::exists(file.target))
            file.file->commit(file.target, cached_mode);
}

// Leftovers of a process killed while writing the cache: "partial-<pid>-..." and the index's
// "index.json.tmp-<pid>".
void sweep_abandoned(const fs::path &cache) {
    std::error_code ec;
    for (fs::directory_iterator it(cache, ec), end; !ec && it != end; it.increment(ec)) {
        auto name = it->path().filename().string();
        int owner = platform::staged_file_owner(name);
        if (auto tmp = name.rfind(".tmp-"); owner == 0 && tmp != std::string::npos)
            std::from_chars(name.data() + tmp + 5, name.data() + name.size(), owner);
        std::error_code ignored;
        if (owner > 0 && !platform::process_alive(owner))
            fs::remove(it->path(), ignored);
    }
}

// Copies (a reflink where possible) or decompresses the local image at `path` into the cache
// folder, hashing what passes by.
StagedDisk stage_local(const fs::path &cache, const fs::path &path, std::uint64_t size,
                       const Progress &progress) {
    auto compression = detect_compression(path);
    StagedDisk staged{std::make_unique<platform::StagedFile>(cache), {}, {}, path.string()};
    platform::Sha256 input, output;
    std::uint64_t done = 0;
    auto count = [&](const char *data, std::size_t n) {
        input.update(data, n);
        done += n;
        progress(done, size);
    };
    if (compression == Compression::none) {
        inspect_disk_image(path); // rejects what is no disk image before copying it
        staged.file->fill_from(path, count);
        staged.source_sha256 = staged.disk_sha256 = input.hex_digest();
    } else {
        staged.label =
            fmt::format("{} ({}-decompressed)", path.string(), compression_name(compression));
        decompress(path, compression, path.string(), count, [&](const char *data, std::size_t n) {
            staged.file->write(data, n);
            output.update(data, n);
        });
        staged.source_sha256 = input.hex_digest();
        staged.disk_sha256 = output.hex_digest();
    }
    return staged;
}

// Stages a copy of a kernel or initrd unless the cache holds one already: same size, and written
// after the source last was.
std::optional<Pending> stage_companion(const fs::path &cache, const fs::path &source,
                                       const fs::path &target) {
    auto wanted = platform::file_identity(source);
    std::error_code ec;
    if (fs::exists(target, ec)) {
        auto have = platform::file_identity(target);
        if (have.size == wanted.size && have.mtime_ns >= wanted.mtime_ns)
            return std::nullopt;
    }
    auto file = std::make_unique<platform::StagedFile>(cache);
    file->fill_from(source, nullptr);
    return Pending{std::move(file), target, true};
}

ResolvedImage resolve_local(const fs::path &cache, const std::string &source, Expected expected,
                            const Progress &progress) {
    auto path = fs::absolute(source).lexically_normal();
    auto label = path.string();
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (!fs::exists(status))
        reject(label, "does not exist; give a qcow2 or raw disk image, or an http(s):// URL");
    if (fs::is_directory(status))
        reject(label, "is a folder; give a qcow2 or raw disk image");
    if (!fs::is_regular_file(status))
        reject(label, "is not a regular file; give a qcow2 or raw disk image");

    auto manifest = read_image_manifest(path.parent_path());
    if (auto listed = manifest.sha256.find(path.filename().string());
        expected.sha256.empty() && listed != manifest.sha256.end())
        expected = {listed->second, (path.parent_path() / "manifest.json").string()};

    auto identity = platform::file_identity(path);
    ImageIndex index(cache / index_name);
    auto digest = index.find(path, identity);
    if (digest && !fs::exists(cached_disk(cache, *digest)))
        digest.reset();
    std::vector<Pending> pending;
    bool hashed = !digest;
    if (digest) {
        verify(expected, digest->sha256, label);
    } else {
        auto staged = stage_local(cache, path, identity.size, progress);
        verify(expected, staged.source_sha256, label);
        auto info = inspect_staged(staged.file->path(), staged.label);
        digest = ImageDigest{staged.source_sha256, staged.disk_sha256, info.format};
        pending.push_back({std::move(staged.file), cached_disk(cache, *digest), false});
    }

    std::string kernel, initrd;
    if (manifest.found) {
        auto base = cache / ("sha256-" + digest->disk_sha256);
        auto take = [&](const std::string &found, const char *suffix, std::string &cached) {
            if (found.empty())
                return;
            cached = fs::path(base).concat(suffix).string();
            if (auto copy = stage_companion(cache, found, cached))
                pending.push_back(std::move(*copy));
        };
        take(kernel_beside(path), ".vmlinuz", kernel);
        take(initrd_beside(path), ".initrd", initrd);
    }
    commit_all(pending);

    // Remembered only when the file did not change while it was read. The index merely saves
    // work: failing to write it (say, a full disk) costs a hash next time, nothing more.
    if (hashed && platform::file_identity(path) == identity) {
        try {
            index.record(path, identity, *digest);
        } catch (const Error &) {
        }
    }
    auto image = describe(cache, *digest);
    image.kernel = kernel;
    image.initrd = initrd;
    image.kernel_cmdline = manifest.kernel_cmdline;
    image.provisioning = manifest.provisioning;
    image.arch = manifest.arch;
    return image;
}

ResolvedImage resolve_url(const fs::path &cache, const std::string &url, const Expected &expected,
                          const Progress &progress) {
    auto label = display_url(url);
    ImageIndex index(cache / index_name);
    if (!expected.sha256.empty())
        if (auto known = index.find_content(expected.sha256);
            known && fs::exists(cached_disk(cache, *known)))
            return describe(cache, *known); // the very content asked for is here already

    Staged fetched = std::make_unique<platform::StagedFile>(cache);
    auto got = download(url, *fetched, progress);
    verify(expected, got.sha256, label);
    auto compression = detect_compression(fetched->path());
    Staged disk;
    std::string disk_sha256, disk_label = label;
    if (compression == Compression::none) {
        disk = std::move(fetched);
        disk_sha256 = got.sha256;
    } else {
        disk = std::make_unique<platform::StagedFile>(cache);
        disk_label = fmt::format("{} ({}-decompressed)", label, compression_name(compression));
        platform::Sha256 output;
        std::uint64_t done = 0;
        decompress(
            fetched->path(), compression, label,
            [&](const char *, std::size_t n) { progress(done += n, got.bytes); },
            [&](const char *data, std::size_t n) {
                disk->write(data, n);
                output.update(data, n);
            });
        fetched.reset();
        disk_sha256 = output.hex_digest();
    }
    auto info = inspect_staged(disk->path(), disk_label);
    ImageDigest digest{got.sha256, disk_sha256, info.format};
    std::vector<Pending> pending;
    pending.push_back({std::move(disk), cached_disk(cache, digest), false});
    commit_all(pending);
    try {
        index.record({}, {}, digest);
    } catch (const Error &) { // only saves a download next time
    }
    return describe(cache, digest);
}

} // namespace

ImageStore::ImageStore(fs::path cache_dir) : cache_dir_(fs::absolute(cache_dir)) {}

ResolvedImage ImageStore::resolve(const std::string &source, const std::string &expected_sha256,
                                  const Progress &progress) {
    auto expected = expected_from_flag(expected_sha256);
    if (source.empty())
        throw InvalidInput("--image",
                           "--image: empty; give a disk image path or an http(s):// URL");
    if (!is_download_url(source) && has_other_scheme(source))
        throw InvalidInput("--image", fmt::format("--image: {} is not supported; give a local "
                                                  "path or an http:// or https:// URL",
                                                  display_url(source)));
    // A local file that is plainly no image is refused before the cache is touched.
    if (!is_download_url(source) && detect_compression(source) == Compression::none)
        inspect_disk_image(fs::absolute(source));
    platform::make_private_dir(cache_dir_);
    sweep_abandoned(cache_dir_);
    return is_download_url(source) ? resolve_url(cache_dir_, source, expected, progress)
                                   : resolve_local(cache_dir_, source, expected, progress);
}

} // namespace machine

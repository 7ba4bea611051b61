#pragma once
// The base images machines are made from, cached by the digest of their contents: every machine
// gets a copy-on-write overlay on a cached base, so `init` stays flat in the image's size.
//
// The cache folder holds only complete, verified files, never written again once there:
//   sha256-<hex>.qcow2 | sha256-<hex>.raw   a disk (hex: the digest of the decompressed disk)
//   sha256-<hex>.vmlinuz, sha256-<hex>.initrd  the kernel and initrd that came with that disk
//   index.json                               digests already computed (see image_index.h)
// Everything is written under a temporary name first and renamed into place once complete, so
// a failed download or copy leaves nothing behind.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace machine {

struct ResolvedImage {
    std::string disk;   // absolute path of the cached base image (never written to)
    std::string format; // "qcow2", "raw" or "tar" (a root filesystem)
    std::uint64_t virtual_size = 0;
    std::string kernel, initrd;               // cached copies when the source brings them, else ""
    std::string kernel_cmdline, provisioning; // from the source's manifest.json, else ""
    std::string arch;                         // likewise: "x86_64", "aarch64" or ""
    std::string sha256;                       // digest of the (decompressed) disk
};

class ImageStore {
public:
    explicit ImageStore(std::filesystem::path cache_dir);

    // `source`: a local path (qcow2 or raw, plain or zstd/xz/gzip-compressed, recognized by
    // content) or an http(s):// URL. `expected_sha256`: "" or the hex digest (optionally
    // "sha256:"-prefixed) of the file as given or downloaded; a local image's manifest.json may
    // supply it too. `progress(done, total)` while copying, downloading or decompressing (total
    // 0 when unknown); an unchanged local image already cached is neither read nor reported.
    //
    // A local image's kernel, initrd and manifest settings are taken along when its folder has a
    // manifest.json (as guest-image/ writes). Throws InvalidInput("--image" or
    // "--image-sha256"), NotFound (HTTP 404), HostNotReady (no libcurl), SystemError (e.g. a
    // full disk) or Error; the cache then holds nothing new.
    ResolvedImage resolve(const std::string &source, const std::string &expected_sha256,
                          const std::function<void(std::uint64_t, std::uint64_t)> &progress);

    const std::filesystem::path &cache_dir() const { return cache_dir_; }

private:
    std::filesystem::path cache_dir_;
};

} // namespace machine

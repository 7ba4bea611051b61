#include "machine/disk_image.h"

#include "machine/errors.h"
#include "machine/vhdx.h"

#include <array>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

namespace machine {

namespace {

std::uint64_t big_endian_u64(const unsigned char *bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i)
        value = value << 8 | bytes[i];
    return value;
}

[[noreturn]] void reject(const std::filesystem::path &path, const std::string &problem) {
    throw InvalidInput("--image",
                       fmt::format("--image: {} {}; give a qcow2, raw or VHDX disk image",
                                   path.string(), problem));
}

std::string sibling(const std::filesystem::path &image, std::initializer_list<const char *> names) {
    for (const char *name : names) {
        auto candidate = image.parent_path() / name;
        if (std::filesystem::is_regular_file(candidate))
            return candidate.string();
    }
    return {};
}

void read_manifest(const std::filesystem::path &manifest, DiskImageInfo &info) {
    std::ifstream in(manifest);
    if (!in)
        return;
    auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object())
        throw InvalidInput("--image",
                           fmt::format("--image: {} is not valid JSON", manifest.string()));
    auto text = [&](const char *key) {
        if (!json.contains(key))
            return std::string();
        if (!json[key].is_string())
            throw InvalidInput("--image", fmt::format("--image: \"{}\" in {} must be a string", key,
                                                      manifest.string()));
        return json[key].get<std::string>();
    };
    info.kernel_cmdline = text("kernel_cmdline");
    info.provisioning = text("provisioning");
}

} // namespace

DiskImageInfo inspect_disk_image(const std::filesystem::path &path) {
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status))
        reject(path, "does not exist");
    if (std::filesystem::is_directory(status))
        reject(path, "is a folder");
    if (!std::filesystem::is_regular_file(status))
        reject(path, "is not a regular file");

    std::ifstream in(path, std::ios::binary);
    std::array<unsigned char, 1024> header{};
    in.read(reinterpret_cast<char *>(header.data()), header.size());
    auto length = std::size_t(in.gcount());
    if (!in && !in.eof())
        reject(path, "cannot be read");

    DiskImageInfo info;
    if (length >= 32 && header[0] == 'Q' && header[1] == 'F' && header[2] == 'I' &&
        header[3] == 0xfb) {
        info.format = "qcow2";
        info.virtual_size = big_endian_u64(&header[24]);
    } else if ((length >= 512 && header[510] == 0x55 && header[511] == 0xaa) ||
               (length >= 520 &&
                std::string_view(reinterpret_cast<char *>(&header[512]), 8) == "EFI PART")) {
        info.format = "raw";
        info.virtual_size = std::filesystem::file_size(path);
    } else if (is_vhdx(header.data(), length)) {
        auto size = vhdx_virtual_size(in);
        if (!size)
            reject(path, "is a VHDX whose metadata is missing or damaged");
        info.format = "vhdx";
        info.virtual_size = *size;
    } else if (length >= 262 &&
               std::string_view(reinterpret_cast<char *>(&header[257]), 5) == "ustar") {
        // A root filesystem tarball (WSL imports one): no disk, so no size of its own.
        info.format = "tar";
    } else {
        reject(path, "is not a disk image (neither qcow2, VHDX nor a partitioned raw disk)");
    }
    info.kernel = kernel_beside(path);
    info.initrd = initrd_beside(path);
    read_manifest(path.parent_path() / "manifest.json", info);
    return info;
}

std::string kernel_beside(const std::filesystem::path &image) {
    return sibling(image, {"vmlinuz"});
}

std::string initrd_beside(const std::filesystem::path &image) {
    return sibling(image, {"initrd", "initrd.img"});
}

} // namespace machine

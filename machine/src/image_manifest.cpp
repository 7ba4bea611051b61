#include "machine/image_manifest.h"

#include "machine/errors.h"
#include "platform/sha256.h"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

namespace machine {

ImageManifest read_image_manifest(const std::filesystem::path &folder) {
    auto file = folder / "manifest.json";
    std::ifstream in(file);
    if (!in)
        return {};
    auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object())
        throw InvalidInput("--image", fmt::format("--image: {} is not valid JSON", file.string()));
    auto text = [&](const char *key) {
        if (!json.contains(key))
            return std::string();
        if (!json[key].is_string())
            throw InvalidInput("--image", fmt::format("--image: \"{}\" in {} must be a string", key,
                                                      file.string()));
        return json[key].get<std::string>();
    };
    // Debian's names for the architecture, as guest-image/build writes them, or QEMU's.
    auto arch = text("arch");
    if (arch == "amd64")
        arch = "x86_64";
    else if (arch == "arm64")
        arch = "aarch64";
    else if (!arch.empty() && arch != "x86_64" && arch != "aarch64")
        throw InvalidInput(
            "--image",
            fmt::format("--image: \"arch\" in {} must be amd64 or arm64 (or x86_64, aarch64)",
                        file.string()));
    ImageManifest manifest{true, text("kernel_cmdline"), text("provisioning"), arch, {}, {}};
    // "files": {"disk.qcow2": {"sha256": "...", "size": N}, ...}; entries without a digest are
    // simply not checked.
    if (auto files = json.find("files"); files != json.end() && files->is_object())
        for (const auto &[name, entry] : files->items()) {
            if (!entry.is_object() || !entry.contains("sha256") || !entry["sha256"].is_string())
                continue;
            auto digest = entry["sha256"].get<std::string>();
            if (!platform::is_sha256_hex(digest))
                throw InvalidInput("--image",
                                   fmt::format("--image: the sha256 of \"{}\" in {} is not 64 hex "
                                               "digits",
                                               name, file.string()));
            std::transform(digest.begin(), digest.end(), digest.begin(),
                           [](unsigned char c) { return char(std::tolower(c)); });
            manifest.sha256[name] = digest;
        }
    // "formats": {"qemu": "disk.qcow2", "wsl": "rootfs.tar.zst", ...}: names in this folder only.
    if (auto formats = json.find("formats"); formats != json.end() && formats->is_object())
        for (const auto &[provider, entry] : formats->items()) {
            auto name = entry.is_string() ? entry.get<std::string>() : std::string();
            if (name.empty() || name.front() == '.' ||
                name.find_first_of("/\\") != std::string::npos)
                throw InvalidInput("--image",
                                   fmt::format("--image: the file for \"{}\" under \"formats\" "
                                               "in {} is not a file name in its folder",
                                               provider, file.string()));
            manifest.formats[provider] = name;
        }
    return manifest;
}

} // namespace machine

#include "machine/volume.h"

#include "machine/errors.h"
#include "machine/printable.h"

#include <filesystem>
#include <fmt/format.h>
#include <vector>

namespace machine {

namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        auto end = text.find(separator, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos)
            return parts;
        start = end + 1;
    }
}

void check_path(std::string_view spec, std::string_view which, std::string_view path) {
    // It goes into JSON (Ignition), unit files and fstab lines in the guest.
    if (!is_plain_text(path))
        throw InvalidInput("--volume", fmt::format("--volume \"{}\": the {} path must be UTF-8 "
                                                   "text without control characters",
                                                   spec, which));
    if (path.empty() || path.front() != '/')
        throw InvalidInput("--volume", fmt::format("--volume \"{}\": the {} path \"{}\" must be "
                                                   "absolute (HOST:GUEST[:ro])",
                                                   spec, which, path));
    for (auto part : split(path, '/'))
        if (part == "..")
            throw InvalidInput("--volume", fmt::format("--volume \"{}\": the {} path must not "
                                                       "contain \"..\"",
                                                       spec, which));
}

// "/a//b/" -> "/a/b": the same mount point, and the same systemd unit.
std::string normal(const std::string &path) {
    auto text = std::filesystem::path(path).lexically_normal().string();
    while (text.size() > 1 && text.back() == '/')
        text.pop_back();
    return text;
}

} // namespace

Mount parse_volume(std::string_view text) {
    auto shown = printable(text); // only plain text is accepted; errors show the rest escaped
    std::string_view spec = shown;
    auto parts = split(text, ':');
    Mount mount;
    if (parts.size() == 3 || (parts.size() == 2 && (parts[1] == "ro" || parts[1] == "rw"))) {
        auto option = parts.back();
        if (option != "ro" && option != "rw")
            throw InvalidInput("--volume", fmt::format("--volume \"{}\": unknown option \"{}\"; "
                                                       "accepted: ro, rw",
                                                       spec, printable(option)));
        mount.read_only = option == "ro";
        parts.pop_back();
    }
    if (parts.size() > 2)
        throw InvalidInput("--volume",
                           fmt::format("--volume \"{}\": expected HOST:GUEST[:ro]", spec));
    mount.host_path = std::string(parts[0]);
    mount.guest_path = std::string(parts.size() == 2 ? parts[1] : parts[0]);
    check_path(spec, "host", mount.host_path);
    check_path(spec, "guest", mount.guest_path);
    if (normal(mount.guest_path) == "/")
        throw InvalidInput("--volume", fmt::format("--volume \"{}\": a folder cannot be shared "
                                                   "over the guest's root /",
                                                   spec));
    return mount;
}

void check_distinct_guest_paths(const std::vector<Mount> &mounts) {
    for (std::size_t i = 0; i < mounts.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (normal(mounts[i].guest_path) == normal(mounts[j].guest_path))
                throw InvalidInput("--volume",
                                   fmt::format("--volume: {} and {} are both shared at {}; give "
                                               "each its own guest path",
                                               mounts[j].host_path, mounts[i].host_path,
                                               normal(mounts[i].guest_path)));
}

void check_volume_host_path(const Mount &mount) {
    std::error_code error;
    auto status = std::filesystem::status(mount.host_path, error);
    if (!std::filesystem::exists(status))
        throw InvalidInput("--volume", fmt::format("--volume: host folder \"{}\" does not exist",
                                                   mount.host_path));
    if (!std::filesystem::is_directory(status))
        throw InvalidInput(
            "--volume", fmt::format("--volume: host path \"{}\" is not a folder", mount.host_path));
}

std::string mount_tag(std::size_t index) {
    return "vol" + std::to_string(index);
}

} // namespace machine

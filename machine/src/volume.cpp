#include "machine/volume.h"

#include "machine/errors.h"

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

} // namespace

Mount parse_volume(std::string_view spec) {
    auto parts = split(spec, ':');
    Mount mount;
    if (parts.size() == 3 || (parts.size() == 2 && (parts[1] == "ro" || parts[1] == "rw"))) {
        auto option = parts.back();
        if (option != "ro" && option != "rw")
            throw InvalidInput("--volume", fmt::format("--volume \"{}\": unknown option \"{}\"; "
                                                       "accepted: ro, rw",
                                                       spec, option));
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
    return mount;
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

} // namespace machine

#include "machine/docker_socket_link.h"

#include "platform/host.h"

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace machine {

namespace {

// The link's target, or empty when `link` is missing or not a link.
fs::path link_target(const fs::path &link) {
    std::error_code ec;
    return fs::is_symlink(fs::symlink_status(link, ec)) ? fs::read_symlink(link, ec) : fs::path();
}

} // namespace

std::string claim_docker_socket(const fs::path &link, const fs::path &socket) {
    if (platform::host_os() == platform::HostOs::windows)
        return fmt::format("{} is not made on Windows: set DOCKER_HOST", link.string());
    std::error_code ec;
    auto status = fs::symlink_status(link, ec);
    auto target = link_target(link);
    if (target == socket)
        return fmt::format("{} already points at this machine", link.string());
    if (fs::exists(status) && (target.empty() || fs::exists(target)))
        return fmt::format("{} is taken ({}): left alone; use DOCKER_HOST", link.string(),
                           target.empty() ? "not a link of ours" : "a link to " + target.string());
    // Made beside it and renamed over it: never a moment without a link, nor a half-made one.
    auto partial = link;
    partial += ".machine-partial";
    fs::remove(partial, ec);
    fs::create_symlink(socket, partial, ec);
    if (!ec)
        fs::rename(partial, link, ec);
    if (ec) {
        fs::remove(partial);
        return fmt::format("{} could not be made ({}): left alone; use DOCKER_HOST", link.string(),
                           ec.message());
    }
    return fmt::format("{} now points at this machine's API socket", link.string());
}

void release_docker_socket(const fs::path &link, const fs::path &socket) {
    std::error_code ignored;
    if (link_target(link) == socket)
        fs::remove(link, ignored);
}

} // namespace machine

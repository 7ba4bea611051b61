#pragma once
// /var/run/docker.sock on the host as a link to a machine's API socket (`start --docker-socket`),
// for tools that look only there. Taken only when free: missing, or a link whose socket is gone
// (a machine that stopped without saying). Never a real socket, nor a live machine's link.
#include <filesystem>
#include <string>

namespace machine {

inline const std::filesystem::path docker_socket_path = "/var/run/docker.sock";

// Points `link` at `socket`. Returns one line for the user: what was done, or why not (the path
// is taken, or this user may not write there).
std::string claim_docker_socket(const std::filesystem::path &link,
                                const std::filesystem::path &socket);

// Removes `link` if it points at `socket` (the machine stopping); leaves anything else alone.
void release_docker_socket(const std::filesystem::path &link, const std::filesystem::path &socket);

} // namespace machine

#pragma once
// A machine's API socket registered as a podman system connection and a docker context named
// after the machine, through those tools' own CLIs, so their file formats stay theirs. A tool
// that is not installed is skipped: there is nothing to register with.
#include "machine/command.h"
#include "platform/host.h"

#include <string>

namespace machine {

// The URI clients reach a machine's API at: its socket (`unix://`) on macOS and Linux; on
// Windows the named pipe the forwarder serves there (`npipe:////./pipe/machine-NAME`, the docker
// CLI's default transport on Windows, which podman's remote client takes too).
std::string api_uri(const std::string &name, const std::string &socket,
                    platform::HostOs os = platform::host_os());

// docker reserves "default" and refuses one-character names: those machines' contexts are
// "machine-default", "machine-c".
std::string docker_context_name(const std::string &name);

Command podman_connection_add(const std::string &name, const std::string &uri, bool make_default);
Command podman_connection_remove(const std::string &name);
Command docker_context_create(const std::string &name, const std::string &host);
Command docker_context_remove(const std::string &name);

// Idempotent: an existing entry of that name is replaced. Never throws for a missing tool or a
// refusal; returns the problems met, one line each, for the caller to show as warnings.
std::vector<std::string> register_connections(ProcessRunner &runner, const std::string &name,
                                              const std::string &socket, bool make_default);
std::vector<std::string> unregister_connections(ProcessRunner &runner, const std::string &name);

} // namespace machine

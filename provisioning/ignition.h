#pragma once
// Ignition v3 for Fedora CoreOS / podman machine-os images and for our own image (whose guest
// agent applies the same subset): the user and key, the pinned host key, hostname, time zone,
// the podman API socket, host-folder mounts, and a unit that tells the host "Ready".
#include "provisioning/guest_settings.h"

#include <nlohmann/json.hpp>

namespace machine::provisioning {

nlohmann::json render_ignition(const GuestSettings &settings);

// The unit every provisioned guest runs once sshd and the podman socket are up.
std::string ready_unit();

// A data: URL carrying `contents` (base64, so any bytes survive).
std::string data_url(const std::string &contents);

} // namespace machine::provisioning

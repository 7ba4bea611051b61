#pragma once
// cloud-init NoCloud for Debian/Ubuntu cloud images: the same settings as the Ignition config,
// as `user-data` and `meta-data`, and the `cidata` seed image that carries them.
#include "provisioning/guest_settings.h"

#include <filesystem>
#include <string>

namespace machine::provisioning {

std::string render_user_data(const GuestSettings &settings);
std::string render_meta_data(const GuestSettings &settings, const std::string &instance_id);

// Writes an ISO 9660 image labelled "cidata" holding user-data and meta-data (libarchive).
void write_seed_image(const std::filesystem::path &iso, const std::string &user_data,
                      const std::string &meta_data);

} // namespace machine::provisioning

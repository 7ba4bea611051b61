#pragma once
// A seed disk: a small ISO 9660 image (Rock Ridge and Joliet names) with a volume label the guest
// looks for, "cidata" for cloud-init NoCloud or "ignition" for our agent, written with
// libarchive.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace machine::provisioning {

using SeedFiles = std::vector<std::pair<std::string, std::string>>; // name, contents

void write_seed_image(const std::filesystem::path &iso, const std::string &label,
                      const SeedFiles &files);

} // namespace machine::provisioning

#pragma once
// A copy of a file that costs nothing until either side is written, where the filesystem can.
#include <filesystem>

namespace machine::platform {

// Makes `target` (which must not exist) a copy of `source`: a clone on macOS (clonefile(2):
// APFS shares the blocks until either file is written), a plain copy elsewhere. Throws
// SystemError naming both files.
void clone_file(const std::filesystem::path &source, const std::filesystem::path &target);

} // namespace machine::platform

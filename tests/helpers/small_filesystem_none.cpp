#include "small_filesystem.h"

namespace machine::test {

// macOS could with a RAM disk (hdiutil), which these tests have never run on.
std::unique_ptr<SmallFilesystem> mount_small_filesystem(const std::filesystem::path &, int) {
    return nullptr;
}

} // namespace machine::test

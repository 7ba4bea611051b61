#include "platform/clone_file.h"

#include "machine/errors.h"

#if defined(__APPLE__)
#include <cerrno>
#include <sys/clonefile.h>
#endif

namespace machine::platform {

void clone_file(const std::filesystem::path &source, const std::filesystem::path &target) {
    auto what = "cannot copy " + source.string() + " to " + target.string();
#if defined(__APPLE__)
    if (::clonefile(source.c_str(), target.c_str(), 0) == 0)
        return;
    if (errno != ENOTSUP && errno != EXDEV) // not APFS, or another volume: copy instead
        throw SystemError(what, errno);
#endif
    std::error_code error;
    if (!std::filesystem::copy_file(source, target, error))
        throw SystemError(what, error.value(), error.message());
}

} // namespace machine::platform

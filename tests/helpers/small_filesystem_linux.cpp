#include "small_filesystem.h"

#include <string>
#include <sys/mount.h>
#include <unistd.h>

namespace machine::test {

namespace {

class Tmpfs : public SmallFilesystem {
public:
    explicit Tmpfs(std::filesystem::path folder) : folder_(std::move(folder)) {}
    ~Tmpfs() override { ::umount(folder_.c_str()); }

private:
    std::filesystem::path folder_;
};

} // namespace

std::unique_ptr<SmallFilesystem> mount_small_filesystem(const std::filesystem::path &folder,
                                                        int kib) {
    auto options = "size=" + std::to_string(kib) + "k";
    if (::geteuid() != 0 || ::mount("tmpfs", folder.c_str(), "tmpfs", 0, options.c_str()) != 0)
        return nullptr;
    return std::make_unique<Tmpfs>(folder);
}

} // namespace machine::test

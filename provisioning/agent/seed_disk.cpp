#include "provisioning/agent/seed_disk.h"

#include "provisioning/agent/errors.h"
#include "provisioning/agent/unique_fd.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace machine::agent {

namespace {

constexpr off_t descriptor_offset = 16 * 2048; // ISO 9660: after 16 sectors of system area
constexpr std::size_t label_offset = 40, label_size = 32;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

constexpr std::size_t largest_config = 16 << 20;

// Mounted read-only until destroyed, inside a folder only root can enter: the disk's own modes
// would let anyone read the config, which holds the SSH host key.
class ReadOnlyMount {
public:
    explicit ReadOnlyMount(const std::filesystem::path &device) {
        char folder[] = "/run/machine-seed.XXXXXX"; // 0700
        if (!::mkdtemp(folder))
            throw SystemError("cannot make a folder to mount the seed disk on", errno);
        private_ = folder;
        mount_point_ = private_ / "disk";
        if (::mkdir(mount_point_.c_str(), 0700) != 0 ||
            ::mount(device.c_str(), mount_point_.c_str(), "iso9660",
                    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
            int error = errno;
            cleanup();
            throw SystemError("cannot mount the seed disk " + device.string(), error);
        }
    }
    ReadOnlyMount(const ReadOnlyMount &) = delete;
    ReadOnlyMount &operator=(const ReadOnlyMount &) = delete;
    ~ReadOnlyMount() {
        ::umount2(mount_point_.c_str(), MNT_DETACH);
        cleanup();
    }
    const std::filesystem::path &folder() const { return mount_point_; }

private:
    void cleanup() {
        ::rmdir(mount_point_.c_str());
        ::rmdir(private_.c_str());
    }
    std::filesystem::path private_, mount_point_;
};

// A plain file of the disk, bounded: the disk is not to be trusted to hold one (a FIFO would
// block, a link to /dev/zero would never end).
std::optional<std::string> read_plain_file(const std::filesystem::path &path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    struct stat info {};
    if (!fd || ::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode) ||
        std::size_t(info.st_size) > largest_config)
        return std::nullopt;
    std::string text(std::size_t(info.st_size), '\0');
    std::size_t done = 0;
    while (done < text.size()) {
        auto got = ::read(fd.get(), text.data() + done, text.size() - done);
        if (got <= 0)
            return std::nullopt;
        done += std::size_t(got);
    }
    return text;
}

} // namespace

std::optional<std::string> iso9660_label(const std::filesystem::path &device) {
    UniqueFd fd(::open(device.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd)
        return std::nullopt;
    std::array<char, 2048> descriptor{};
    if (::pread(fd.get(), descriptor.data(), descriptor.size(), descriptor_offset) !=
        ssize_t(descriptor.size()))
        return std::nullopt;
    if (descriptor[0] != 1 || std::string_view(&descriptor[1], 5) != "CD001")
        return std::nullopt; // not a primary volume descriptor
    std::string label(&descriptor[label_offset], label_size);
    label.erase(label.find_last_not_of(' ') + 1);
    return lower(label);
}

std::optional<SeedDisk> find_seed_disk(const Root &root) {
    std::error_code error;
    std::vector<std::string> names;
    for (const auto &entry :
         std::filesystem::directory_iterator(root.host("/sys/class/block"), error))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end()); // vdb before vdc: the same answer every boot
    for (const auto &name : names) {
        auto device = root.host("/dev/" + name);
        auto label = iso9660_label(device);
        if (label && (*label == "ignition" || *label == "cidata"))
            return SeedDisk{device, *label};
    }
    return std::nullopt;
}

std::optional<std::string> read_seed_config(const SeedDisk &disk) {
    ReadOnlyMount mounted(disk.device);
    if (disk.label == "ignition")
        return read_plain_file(mounted.folder() / "config.ign");
    auto user_data = read_plain_file(mounted.folder() / "user-data");
    if (user_data && user_data->find_first_not_of(" \t\r\n") != std::string::npos &&
        (*user_data)[user_data->find_first_not_of(" \t\r\n")] == '{')
        return user_data;
    return std::nullopt; // cloud-config is cloud-init's to read
}

} // namespace machine::agent

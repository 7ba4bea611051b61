#include "provisioning/agent/grow.h"

#include "provisioning/agent/errors.h"
#include "provisioning/agent/files.h"
#include "provisioning/agent/text.h"
#include "provisioning/agent/unique_fd.h"

#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <unistd.h>

namespace machine::agent {

namespace {

constexpr std::size_t superblock_offset = 1024;
constexpr std::size_t superblock_size = 1024;
constexpr std::uint16_t ext_magic = 0xEF53;
constexpr std::uint32_t incompat_64bit = 0x80;
constexpr std::uint64_t sector_size = 512;
constexpr std::uint64_t gib = 1024ull * 1024 * 1024;
constexpr std::uint64_t gpt_backup_sectors = 33; // the backup table and its header
constexpr std::uint64_t mib_sectors = 2048;

std::uint32_t le32(std::string_view bytes, std::size_t offset) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i)
        value |= std::uint32_t(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
    return value;
}

std::uint16_t le16(std::string_view bytes, std::size_t offset) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[offset]) |
                                      static_cast<unsigned char>(bytes[offset + 1]) << 8);
}

// mountinfo writes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size()) {
            auto digits = text.substr(i + 1, 3);
            if (digits.find_first_not_of("01234567") == std::string_view::npos) {
                out += static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 +
                                         (digits[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::optional<unsigned> number(std::string_view text) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::string gib_text(std::uint64_t bytes) {
    auto tenths = (bytes * 10 + gib / 2) / gib;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " GiB";
}

std::string sysfs_value(const std::string &path) {
    return std::string(trim(read_file(path).value_or("")));
}

std::uint64_t sysfs_number(const std::string &path) {
    std::uint64_t value = 0;
    auto text = sysfs_value(path);
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

std::string device_name(const std::string &sys) {
    for (auto line : split(read_file(sys + "/uevent").value_or(""), '\n'))
        if (line.substr(0, 8) == "DEVNAME=")
            return std::string(trim(line.substr(8)));
    return {};
}

// True when `disk` starts with a GPT: its header's signature at sector 1.
bool has_gpt(const std::string &disk) {
    UniqueFd fd(::open(disk.c_str(), O_RDONLY | O_CLOEXEC));
    char signature[8] = {};
    return fd && ::pread(fd.get(), signature, sizeof signature, sector_size) == 8 &&
           std::string_view(signature, 8) == "EFI PART";
}

// The partition at `sys` (/sys/dev/block/M:m) and its disk: the folder above it in /sys.
std::optional<PartitionPlace> partition_place(const std::string &sys) {
    if (!stat_path(sys + "/partition"))
        return std::nullopt;
    std::error_code error;
    auto disk = std::filesystem::canonical(sys, error).parent_path().string();
    auto name = device_name(disk);
    if (error || name.empty())
        return std::nullopt;
    return PartitionPlace{"/dev/" + name,
                          has_gpt("/dev/" + name),
                          unsigned(sysfs_number(sys + "/partition")),
                          sysfs_number(sys + "/start"),
                          sysfs_number(sys + "/size"),
                          sysfs_number(disk + "/size")};
}

} // namespace

std::optional<RootMount> root_mount(std::string_view mountinfo) {
    std::optional<RootMount> found;
    for (auto line : split(mountinfo, '\n')) {
        std::vector<std::string_view> fields;
        for (auto field : split(trim(line), ' '))
            if (!field.empty())
                fields.push_back(field);
        // ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
        std::size_t dash = 6;
        while (dash < fields.size() && fields[dash] != "-")
            ++dash;
        if (fields.size() < 6 || dash + 2 >= fields.size() || unescape(fields[4]) != "/")
            continue;
        auto numbers = split(fields[2], ':');
        auto major = numbers.size() == 2 ? number(numbers[0]) : std::nullopt;
        auto minor = numbers.size() == 2 ? number(numbers[1]) : std::nullopt;
        if (!major || !minor)
            continue;
        found = RootMount{*major, *minor, unescape(fields[dash + 2]), unescape(fields[dash + 1])};
    }
    return found;
}

std::optional<ExtSize> ext_superblock_size(std::string_view superblock) {
    if (superblock.size() < superblock_size || le16(superblock, 0x38) != ext_magic)
        return std::nullopt;
    auto log_block_size = le32(superblock, 0x18);
    if (log_block_size > 6) // 1 KiB << 6 = 64 KiB, the largest ext block
        return std::nullopt;
    ExtSize size;
    size.block_size = std::uint64_t(1024) << log_block_size;
    size.blocks = le32(superblock, 0x04);
    if (le32(superblock, 0x60) & incompat_64bit)
        size.blocks |= std::uint64_t(le32(superblock, 0x150)) << 32;
    return size;
}

bool needs_grow(const ExtSize &filesystem, std::uint64_t device_bytes) {
    return device_bytes >= filesystem.bytes() + filesystem.block_size;
}

bool partition_can_grow(const PartitionPlace &place) {
    return place.gpt &&
           place.start + place.sectors + mib_sectors + gpt_backup_sectors <= place.disk_sectors;
}

std::vector<GrowStep> partition_grow_steps(const PartitionPlace &place) {
    auto number = std::to_string(place.number);
    // --force: the disk is in use (it holds /); --no-reread and --no-tell-kernel: partx tells
    // the kernel about this one partition, which works while it is mounted.
    return {{{"sfdisk", "--force", "--relocate", "gpt-bak-std", place.disk}, ""},
            {{"sfdisk", "--force", "--no-reread", "--no-tell-kernel", "-N", number, place.disk},
             ", +\n"},
            {{"partx", "--update", "--nr", number, place.disk}, ""}};
}

std::string grow_root_filesystem(System &system) {
    auto mount = root_mount(read_file("/proc/self/mountinfo").value_or(""));
    if (!mount)
        return "not growing the root filesystem: no mount on / in /proc/self/mountinfo";
    if (mount->fstype != "ext4" && mount->fstype != "ext3" && mount->fstype != "ext2")
        return "not growing the root filesystem: it is " + mount->fstype + ", not ext4";
    auto sys =
        "/sys/dev/block/" + std::to_string(mount->major) + ":" + std::to_string(mount->minor);
    auto name = device_name(sys);
    if (name.empty())
        return "not growing the root filesystem: no device name in " + sys + "/uevent";
    auto device = "/dev/" + name;
    std::string grew_partition;
    if (auto place = partition_place(sys); place && partition_can_grow(*place)) {
        for (const auto &step : partition_grow_steps(*place))
            system.run_with_input(step.argv, step.input);
        grew_partition = "grew the partition " + device + " to the end of " + place->disk + "; ";
    }
    auto sectors = sysfs_number(sys + "/size");
    if (sectors == 0)
        return grew_partition + "not growing the root filesystem: no size in " + sys + "/size";
    auto device_bytes = sectors * sector_size;

    UniqueFd fd(::open(device.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        throw SystemError("cannot open " + device, errno);
    std::string superblock(superblock_size, '\0');
    auto got = ::pread(fd.get(), superblock.data(), superblock.size(), superblock_offset);
    if (got < 0)
        throw SystemError("cannot read the superblock of " + device, errno);
    superblock.resize(static_cast<std::size_t>(got));
    auto filesystem = ext_superblock_size(superblock);
    if (filesystem && !needs_grow(*filesystem, device_bytes))
        return grew_partition + "the root filesystem already fills " + device + " (" +
               gib_text(device_bytes) + ")";
    system.run({"resize2fs", device});
    return grew_partition + "grew the root filesystem on " + device + " from " +
           (filesystem ? gib_text(filesystem->bytes()) : std::string("?")) + " to " +
           gib_text(device_bytes);
}

} // namespace machine::agent

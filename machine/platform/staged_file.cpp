#include "platform/staged_file.h"

#include <charconv>
#include <fmt/format.h>
#include <string_view>

namespace machine::platform {

namespace {

constexpr std::string_view prefix = "partial-";

} // namespace

std::string staged_file_name(int pid, unsigned unique) {
    return fmt::format("{}{}-{:06x}", prefix, pid, unique & 0xffffff);
}

int staged_file_owner(const std::string &name) {
    if (name.compare(0, prefix.size(), prefix) != 0)
        return 0;
    int pid = 0;
    auto begin = name.data() + prefix.size(), end = name.data() + name.size();
    auto [next, error] = std::from_chars(begin, end, pid);
    if (error != std::errc() || next == begin || next == end || *next != '-')
        return 0;
    return pid;
}

} // namespace machine::platform

#include "machine/time_zones.h"

#include <algorithm>
#include <array>

namespace machine {

namespace {

constexpr auto known = std::to_array<std::string_view>({
#include "time_zones.inc"
});

} // namespace

bool is_time_zone(std::string_view name) {
    return std::binary_search(known.begin(), known.end(), name);
}

} // namespace machine

#pragma once
// Machine names become file names, so they are checked before anything touches disk.
#include <cstddef>
#include <string_view>

namespace machine {

inline constexpr std::size_t max_name_length = 64;

// Throws InvalidInput("name") unless `name` matches [a-zA-Z0-9][a-zA-Z0-9_.-]*, holds no "..",
// and is at most max_name_length characters.
void validate_machine_name(std::string_view name);

} // namespace machine

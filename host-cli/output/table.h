#pragma once
// Aligns tab-separated cells into columns, as Go's tabwriter does for podman
// (minimum width 12, padding 2; the last cell of a line is not padded).
#include <string>

namespace machine::cli {

std::string align_columns(const std::string &tab_separated);

} // namespace machine::cli

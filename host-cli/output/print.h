#pragma once
// The shared `--format` handling: "json", a `{{...}}` template (optionally `table ...`), or the
// verb's default table.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace machine::cli {

// Prints `display_rows` through `format` (a template; a `table` template gets a header unless
// `noheading`), aligned into columns when it is a table.
void print_template(const std::string &format, const std::vector<nlohmann::json> &display_rows,
                    const nlohmann::json &headers, bool noheading);

// Pretty JSON, 4-space indented, as podman prints it.
void print_json(const nlohmann::json &value);

} // namespace machine::cli

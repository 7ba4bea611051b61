#pragma once
// What `list`, `inspect` and `info` report, as JSON objects with podman's field names.
#include "machine/machine_manager.h"

#include <nlohmann/json.hpp>

namespace machine::cli {

// The machine that is the default connection (podman: the first one made; here: "default").
inline constexpr const char *default_machine_name = "default";

// One `list` row for --format json: times in RFC 3339, sizes in bytes (as strings, as podman).
nlohmann::json list_json_row(const MachineStatus &status, const Store &store);

// One `list` row for the table and for templates: times and sizes humanized.
nlohmann::json list_display_row(const MachineStatus &status, std::int64_t now);

// The header of the default `list` table, and names for fields whose header is not their name.
const char *list_table_format();
nlohmann::json list_headers();

// One `inspect` entry; `provider` is the machine's.
nlohmann::json inspect_json(const MachineStatus &status, const Store &store,
                            const Provider &provider);

// `info`: the host (with what `provider`, the default one, says of it, and why it is the
// default) and this tool.
nlohmann::json info_json(const std::vector<MachineStatus> &machines, const Store &store,
                         const Provider &provider, const std::string &why_provider);

} // namespace machine::cli

// `--format` templates: any text gives output or an InvalidInput, over a row like list's.
#include "machine/errors.h"
#include "output/template.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static const auto row = nlohmann::json::parse(
        R"({"Name": "dev", "CPUs": 2, "Running": true, "Resources": {"Memory": "2GiB"},
            "Mounts": [{"Source": "/home/u"}], "LastUp": null})");
    try {
        machine::cli::Template format(std::string(reinterpret_cast<const char *>(data), size));
        format.render(row);
        if (format.is_table())
            format.header(nlohmann::json::object());
    } catch (const machine::Error &) {
    }
    return 0;
}

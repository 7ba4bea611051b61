// The machine config loader: any bytes give a config or a CorruptConfig, nothing else.
#include "machine/config_file.h"
#include "machine/errors.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    try {
        auto config = machine::config_from_yaml(
            std::string(reinterpret_cast<const char *>(data), size), "fuzz.yaml");
        // what loads must save and load again the same
        auto again = machine::config_from_yaml(machine::config_to_yaml(config), "again.yaml");
        if (machine::config_to_yaml(again) != machine::config_to_yaml(config))
            __builtin_trap();
    } catch (const machine::Error &) {
    }
    return 0;
}

// The CLI's own parsers: --memory, --disk-size, --cpus, --volume and machine names. Any text is
// accepted or refused with an Error; a volume that is accepted never climbs out with "..".
#include "machine/errors.h"
#include "machine/names.h"
#include "machine/sizes.h"
#include "machine/volume.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char *>(data), size);
    auto quietly = [](auto &&parse) {
        try {
            parse();
        } catch (const machine::Error &) {
        }
    };
    quietly([&] { machine::parse_memory_mib(text); });
    quietly([&] { machine::parse_disk_gib(text); });
    quietly([&] { machine::parse_cpus(text, 8); });
    quietly([&] {
        auto mount = machine::parse_volume(text);
        for (const auto &path : {mount.host_path, mount.guest_path})
            if (path.find("/../") != std::string::npos || path.ends_with("/.."))
                __builtin_trap();
    });
    quietly([&] { machine::validate_machine_name(text); });
    return 0;
}

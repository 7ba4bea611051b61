// QEMU's monitor lines: any line gives a message or a QmpError, and any message a reply or one.
#include "machine/errors.h"
#include "providers/qemu/qmp_client.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    try {
        auto message =
            machine::parse_qmp_message(std::string(reinterpret_cast<const char *>(data), size));
        if (!message.contains("event"))
            machine::qmp_return_of(message, "query-status");
    } catch (const machine::Error &) {
    }
    return 0;
}

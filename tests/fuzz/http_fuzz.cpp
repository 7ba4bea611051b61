// The engine's HTTP responses as the forwarder's port watcher reads them, in pieces of any size:
// a body or a ProtocolError, with memory bounded by the input.
#include "machine/errors.h"
#include "machine/http_response.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char *>(data), size);
    machine::HttpResponse response;
    std::size_t piece = size > 0 ? data[0] % 13 + 1 : 1;
    std::size_t body = 0;
    try {
        for (std::size_t at = 0; at < bytes.size(); at += piece) {
            response.feed(bytes.substr(at, piece));
            body += response.take_body().size();
        }
    } catch (const machine::ProtocolError &) {
    }
    if (body > size)
        __builtin_trap();
    return 0;
}

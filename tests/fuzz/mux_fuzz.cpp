// machine-mux frames from the other end, in pieces of any size: frames or ProtocolErrors, and a
// reader out of step that always finds its way back at the next HELLO.
#include "machine/mux/mux_frame.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace machine::mux;
    std::string_view bytes(reinterpret_cast<const char *>(data), size);
    FrameReader reader;
    std::size_t piece = size > 0 ? data[0] % 17 + 1 : 1;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        reader.feed(bytes.substr(at, piece));
        for (int frames = 0; frames < 100000; ++frames) {
            try {
                auto frame = reader.next();
                if (!frame)
                    break;
                if (encode(*frame).size() != header_size + frame->payload.size())
                    __builtin_trap();
            } catch (const ProtocolError &) {
            }
        }
    }
    // a reader that lost step finds the next HELLO (one in step may be inside a long frame)
    if (reader.synchronised())
        return 0;
    reader.feed(encode(hello(false)));
    for (;;) {
        try {
            auto frame = reader.next();
            if (!frame)
                __builtin_trap();
            if (frame->type == FrameType::hello)
                break;
        } catch (const ProtocolError &) {
        }
    }
    return 0;
}

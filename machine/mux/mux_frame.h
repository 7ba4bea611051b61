#pragma once
// machine-mux framing (docs/mux-protocol.md): frames to bytes and bytes to frames, with the
// resynchronisation on HELLO that lets either end restart at any moment. Pure and shared by the
// host's forwarder and the guest agent.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace machine::mux {

enum class FrameType : std::uint8_t {
    hello = 1,
    open = 2,
    data = 3,
    credit = 4,
    eof = 5,
    close = 6,
    time = 7,
    changed = 8
};

inline constexpr std::size_t header_size = 9;
inline constexpr std::size_t max_payload = 65536;
inline constexpr std::uint32_t initial_credit = 256 * 1024;
inline constexpr std::uint8_t version = 1;

struct Frame {
    FrameType type = FrameType::data;
    std::uint32_t stream = 0;
    std::string payload;
    bool operator==(const Frame &) const = default;
};

class ProtocolError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The bytes of one frame. Throws ProtocolError for a payload over max_payload.
std::string encode(const Frame &frame);

// What a HELLO's sender takes besides streams (the guest agent says so).
struct Takes {
    bool time = false;    // it sets its clock from TIME frames
    bool changes = false; // it tells its watchers of the files CHANGED frames name
};

Frame hello(bool reply_wanted, Takes takes = {});
Frame credit(std::uint32_t stream, std::uint32_t bytes);
// The credit a CREDIT frame grants; throws ProtocolError unless the payload is 4 bytes.
std::uint32_t credit_of(const Frame &frame);
// Whether a HELLO asks for one back.
bool reply_wanted(const Frame &frame);
// What a HELLO's sender takes.
Takes takes(const Frame &frame);
// A TIME frame: the host's clock, nanoseconds since the Unix epoch (UTC).
Frame time_frame(std::int64_t unix_nanoseconds);
// The time a TIME frame carries; throws ProtocolError unless the payload is 8 bytes.
std::int64_t time_of(const Frame &frame);
// A CHANGED frame: a file in a shared folder, by its path in the guest, changed on the host.
Frame changed_frame(std::string_view guest_path);

// Bytes in, frames out. Starts unsynchronised: skips to the first HELLO. A malformed frame throws
// ProtocolError and leaves the reader unsynchronised again (the caller drops its streams).
class FrameReader {
public:
    void feed(std::string_view bytes);
    std::optional<Frame> next();
    bool synchronised() const { return synchronised_; }

private:
    void synchronise();

    std::string buffer_;
    std::size_t start_ = 0; // consumed prefix of buffer_
    bool synchronised_ = false;
};

} // namespace machine::mux

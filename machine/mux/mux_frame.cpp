#include "mux_frame.h"

#include <algorithm>

namespace machine::mux {

namespace {

constexpr std::string_view magic = "machine-mux";
constexpr std::size_t hello_payload_size = magic.size() + 2; // + version + flags
constexpr std::uint8_t reply_wanted_flag = 1, takes_time_flag = 2, takes_changes_flag = 4;
constexpr std::uint8_t last_type = static_cast<std::uint8_t>(FrameType::changed);

void put_u32(std::string &out, std::uint32_t value) {
    for (int shift : {24, 16, 8, 0})
        out.push_back(static_cast<char>((value >> shift) & 0xff));
}

std::uint32_t get_u32(std::string_view bytes) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i)
        value = value << 8 | static_cast<unsigned char>(bytes[i]);
    return value;
}

// The fixed bytes every version-1 HELLO starts with: its header and magic.
const std::string &hello_prefix() {
    static const std::string prefix = [] {
        std::string bytes(1, static_cast<char>(FrameType::hello));
        put_u32(bytes, 0);
        put_u32(bytes, hello_payload_size);
        return bytes + std::string(magic) + static_cast<char>(version);
    }();
    return prefix;
}

void check(const Frame &frame) {
    auto type = static_cast<std::uint8_t>(frame.type);
    if (type < 1 || type > last_type)
        throw ProtocolError("unknown frame type " + std::to_string(type));
    if (frame.payload.size() > max_payload)
        throw ProtocolError("frame payload over 64 KiB");
    if (frame.type == FrameType::hello) {
        if (frame.stream != 0 || frame.payload.size() != hello_payload_size ||
            frame.payload.compare(0, magic.size(), magic) != 0 ||
            static_cast<std::uint8_t>(frame.payload[magic.size()]) != version)
            throw ProtocolError("a HELLO of another protocol or version");
        return;
    }
    if (frame.type == FrameType::time) {
        if (frame.stream != 0 || frame.payload.size() != 8)
            throw ProtocolError("a TIME frame must carry 8 bytes on stream 0");
        return;
    }
    if (frame.type == FrameType::changed) {
        if (frame.stream != 0 || frame.payload.empty() || frame.payload[0] != '/')
            throw ProtocolError("a CHANGED frame must carry an absolute path on stream 0");
        return;
    }
    if (frame.stream == 0)
        throw ProtocolError("a stream frame for stream 0");
    if (frame.type == FrameType::credit && frame.payload.size() != 4)
        throw ProtocolError("a CREDIT frame must carry 4 bytes");
    if (frame.type == FrameType::data && frame.payload.empty())
        throw ProtocolError("an empty DATA frame");
    if (frame.type == FrameType::eof && !frame.payload.empty())
        throw ProtocolError("an EOF frame with a payload");
}

} // namespace

std::string encode(const Frame &frame) {
    if (frame.payload.size() > max_payload)
        throw ProtocolError("frame payload over 64 KiB");
    std::string bytes(1, static_cast<char>(frame.type));
    put_u32(bytes, frame.stream);
    put_u32(bytes, static_cast<std::uint32_t>(frame.payload.size()));
    return bytes + frame.payload;
}

Frame hello(bool reply_wanted, Takes takes) {
    auto flags = (reply_wanted ? reply_wanted_flag : 0) | (takes.time ? takes_time_flag : 0) |
                 (takes.changes ? takes_changes_flag : 0);
    return {FrameType::hello, 0,
            std::string(magic) + static_cast<char>(version) + static_cast<char>(flags)};
}

Frame credit(std::uint32_t stream, std::uint32_t bytes) {
    Frame frame{FrameType::credit, stream, {}};
    put_u32(frame.payload, bytes);
    return frame;
}

std::uint32_t credit_of(const Frame &frame) {
    if (frame.type != FrameType::credit || frame.payload.size() != 4)
        throw ProtocolError("not a CREDIT frame");
    return get_u32(frame.payload);
}

bool reply_wanted(const Frame &frame) {
    return frame.type == FrameType::hello && frame.payload.size() == hello_payload_size &&
           (frame.payload.back() & reply_wanted_flag) != 0;
}

Takes takes(const Frame &frame) {
    if (frame.type != FrameType::hello || frame.payload.size() != hello_payload_size)
        return {};
    auto flags = static_cast<std::uint8_t>(frame.payload.back());
    return {(flags & takes_time_flag) != 0, (flags & takes_changes_flag) != 0};
}

Frame time_frame(std::int64_t unix_nanoseconds) {
    Frame frame{FrameType::time, 0, {}};
    auto bits = static_cast<std::uint64_t>(unix_nanoseconds);
    put_u32(frame.payload, static_cast<std::uint32_t>(bits >> 32));
    put_u32(frame.payload, static_cast<std::uint32_t>(bits));
    return frame;
}

std::int64_t time_of(const Frame &frame) {
    if (frame.type != FrameType::time || frame.payload.size() != 8)
        throw ProtocolError("not a TIME frame");
    std::string_view bytes(frame.payload);
    return static_cast<std::int64_t>(std::uint64_t(get_u32(bytes)) << 32 |
                                     get_u32(bytes.substr(4)));
}

Frame changed_frame(std::string_view guest_path) {
    return {FrameType::changed, 0, std::string(guest_path)};
}

void FrameReader::feed(std::string_view bytes) {
    if (start_ > 0 && start_ >= buffer_.size() / 2) { // drop the consumed prefix now and then
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(bytes);
}

void FrameReader::synchronise() {
    const auto &prefix = hello_prefix();
    auto found = std::string_view(buffer_).find(prefix, start_);
    if (found != std::string::npos) {
        start_ = found;
        synchronised_ = true;
        return;
    }
    // Keep a tail that could be the start of a HELLO split across reads.
    auto keep = std::min(buffer_.size() - start_, prefix.size() - 1);
    start_ = buffer_.size() - keep;
}

std::optional<Frame> FrameReader::next() {
    if (!synchronised_)
        synchronise();
    if (!synchronised_ || buffer_.size() - start_ < header_size)
        return std::nullopt;
    std::string_view view(buffer_);
    view.remove_prefix(start_);
    auto length = get_u32(view.substr(5, 4));
    auto type = static_cast<std::uint8_t>(view[0]);
    if (length > max_payload || type < 1 || type > last_type) {
        synchronised_ = false;
        start_ += 1; // look for the next HELLO after this byte
        throw ProtocolError(length > max_payload ? "frame payload over 64 KiB"
                                                 : "unknown frame type " + std::to_string(type));
    }
    if (view.size() < header_size + length)
        return std::nullopt;
    Frame frame{static_cast<FrameType>(type), get_u32(view.substr(1, 4)),
                std::string(view.substr(header_size, length))};
    try {
        check(frame);
    } catch (const ProtocolError &) {
        synchronised_ = false;
        start_ += 1;
        throw;
    }
    start_ += header_size + length;
    return frame;
}

} // namespace machine::mux

// machine-mux framing: round trips split at every byte, resynchronisation on HELLO after garbage
// or a restart mid-frame, and every malformed frame refused.
#include "../../machine/mux/mux_frame.h"

#include <catch2/catch.hpp>

using namespace machine::mux;

namespace {

std::vector<Frame> read_all(FrameReader &reader, std::string_view bytes, std::size_t piece) {
    std::vector<Frame> frames;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        reader.feed(bytes.substr(at, piece));
        while (auto frame = reader.next())
            frames.push_back(*frame);
    }
    return frames;
}

} // namespace

TEST_CASE("frames survive being split at any byte", "[mux]") {
    std::vector<Frame> sent{hello(true),
                            {FrameType::open, 1, "podman"},
                            {FrameType::data, 1, std::string(70000 - 4470, 'x')},
                            credit(1, 65536),
                            {FrameType::eof, 1, ""},
                            {FrameType::close, 2, "connection refused"},
                            time_frame(1764800000123456789),
                            changed_frame("/home/core/src/main.go"),
                            hello(false, {.time = true, .changes = true})};
    std::string bytes;
    for (const auto &frame : sent)
        bytes += encode(frame);
    for (std::size_t piece : {1, 2, 3, 8, 9, 10, 4096, 100000}) {
        FrameReader reader;
        CHECK(read_all(reader, bytes, piece) == sent);
    }
    CHECK(credit_of(credit(7, 123456)) == 123456);
    CHECK(reply_wanted(hello(true)));
    CHECK_FALSE(reply_wanted(hello(false)));
    CHECK(time_of(time_frame(1764800000123456789)) == 1764800000123456789);
    CHECK(time_of(time_frame(-1)) == -1);
    CHECK(takes(hello(true, {.time = true})).time);
    CHECK_FALSE(takes(hello(true, {.time = true})).changes);
    CHECK(takes(hello(true, {.changes = true})).changes);
    CHECK(reply_wanted(hello(true, {.time = true})));
    CHECK_FALSE(takes(hello(true)).time);
    CHECK_FALSE(takes(hello(true)).changes);
    CHECK_FALSE(reply_wanted(hello(false, {.time = true, .changes = true})));
}

TEST_CASE("a reader skips to the first HELLO", "[mux]") {
    // what a restarted end may find: the tail of an old frame, then the new session
    std::string bytes = encode({FrameType::data, 3, "old session"}).substr(4) + "noise" +
                        encode(hello(false)) + encode({FrameType::data, 1, "new"});
    for (std::size_t piece : {1, 5, 64}) {
        FrameReader reader;
        auto frames = read_all(reader, bytes, piece);
        REQUIRE(frames.size() == 2);
        CHECK(frames[0] == hello(false));
        CHECK(frames[1].payload == "new");
    }
    FrameReader nothing;
    CHECK(read_all(nothing, encode({FrameType::data, 1, "no hello yet"}), 3).empty());
    CHECK_FALSE(nothing.synchronised());
}

TEST_CASE("malformed frames are refused and the reader waits for a HELLO again", "[mux]") {
    auto header = [](std::uint8_t type, std::uint32_t stream, std::uint32_t length) {
        std::string out(1, char(type));
        for (auto value : {stream, length})
            for (int shift : {24, 16, 8, 0})
                out.push_back(char((value >> shift) & 0xff));
        return out;
    };
    for (std::string bad :
         {header(9, 0, 0), header(3, 1, 65537), header(3, 0, 1) + "x", header(3, 1, 0),
          header(4, 1, 3) + "abc", header(5, 1, 1) + "x", header(1, 0, 13) + "machine-mux\x02\x01",
          header(1, 5, 13) + "machine-mux\x01\x01", header(7, 1, 8) + "12345678",
          header(7, 0, 4) + "1234", header(8, 0, 0), header(8, 1, 2) + "/x",
          header(8, 0, 8) + "relative"}) {
        FrameReader reader;
        reader.feed(encode(hello(false)));
        CHECK(reader.next() == hello(false));
        reader.feed(bad + encode({FrameType::data, 1, "dropped"}) + encode(hello(true)));
        CHECK_THROWS_AS(reader.next(), machine::mux::ProtocolError);
        CHECK_FALSE(reader.synchronised());
        CHECK(reader.next() == hello(true)); // back in step at the next HELLO
    }
    CHECK_THROWS_AS(encode({FrameType::data, 1, std::string(max_payload + 1, 'x')}),
                    machine::mux::ProtocolError);
}

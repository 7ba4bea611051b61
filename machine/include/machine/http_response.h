#pragma once
// An HTTP/1.1 response read as it arrives, for the few API calls the forwarder makes itself (the
// engine's event stream, the container list): status line, headers, then the body decoded from
// Content-Length, chunked transfer coding, or read-until-close. Pure: bytes in, body bytes out.
#include <cstddef>
#include <string>
#include <string_view>

namespace machine {

class HttpResponse {
public:
    // Takes the next bytes from the connection; throws ProtocolError on a malformed response.
    void feed(std::string_view bytes);

    bool headers_done() const { return state_ != State::headers; }
    int status() const { return status_; }
    // Body bytes decoded so far and not yet taken.
    std::string take_body();
    // The whole body has arrived (Content-Length reached or the last chunk read).
    bool complete() const { return state_ == State::done; }

private:
    enum class State { headers, identity, chunk_size, chunk_data, chunk_end, trailers, done };
    void parse_headers(std::string_view head);
    bool step(); // one unit of progress on input_; false when it needs more bytes

    State state_ = State::headers;
    std::string input_;
    std::string body_;
    int status_ = 0;
    bool has_length_ = false;
    std::size_t remaining_ = 0; // of the body (identity with a length) or of the current chunk
};

} // namespace machine

#include "machine/http_response.h"

#include "machine/errors.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace machine {

namespace {

constexpr std::size_t header_limit = 64 * 1024;

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

[[noreturn]] void malformed(const std::string &what) {
    throw ProtocolError("malformed HTTP response from the engine: " + what);
}

} // namespace

void HttpResponse::feed(std::string_view bytes) {
    input_.append(bytes);
    while (step()) {
    }
    if (state_ == State::headers && input_.size() > header_limit)
        malformed("headers over 64 KiB");
}

std::string HttpResponse::take_body() {
    std::string out;
    out.swap(body_);
    return out;
}

void HttpResponse::parse_headers(std::string_view head) {
    auto line_end = head.find("\r\n");
    auto status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12)
        malformed("no status line");
    auto code = status_line.substr(9, 3);
    if (std::from_chars(code.data(), code.data() + 3, status_).ec != std::errc() || status_ < 100)
        malformed("bad status code");
    bool chunked = false;
    while (line_end != std::string_view::npos) {
        auto start = line_end + 2;
        line_end = head.find("\r\n", start);
        auto line =
            head.substr(start, line_end == std::string_view::npos ? head.npos : line_end - start);
        auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        auto name = lower(trim(line.substr(0, colon)));
        auto value = trim(line.substr(colon + 1));
        if (name == "transfer-encoding" && lower(value).find("chunked") != std::string::npos)
            chunked = true;
        if (name == "content-length") {
            if (std::from_chars(value.data(), value.data() + value.size(), remaining_).ec !=
                std::errc())
                malformed("bad Content-Length");
            has_length_ = true;
        }
    }
    if (chunked)
        state_ = State::chunk_size;
    else if (has_length_)
        state_ = remaining_ == 0 ? State::done : State::identity;
    else
        state_ = status_ == 204 || status_ == 304 ? State::done : State::identity;
}

bool HttpResponse::step() {
    switch (state_) {
    case State::headers: {
        auto end = input_.find("\r\n\r\n");
        if (end == std::string::npos)
            return false;
        parse_headers(std::string_view(input_).substr(0, end));
        input_.erase(0, end + 4);
        return true;
    }
    case State::identity: {
        if (input_.empty())
            return false;
        auto n = has_length_ ? std::min(remaining_, input_.size()) : input_.size();
        body_.append(input_, 0, n);
        input_.erase(0, n);
        if (has_length_ && (remaining_ -= n) == 0)
            state_ = State::done;
        return true;
    }
    case State::chunk_size: {
        auto end = input_.find("\r\n");
        if (end == std::string::npos) {
            if (input_.size() > 1024)
                malformed("chunk size line too long");
            return false;
        }
        auto digits = std::string_view(input_).substr(0, std::min(end, input_.find(';')));
        digits = trim(digits);
        if (digits.empty() ||
            std::from_chars(digits.data(), digits.data() + digits.size(), remaining_, 16).ec !=
                std::errc())
            malformed("bad chunk size");
        input_.erase(0, end + 2);
        state_ = remaining_ == 0 ? State::trailers : State::chunk_data;
        return true;
    }
    case State::chunk_data: {
        if (input_.empty())
            return false;
        auto n = std::min(remaining_, input_.size());
        body_.append(input_, 0, n);
        input_.erase(0, n);
        if ((remaining_ -= n) == 0)
            state_ = State::chunk_end;
        return true;
    }
    case State::chunk_end:
        if (input_.size() < 2)
            return false;
        if (input_.compare(0, 2, "\r\n") != 0)
            malformed("chunk not followed by CRLF");
        input_.erase(0, 2);
        state_ = State::chunk_size;
        return true;
    case State::trailers: {
        auto end = input_.find("\r\n");
        if (end == std::string::npos)
            return false;
        input_.erase(0, end + 2);
        if (end == 0)
            state_ = State::done; // the empty line after the last chunk
        return true;
    }
    case State::done:
        return false;
    }
    return false;
}

} // namespace machine

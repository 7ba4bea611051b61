// The HTTP responses the forwarder reads from the engine: Content-Length, chunked (split at every
// possible byte), read-until-close, and malformed input refused.
#include "machine/errors.h"
#include "machine/http_response.h"

#include <catch2/catch.hpp>

using machine::HttpResponse;

namespace {

std::string body_fed_in_pieces(const std::string &response, std::size_t piece) {
    HttpResponse parser;
    std::string body;
    for (std::size_t at = 0; at < response.size(); at += piece) {
        parser.feed(std::string_view(response).substr(at, piece));
        body += parser.take_body();
    }
    CHECK(parser.complete());
    return body;
}

} // namespace

TEST_CASE("a body with Content-Length", "[http]") {
    std::string response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           "content-length: 7\r\n\r\n[1,2,3]";
    for (std::size_t piece = 1; piece <= response.size(); ++piece)
        CHECK(body_fed_in_pieces(response, piece) == "[1,2,3]");
    HttpResponse parser;
    parser.feed(response);
    CHECK(parser.status() == 200);
}

TEST_CASE("a chunked body, fed in pieces of every size", "[http]") {
    std::string response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\n{\"a\":\r\n"
                           "3;ext=1\r\n1}\n\r\n"
                           "0\r\n\r\n";
    for (std::size_t piece = 1; piece <= response.size(); ++piece)
        CHECK(body_fed_in_pieces(response, piece) == "{\"a\":1}\n");
}

TEST_CASE("an event stream delivers each chunk as it arrives", "[http]") {
    HttpResponse parser;
    parser.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    CHECK(parser.headers_done());
    CHECK(parser.take_body().empty());
    parser.feed("6\r\n{\"x\"}\n\r\n");
    CHECK(parser.take_body() == "{\"x\"}\n");
    CHECK_FALSE(parser.complete());
}

TEST_CASE("without a length the body runs to the end of the connection", "[http]") {
    HttpResponse parser;
    parser.feed("HTTP/1.0 404 Not Found\r\n\r\nno such");
    CHECK(parser.status() == 404);
    CHECK(parser.take_body() == "no such");
    CHECK_FALSE(parser.complete());
}

TEST_CASE("malformed responses are refused", "[http]") {
    for (std::string bad : {"SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n",
                            "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc"}) {
        INFO(bad);
        HttpResponse parser;
        CHECK_THROWS_AS(parser.feed(bad), machine::ProtocolError);
    }
    HttpResponse endless;
    CHECK_THROWS_AS(endless.feed("HTTP/1.1 200 OK\r\n" + std::string(70000, 'x')),
                    machine::ProtocolError);
}

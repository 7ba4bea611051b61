#pragma once
// RFC 2397 data: URLs, the only file source the agent accepts (it fetches nothing):
//   data:,hello%20world                       percent-encoded bytes
//   data:;base64,aGVsbG8=                     base64 (itself percent-decoded first)
//   data:text/plain;charset=utf-8;base64,...  a media type and parameters, ignored
// Each function throws ConfigError naming `field` (the JSON field the URL came from).
#include <string>
#include <string_view>

namespace machine::agent {

std::string decode_data_url(std::string_view url, const std::string &field);

// %XX escapes decoded; every other byte, '+' included, is kept as it is.
std::string percent_decode(std::string_view text, const std::string &field);

// The standard alphabet; '=' padding optional; spaces and line breaks ignored.
std::string base64_decode(std::string_view text, const std::string &field);

} // namespace machine::agent

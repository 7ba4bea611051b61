#pragma once
// Numbers and times as podman prints them for people.
#include <cstdint>
#include <string>

namespace machine::cli {

// "Less than a second ago", "3 minutes ago", "About an hour ago", "2 weeks ago" (go-units).
std::string time_ago(std::int64_t then, std::int64_t now);

// "2GiB", "512MiB", "1.5GiB" (go-units BytesSize).
std::string bytes_size(std::uint64_t bytes);

// RFC 3339 in local time with its offset, e.g. "2026-11-29T04:05:06+01:00".
std::string rfc3339(std::int64_t unix_seconds);

} // namespace machine::cli

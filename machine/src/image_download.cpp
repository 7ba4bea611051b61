#include "machine/image_download.h"

#include "machine/errors.h"
#include "platform/curl.h"
#include "platform/sha256.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <fmt/format.h>

namespace machine {

namespace {

constexpr long max_redirects = 5;
constexpr long connect_timeout_s = 30;
constexpr long stall_timeout_s = 60; // abort when less than a byte a second arrives this long

// What the libcurl callbacks share. An exception must not unwind through libcurl's C frames: it
// is parked here, the transfer aborted, and rethrown once perform() returns.
struct Transfer {
    platform::StagedFile &out;
    const std::function<void(std::uint64_t, std::uint64_t)> &progress;
    platform::Sha256 sha256;
    std::uint64_t bytes = 0;
    curl_off_t reported_now = -1, reported_total = -1;
    std::exception_ptr error;
};

std::size_t on_data(char *data, std::size_t size, std::size_t count, void *user) {
    auto &transfer = *static_cast<Transfer *>(user);
    try {
        transfer.out.write(data, size * count);
        transfer.sha256.update(data, size * count);
        transfer.bytes += size * count;
        return size * count;
    } catch (...) {
        transfer.error = std::current_exception();
        return 0; // anything but size * count aborts the transfer
    }
}

int on_progress(void *user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
    auto &transfer = *static_cast<Transfer *>(user);
    if (now == transfer.reported_now && total == transfer.reported_total)
        return 0;
    transfer.reported_now = now;
    transfer.reported_total = total;
    try {
        transfer.progress(std::uint64_t(std::max<curl_off_t>(now, 0)),
                          std::uint64_t(std::max<curl_off_t>(total, 0)));
        return 0;
    } catch (...) {
        transfer.error = std::current_exception();
        return 1; // aborts the transfer
    }
}

std::string without_controls(std::string text) {
    std::replace_if(
        text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }, '?');
    return text;
}

std::string tls_hint(CURLcode code) {
    switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return "the server's certificate is not trusted; check the URL, or add its CA to the "
               "system's trusted certificates";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
        return "check the URL and the network (and a proxy in $https_proxy)";
    default:
        return {};
    }
}

} // namespace

bool is_download_url(const std::string &source) {
    auto starts = [&](std::string_view scheme) {
        return source.size() > scheme.size() &&
               std::equal(scheme.begin(), scheme.end(), source.begin(), [](char a, char b) {
                   return a == std::tolower(static_cast<unsigned char>(b));
               });
    };
    return starts("http://") || starts("https://");
}

std::string display_url(const std::string &url) {
    auto authority = url.find("://");
    if (authority != std::string::npos) {
        authority += 3;
        auto end = url.find_first_of("/?#", authority);
        auto at = url.rfind('@', end == std::string::npos ? url.size() : end);
        if (at != std::string::npos && at >= authority)
            return without_controls(url.substr(0, authority) + url.substr(at + 1));
    }
    return without_controls(url);
}

Download download(const std::string &url, platform::StagedFile &out,
                  const std::function<void(std::uint64_t, std::uint64_t)> &progress) {
    platform::CurlEasy curl;
    Transfer transfer{out, progress, {}, 0, -1, -1, nullptr};
    std::array<char, CURL_ERROR_SIZE> message{};
    curl.set(CURLOPT_URL, url.c_str());
    curl.set(CURLOPT_PROTOCOLS_STR, "http,https");
    curl.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl.set(CURLOPT_FOLLOWLOCATION, 1L);
    curl.set(CURLOPT_MAXREDIRS, max_redirects);
    curl.set(CURLOPT_FAILONERROR, 1L);
    curl.set(CURLOPT_SSL_VERIFYPEER, 1L);
    curl.set(CURLOPT_SSL_VERIFYHOST, 2L);
    curl.set(CURLOPT_CONNECTTIMEOUT, connect_timeout_s);
    curl.set(CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl.set(CURLOPT_LOW_SPEED_TIME, stall_timeout_s);
    curl.set(CURLOPT_NOSIGNAL, 1L);
    curl.set(CURLOPT_USERAGENT, "machine/" MACHINE_VERSION);
    curl.set(CURLOPT_ERRORBUFFER, message.data());
    curl.set(CURLOPT_WRITEFUNCTION, &on_data);
    curl.set(CURLOPT_WRITEDATA, static_cast<void *>(&transfer));
    curl.set(CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl.set(CURLOPT_XFERINFODATA, static_cast<void *>(&transfer));
    curl.set(CURLOPT_NOPROGRESS, 0L);

    auto code = curl.perform();
    if (transfer.error)
        std::rethrow_exception(transfer.error);
    auto shown = display_url(url);
    auto expected = curl.info<curl_off_t>(CURLINFO_CONTENT_LENGTH_DOWNLOAD_T);
    if (code == CURLE_HTTP_RETURNED_ERROR) {
        auto status = curl.info<long>(CURLINFO_RESPONSE_CODE);
        if (status == 404 || status == 410)
            throw NotFound(fmt::format("cannot download {}: HTTP {} (not found)", shown, status),
                           "check the URL");
        throw Error(fmt::format("cannot download {}: HTTP {}", shown, status));
    }
    if (code == CURLE_PARTIAL_FILE ||
        (code == CURLE_OK && expected >= 0 && transfer.bytes != std::uint64_t(expected)))
        throw Error(expected >= 0 ? fmt::format("download of {} was cut short: {} of {} bytes "
                                                "arrived",
                                                shown, transfer.bytes, expected)
                                  : fmt::format("download of {} was cut short after {} bytes",
                                                shown, transfer.bytes),
                    "try again");
    if (code != CURLE_OK)
        throw Error(
            fmt::format("cannot download {}: {}", shown,
                        without_controls(message[0] ? message.data() : curl.describe(code))),
            tls_hint(code));
    return {transfer.bytes, transfer.sha256.hex_digest()};
}

} // namespace machine

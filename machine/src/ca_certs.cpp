#include "machine/ca_certs.h"

#include "machine/errors.h"
#include "machine/printable.h"
#include "platform/atomic_file.h"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <vector>

namespace fs = std::filesystem;

namespace machine {

namespace {

constexpr std::string_view begin_marker = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view end_marker = "-----END CERTIFICATE-----";
constexpr std::size_t max_bundle = 1 << 20;

bool base64_text(std::string_view body) {
    return std::all_of(body.begin(), body.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '/' || c == '=' || std::isspace(c);
    });
}

// The certificate blocks of one file's text, each normalised to end in a newline.
std::string certificates_of(const std::string &text, const fs::path &file,
                            const std::string &field) {
    auto bad = [&](const std::string &why) {
        return InvalidInput(field, fmt::format("{}: {} {}", field, printable(file.string()), why),
                            "give PEM files of CA certificates (-----BEGIN CERTIFICATE-----)");
    };
    if (text.find("PRIVATE KEY-----") != std::string::npos)
        throw bad("holds a private key; give only certificates");
    std::string certificates;
    for (auto at = text.find(begin_marker); at != std::string::npos;
         at = text.find(begin_marker, at)) {
        auto body = at + begin_marker.size();
        auto end = text.find(end_marker, body);
        if (end == std::string::npos)
            throw bad("has a certificate without its END line");
        if (!base64_text(std::string_view(text).substr(body, end - body)))
            throw bad("has a certificate that is not base64 text");
        auto stop = end + end_marker.size();
        certificates += text.substr(at, stop - at) + '\n';
        at = stop;
    }
    if (certificates.empty())
        throw bad("holds no PEM certificate");
    return certificates;
}

} // namespace

std::string read_ca_certs(const fs::path &path, const std::string &field) {
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(path, ec)) {
        for (const auto &entry : fs::directory_iterator(path, ec)) {
            auto ext = entry.path().extension().string();
            if (entry.is_regular_file(ec) && (ext == ".pem" || ext == ".crt" || ext == ".cer"))
                files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        if (files.empty())
            throw InvalidInput(field, fmt::format("{}: folder {} has no .pem, .crt or .cer file",
                                                  field, printable(path.string())));
    } else if (fs::is_regular_file(path, ec)) {
        files.push_back(path);
    } else {
        throw InvalidInput(field, fmt::format("{}: {} is neither a file nor a folder", field,
                                              printable(path.string())));
    }
    std::string bundle;
    for (const auto &file : files) {
        if (fs::file_size(file, ec) > max_bundle || bundle.size() > max_bundle)
            throw InvalidInput(field, fmt::format("{}: {} is over 1 MiB of certificates; give "
                                                  "only the CAs the machine needs",
                                                  field, printable(file.string())));
        bundle += certificates_of(platform::read_file(file), file, field);
    }
    return bundle;
}

std::size_t count_ca_certs(const std::string &bundle) {
    std::size_t n = 0;
    for (auto at = bundle.find(begin_marker); at != std::string::npos;
         at = bundle.find(begin_marker, at + 1))
        ++n;
    return n;
}

} // namespace machine

#include "machine/image_decompress.h"

#include "machine/errors.h"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <array>
#include <cerrno>
#include <exception>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <vector>

namespace machine {

namespace {

constexpr std::size_t block_size = 1 << 20;

struct ArchiveFree {
    void operator()(archive *handle) const { archive_read_free(handle); }
};
using Archive = std::unique_ptr<archive, ArchiveFree>;

// What the libarchive read callback shares; exceptions are parked here, not thrown through C.
struct Source {
    std::ifstream in;
    const ByteBlock &input;
    std::vector<char> buffer;
    std::exception_ptr error;
};

la_ssize_t read_source(archive *handle, void *user, const void **block) {
    auto &source = *static_cast<Source *>(user);
    try {
        source.in.read(source.buffer.data(), std::streamsize(source.buffer.size()));
        if (source.in.bad())
            throw SystemError("cannot read the image", errno);
        auto n = std::size_t(source.in.gcount());
        source.input(source.buffer.data(), n);
        *block = source.buffer.data();
        return la_ssize_t(n);
    } catch (...) {
        source.error = std::current_exception();
        archive_set_error(handle, EIO, "aborted");
        return -1;
    }
}

int enable_filter(archive *handle, Compression compression) {
    switch (compression) {
    case Compression::zstd:
        return archive_read_support_filter_zstd(handle);
    case Compression::xz:
        return archive_read_support_filter_xz(handle);
    case Compression::gzip:
        return archive_read_support_filter_gzip(handle);
    case Compression::none:
        break;
    }
    return ARCHIVE_FATAL;
}

} // namespace

Compression detect_compression(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    std::array<unsigned char, 6> magic{};
    if (!in.read(reinterpret_cast<char *>(magic.data()), magic.size()))
        return Compression::none;
    auto starts = [&](std::initializer_list<unsigned char> bytes) {
        return std::equal(bytes.begin(), bytes.end(), magic.begin());
    };
    if (starts({0x28, 0xb5, 0x2f, 0xfd}))
        return Compression::zstd;
    if (starts({0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00}))
        return Compression::xz;
    if (starts({0x1f, 0x8b}))
        return Compression::gzip;
    return Compression::none;
}

const char *compression_name(Compression compression) {
    switch (compression) {
    case Compression::zstd:
        return "zstd";
    case Compression::xz:
        return "xz";
    case Compression::gzip:
        return "gzip";
    case Compression::none:
        break;
    }
    return "none";
}

void decompress(const std::filesystem::path &source_path, Compression compression,
                const std::string &label, const ByteBlock &input, const ByteBlock &output) {
    Source source{std::ifstream(source_path, std::ios::binary), input,
                  std::vector<char>(block_size), nullptr};
    if (!source.in)
        throw SystemError("cannot open " + label, errno);
    Archive reader(archive_read_new());
    if (!reader)
        throw Error("cannot decompress " + label + ": out of memory");
    auto corrupt = [&]() {
        if (source.error)
            std::rethrow_exception(source.error);
        const char *why = archive_error_string(reader.get());
        throw InvalidInput("--image",
                           fmt::format("--image: {} is not a valid {} stream ({})", label,
                                       compression_name(compression), why ? why : "unreadable"),
                           "download or compress the image again");
    };
    if (enable_filter(reader.get(), compression) != ARCHIVE_OK ||
        archive_read_support_format_raw(reader.get()) != ARCHIVE_OK)
        throw Error(fmt::format("cannot decompress {}: no {} support", label,
                                compression_name(compression)));
    if (archive_read_open(reader.get(), &source, nullptr, &read_source, nullptr) != ARCHIVE_OK)
        corrupt();
    archive_entry *entry = nullptr;
    if (archive_read_next_header(reader.get(), &entry) != ARCHIVE_OK)
        corrupt();
    std::vector<char> buffer(block_size);
    for (;;) {
        auto n = archive_read_data(reader.get(), buffer.data(), buffer.size());
        if (n < 0)
            corrupt();
        if (n == 0)
            break;
        output(buffer.data(), std::size_t(n));
    }
}

} // namespace machine

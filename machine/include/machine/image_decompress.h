#pragma once
// Compressed images (.zst, .xz, .gz), recognized by their first bytes, never by their name.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

namespace machine {

enum class Compression { none, zstd, xz, gzip };

// From the magic bytes: zstd 28 b5 2f fd, xz fd 37 7a 58 5a 00, gzip 1f 8b. A file that cannot
// be read is `none` (the disk check that follows names the problem).
Compression detect_compression(const std::filesystem::path &path);
const char *compression_name(Compression compression);

using ByteBlock = std::function<void(const char *data, std::size_t size)>;

// Streams `source` through its decompressor: `input` sees every block of compressed bytes as it
// is read, `output` every block of decompressed ones. Throws InvalidInput("--image") naming
// `label` when the stream is corrupt or truncated; what `input`/`output` throw passes through.
void decompress(const std::filesystem::path &source, Compression compression,
                const std::string &label, const ByteBlock &input, const ByteBlock &output);

} // namespace machine

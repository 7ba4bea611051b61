#pragma once
// Files that are either wholly old or wholly new, even across a crash or a full disk.
#include <filesystem>
#include <string>

namespace machine::platform {

// Writes a temp file beside `path`, fsyncs it, renames it over `path` and fsyncs the folder.
// On any failure the temp file is removed and `path` is untouched. Throws SystemError.
void write_file_atomically(const std::filesystem::path &path, const std::string &contents,
                           unsigned mode = 0600);

std::string read_file(const std::filesystem::path &path);

// Creates `dir` and its parents with `mode`; refuses a symlink or a folder owned by someone else.
// Refuses (HostNotReady) a `dir` that is not a folder of ours (a symlink, a file, another user's);
// true when it exists, false when it does not. Creates nothing.
bool check_private_dir(const std::filesystem::path &dir);

void make_private_dir(const std::filesystem::path &dir, unsigned mode = 0700);

} // namespace machine::platform

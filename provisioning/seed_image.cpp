#include "provisioning/seed_image.h"

#include "machine/errors.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <memory>

namespace machine::provisioning {

namespace {

using Archive = std::unique_ptr<archive, decltype(&archive_write_free)>;
using Entry = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

void check(archive *a, int rc, const std::string &what) {
    if (rc != ARCHIVE_OK)
        throw Error(fmt::format("cannot write the seed image ({}): {}", what,
                                archive_error_string(a) ? archive_error_string(a) : "unknown"));
}

void add_file(archive *a, const std::string &name, const std::string &contents) {
    Entry entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), la_int64_t(contents.size()));
    check(a, archive_write_header(a, entry.get()), name);
    if (archive_write_data(a, contents.data(), contents.size()) != la_ssize_t(contents.size()))
        check(a, ARCHIVE_FATAL, name);
}

} // namespace

void write_seed_image(const std::filesystem::path &iso, const std::string &label,
                      const SeedFiles &files) {
    Archive a(archive_write_new(), archive_write_free);
    check(a.get(), archive_write_set_format_iso9660(a.get()), "format");
    check(a.get(), archive_write_set_format_option(a.get(), "iso9660", "volume-id", label.c_str()),
          "volume id");
    check(a.get(), archive_write_set_format_option(a.get(), "iso9660", "rockridge", "1"),
          "rock ridge");
    check(a.get(), archive_write_set_format_option(a.get(), "iso9660", "joliet", "1"), "joliet");
    check(a.get(), archive_write_open_filename(a.get(), iso.string().c_str()), iso.string());
    for (const auto &[name, contents] : files)
        add_file(a.get(), name, contents);
    check(a.get(), archive_write_close(a.get()), "close");
}

} // namespace machine::provisioning

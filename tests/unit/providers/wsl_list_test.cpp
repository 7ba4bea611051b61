// What `wsl.exe --list --quiet [--running]` prints, read in either of its encodings: UTF-16LE
// (wsl.exe's default: with or without a byte order mark, CRLF or CR CR LF, NUL padding) and
// UTF-8 (WSL_UTF8=1).
#include "providers/wsl/wsl_list.h"

#include <catch2/catch.hpp>

using namespace machine;
using Names = std::vector<std::string>;

namespace {

// `text` (ASCII, or UTF-8 of the Basic Multilingual Plane) as UTF-16LE bytes.
std::string utf16le(const std::u16string &text, bool bom) {
    std::string bytes = bom ? std::string("\xff\xfe") : std::string();
    for (char16_t c : text) {
        bytes += char(c & 0xff);
        bytes += char(c >> 8);
    }
    return bytes;
}

} // namespace

TEST_CASE("wsl --list in UTF-16LE with a byte order mark and CRLF", "[wsl]") {
    auto output = utf16le(u"machine-dev\r\nUbuntu\r\nmachine-default\r\n", true);
    CHECK(parse_wsl_list(output) == Names{"machine-dev", "Ubuntu", "machine-default"});
    CHECK(wsl_lists(output, "machine-dev"));
    CHECK(wsl_lists(output, "MACHINE-DEFAULT")); // WSL's names ignore case
    CHECK_FALSE(wsl_lists(output, "machine"));
    CHECK_FALSE(wsl_lists(output, "machine-de"));
}

TEST_CASE("wsl --list in UTF-16LE without a byte order mark, CR CR LF and trailing NULs", "[wsl]") {
    auto output = utf16le(u"machine-dev\r\r\n\r\r\nDebian\r\n", false) + std::string(4, '\0');
    CHECK(parse_wsl_list(output) == Names{"machine-dev", "Debian"});
    // An odd last byte (a truncated read) is dropped, not misread.
    CHECK(parse_wsl_list(utf16le(u"a-b\r\n", false) + "x") == Names{"a-b"});
    // Beyond ASCII, and beyond the Basic Multilingual Plane by a surrogate pair.
    CHECK(parse_wsl_list(utf16le(u"caf\u00e9\r\n\U0001F600x\r\n", true)) ==
          Names{"caf\xc3\xa9", "\xf0\x9f\x98\x80x"});
    CHECK(parse_wsl_list(utf16le(u"\xd800z\r\n", false)) == Names{"\xef\xbf\xbdz"});
}

TEST_CASE("wsl --list in UTF-8, as WSL_UTF8=1 has it, with or without a byte order mark", "[wsl]") {
    CHECK(parse_wsl_list("machine-dev\r\nUbuntu-22.04\r\n") ==
          Names{"machine-dev", "Ubuntu-22.04"});
    CHECK(parse_wsl_list("machine-dev\n") == Names{"machine-dev"});
    CHECK(parse_wsl_list("\xef\xbb\xbfmachine-dev\r\n") == Names{"machine-dev"});
    CHECK(parse_wsl_list("  machine-dev \t\r\n") == Names{"machine-dev"});
}

TEST_CASE("nothing listed: empty output, blank lines, or one of wsl.exe's messages", "[wsl]") {
    CHECK(parse_wsl_list("").empty());
    CHECK(parse_wsl_list("\r\n\r\n").empty());
    CHECK(parse_wsl_list(utf16le(u"", true)).empty());
    CHECK(parse_wsl_list("There are no running distributions.\r\n").empty());
    CHECK(parse_wsl_list(utf16le(u"Windows Subsystem for Linux has no installed "
                                 u"distributions.\r\n",
                                 false))
              .empty());
    CHECK_FALSE(wsl_lists("There are no running distributions.\r\n", "There"));
}

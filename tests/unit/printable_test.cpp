// User text in messages and in the guest's config: control characters and bytes that are not
// UTF-8 shown escaped; plain text is UTF-8 without control characters.
#include "machine/printable.h"

#include <catch2/catch.hpp>

using machine::is_plain_text;

TEST_CASE("printable escapes control characters and bytes that are not UTF-8", "[printable]") {
    CHECK(machine::printable("plain zoë ✓ 𝄞") == "plain zoë ✓ 𝄞");
    CHECK(machine::printable("a\nb\x7f") == "a\\x0ab\\x7f");
    CHECK(machine::printable("bad\xff") == "bad\\xff");
    CHECK(machine::printable("\xc0\xaf") == "\\xc0\\xaf");          // an overlong '/'
    CHECK(machine::printable("\xed\xa0\x80") == "\\xed\\xa0\\x80"); // a surrogate
    CHECK(machine::printable("cut\xe2\x9c") == "cut\\xe2\\x9c");    // a sequence cut short
}

TEST_CASE("plain text is UTF-8 without control characters", "[printable]") {
    CHECK(is_plain_text(""));
    CHECK(is_plain_text("/home/zoë/my project,v2/100%"));
    CHECK(is_plain_text("\xf4\x8f\xbf\xbf"));       // U+10FFFF
    CHECK_FALSE(is_plain_text("\xf4\x90\x80\x80")); // past U+10FFFF
    CHECK_FALSE(is_plain_text("tab\there"));
    CHECK_FALSE(is_plain_text(std::string("nul\0", 4)));
    CHECK_FALSE(is_plain_text("\xff"));
}

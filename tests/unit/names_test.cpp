// Machine names become file names: anything that could escape the store or confuse a terminal is
// rejected before the disk is touched.
#include "machine/errors.h"
#include "machine/names.h"
#include "thrown.h"

#include <catch2/catch.hpp>
#include <string>

using namespace machine;
using machine::test::one_line;
using machine::test::printable;
using machine::test::thrown;

TEST_CASE("names of letters, digits, '_', '.' and '-' are accepted", "[names]") {
    auto name = GENERATE(as<std::string>{}, "a", "0", "dev", "podman-machine-default", "A_b.c-d",
                         "9lives", "x.y", "a-", "a_", "a.", "UPPER");
    CAPTURE(name);
    CHECK_NOTHROW(validate_machine_name(name));
}

TEST_CASE("a name of max_name_length characters is accepted, one more is not", "[names]") {
    REQUIRE(max_name_length == 64);
    CHECK_NOTHROW(validate_machine_name(std::string(64, 'a')));
    auto error = thrown<InvalidInput>([] { validate_machine_name(std::string(65, 'a')); });
    CHECK(error.field() == "name");
    CHECK_THAT(error.what(), Catch::Contains("65") && Catch::Contains("64"));
    CHECK(one_line(error.what()));
}

TEST_CASE("bad names are rejected with field \"name\" in one printable line", "[names]") {
    auto name = GENERATE(as<std::string>{}, "", "-a", ".a", "_a", ".", "..", "-", "a/b", "/a", "a/",
                         "../a", "a..b", "a..", "a b", " a", "a ", "a:b", "a\\b", "a,b", "a*",
                         "a@b", "caf\xc3\xa9", std::string(1000, 'x'));
    CAPTURE(name);
    auto error = thrown<InvalidInput>([&] { validate_machine_name(name); });
    CHECK(error.field() == "name");
    CHECK(one_line(error.what()));
    CHECK(printable(error.what()));
}

TEST_CASE("control characters in a name are shown escaped, never raw", "[names]") {
    auto name = GENERATE(as<std::string>{}, "a\tb", "a\nb", "a\rb", std::string("a\0b", 3), "\x01",
                         "a\x7f", "a\x1b[2Jb", "\x1b[31mred");
    CAPTURE(name);
    auto error = thrown<InvalidInput>([&] { validate_machine_name(name); });
    CHECK(error.field() == "name");
    CHECK(one_line(error.what()));
    CHECK(printable(error.what()));
}

TEST_CASE("the escaped control character is named in the message", "[names]") {
    auto error = thrown<InvalidInput>([] { validate_machine_name("a\x1b"); });
    CHECK_THAT(error.what(), Catch::Contains("\\x1b"));
    error = thrown<InvalidInput>([] { validate_machine_name("a\tb"); });
    CHECK_THAT(error.what(), Catch::Contains("\\x09"));
}

TEST_CASE("the message says what is wrong", "[names]") {
    CHECK_THAT(thrown<InvalidInput>([] { validate_machine_name(""); }).what(),
               Catch::Contains("empty"));
    CHECK_THAT(thrown<InvalidInput>([] { validate_machine_name("-a"); }).what(),
               Catch::Contains("must start with a letter or digit"));
    CHECK_THAT(thrown<InvalidInput>([] { validate_machine_name("a/b"); }).what(),
               Catch::Contains("contains \"/\""));
    CHECK_THAT(thrown<InvalidInput>([] { validate_machine_name("a..b"); }).what(),
               Catch::Contains("\"..\""));
}

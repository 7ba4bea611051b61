// The resource flag parsers: every accepted spelling, and every bad input rejected with an
// InvalidInput that names the flag in one line.
#include "machine/errors.h"
#include "machine/sizes.h"
#include "thrown.h"

#include <catch2/catch.hpp>
#include <string>

using namespace machine;
using machine::test::one_line;
using machine::test::thrown;

namespace {

void check_flag_named(const InvalidInput &error, const std::string &flag) {
    CHECK(error.field() == flag);
    CHECK_THAT(error.what(), Catch::Contains(flag));
    CHECK(one_line(error.what()));
}

} // namespace

TEST_CASE("memory: MiB without a unit, K/M/G/T in any case", "[sizes]") {
    CHECK(parse_memory_mib("4096") == 4096);
    CHECK(parse_memory_mib("512") == 512);
    CHECK(parse_memory_mib("4G") == 4096);
    CHECK(parse_memory_mib("4GiB") == 4096);
    CHECK(parse_memory_mib("4GB") == 4096);
    CHECK(parse_memory_mib("4g") == 4096);
    CHECK(parse_memory_mib("4gib") == 4096);
    CHECK(parse_memory_mib("512M") == 512);
    CHECK(parse_memory_mib("512MiB") == 512);
    CHECK(parse_memory_mib("512mb") == 512);
    CHECK(parse_memory_mib("524288K") == 512);
    CHECK(parse_memory_mib("524288kib") == 512);
    CHECK(parse_memory_mib("1T") == 1024 * 1024);
    CHECK(parse_memory_mib("1tib") == 1024 * 1024);
}

TEST_CASE("memory: exactly the bounds are accepted", "[sizes]") {
    CHECK(parse_memory_mib(std::to_string(min_memory_mib)) == min_memory_mib);
    CHECK(parse_memory_mib(std::to_string(max_memory_mib)) == max_memory_mib);
    CHECK(parse_memory_mib("4T") == max_memory_mib);
    CHECK(parse_memory_mib("4096G") == max_memory_mib);
}

TEST_CASE("memory: bad input is rejected naming --memory", "[sizes]") {
    auto text =
        GENERATE(as<std::string>{}, "0", "-1", "-4G", "511", "511M", "256M", "0G", "2048K", "abc",
                 "", "G", "M4", "4X", "4GiBs", "4.5G", "0.5G", "1,5G", "4 G", " 4G", "4G ", "+4G",
                 "0x100", "1025K", "5T", "4097G", "99999999999999999999", "18446744073709551615",
                 "18446744073709551615G", "18446744073709551615M", "18446744073709551616K");
    CAPTURE(text);
    auto error = thrown<InvalidInput>([&] { parse_memory_mib(text); });
    check_flag_named(error, "--memory");
}

TEST_CASE("memory: the message says what is wrong", "[sizes]") {
    CHECK_THAT(thrown<InvalidInput>([] { parse_memory_mib("256M"); }).what(),
               Catch::Contains("256 MiB is too little") && Catch::Contains("512"));
    CHECK_THAT(thrown<InvalidInput>([] { parse_memory_mib("abc"); }).what(),
               Catch::Contains("\"abc\" is not a size"));
    CHECK_THAT(thrown<InvalidInput>([] { parse_memory_mib("99999999999999999999"); }).what(),
               Catch::Contains("too large"));
    CHECK_THAT(thrown<InvalidInput>([] { parse_memory_mib("18446744073709551615G"); }).what(),
               Catch::Contains("too large"));
    CHECK_THAT(thrown<InvalidInput>([] { parse_memory_mib("1025K"); }).what(),
               Catch::Contains("whole number of MiB"));
}

TEST_CASE("memory: errors stay on one line when the input holds a newline", "[sizes]") {
    // The parsers quote the user's text verbatim; names.cpp escapes control characters, these
    // do not, so "4\nG" splits the error over two lines.
    auto error = thrown<InvalidInput>([] { parse_memory_mib("4\nG"); });
    CHECK(error.field() == "--memory");
    CHECK(one_line(error.what()));
}

TEST_CASE("disk size: GiB without a unit, M/G/T in any case", "[sizes]") {
    CHECK(parse_disk_gib("100") == 100);
    CHECK(parse_disk_gib("1") == 1);
    CHECK(parse_disk_gib("100G") == 100);
    CHECK(parse_disk_gib("100g") == 100);
    CHECK(parse_disk_gib("100GiB") == 100);
    CHECK(parse_disk_gib("100gb") == 100);
    CHECK(parse_disk_gib("1024M") == 1);
    CHECK(parse_disk_gib("2048MiB") == 2);
    CHECK(parse_disk_gib("1T") == 1024);
    CHECK(parse_disk_gib("1tib") == 1024);
    CHECK(parse_disk_gib("64T") == max_disk_gib);
    CHECK(parse_disk_gib(std::to_string(max_disk_gib)) == max_disk_gib);
}

TEST_CASE("disk size: bad input is rejected naming --disk-size", "[sizes]") {
    auto text = GENERATE(as<std::string>{}, "0", "0G", "0T", "-1", "-100G", "512M", "1023M", "1.5T",
                         "0.5G", "abc", "", "G", "100X", "100 G", " 100", "+100", "65T", "65537",
                         "99999999999999999999", "18446744073709551615", "18446744073709551615G",
                         "18446744073709551615T");
    CAPTURE(text);
    auto error = thrown<InvalidInput>([&] { parse_disk_gib(text); });
    check_flag_named(error, "--disk-size");
}

TEST_CASE("cpus: whole numbers from 1 to the host's CPUs", "[sizes]") {
    CHECK(parse_cpus("1", 4) == 1);
    CHECK(parse_cpus("4", 4) == 4);
    CHECK(parse_cpus("1", 1) == 1);
    CHECK(parse_cpus("64", 128) == 64);
}

TEST_CASE("cpus: bad input is rejected naming --cpus and the host's limit", "[sizes]") {
    auto text =
        GENERATE(as<std::string>{}, "0", "-1", "5", "100", "abc", "", "2.5", "2 ", " 2", "+2", "2x",
                 "0x2", "99999999999999999999", "-99999999999999999999", "4294967297");
    CAPTURE(text);
    auto error = thrown<InvalidInput>([&] { parse_cpus(text, 4); });
    check_flag_named(error, "--cpus");
    CHECK_THAT(error.what(), Catch::Contains("from 1 to 4"));
}

// Column alignment as Go's tabwriter does it for podman: minimum width 12, padding 2, the last
// cell of each line unpadded.
#include "output/table.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>

using machine::cli::align_columns;

namespace {

std::string spaces(std::size_t n) {
    return std::string(n, ' ');
}

} // namespace

TEST_CASE("short cells are padded to the minimum width of 12", "[table]") {
    CHECK(align_columns("NAME\tVM TYPE\tCREATED\ndev\tqemu\t3 days ago\n") ==
          "NAME" + spaces(8) + "VM TYPE" + spaces(5) + "CREATED\n" + "dev" + spaces(9) + "qemu" +
              spaces(8) + "3 days ago\n");
}

TEST_CASE("a column is as wide as its widest cell plus 2", "[table]") {
    std::string name(24, 'n');
    CHECK(align_columns("NAME\tCPUS\n" + name + "\t4\n") ==
          "NAME" + spaces(22) + "CPUS\n" + name + spaces(2) + "4\n");
}

TEST_CASE("the minimum width and the padding meet at 10 characters", "[table]") {
    CHECK(align_columns(std::string(10, 'a') + "\tx\n") == std::string(10, 'a') + "  x\n");
    CHECK(align_columns(std::string(11, 'a') + "\tx\n") == std::string(11, 'a') + "  x\n");
    CHECK(align_columns(std::string(9, 'a') + "\tx\n") == std::string(9, 'a') + "   x\n");
}

TEST_CASE("the last cell of a line is never padded", "[table]") {
    auto out = align_columns("a\tb\tlast\nlonger one\tc\td\n");
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        CAPTURE(line);
        CHECK(line.back() != ' ');
    }
    CHECK(align_columns("only\nlines\n") == "only\nlines\n");
}

TEST_CASE("lines with fewer cells keep the widths of the others", "[table]") {
    CHECK(align_columns("a\tb\tc\nd\n") == "a" + spaces(11) + "b" + spaces(11) + "c\n" + "d\n");
    CHECK(align_columns("a\nb\tc\n") == "a\n" + std::string("b") + spaces(11) + "c\n");
}

TEST_CASE("empty cells are padded like any other", "[table]") {
    CHECK(align_columns("\tx\n") == spaces(12) + "x\n");
    CHECK(align_columns("a\t\tc\n") == "a" + spaces(11) + spaces(12) + "c\n");
}

TEST_CASE("empty input gives empty output, a missing last newline is added", "[table]") {
    CHECK(align_columns("") == "");
    CHECK(align_columns("a\tb") == "a" + spaces(11) + "b\n");
}

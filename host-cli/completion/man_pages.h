#pragma once
// A man page per verb, and machine(1) listing them, rendered in roff from the CLI's own
// definitions (CLI11's App), so the manual says what the binary takes. Pure.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace machine::cli {

struct ManPage {
    std::string file_name; // "machine-start.1"
    std::string text;      // roff (man macros)
};

std::vector<ManPage> man_pages(const CLI::App &app, const std::string &version);

} // namespace machine::cli

#include "platform/api_pipe.h"

#include "../helpers/temp_dir.h"

#include <catch2/catch.hpp>

using machine::platform::api_pipe_name;
using machine::platform::ApiPipe;

TEST_CASE("a machine's Windows API pipe is named machine-NAME under the pipe root") {
    CHECK(api_pipe_name("default") == R"(\\.\pipe\machine-default)");
    CHECK(api_pipe_name("dev.box_1") == R"(\\.\pipe\machine-dev.box_1)");
}

TEST_CASE("on POSIX there is no API pipe to serve: ApiPipe makes nothing and logs nothing") {
    machine::test::TempDir dir;
    int lines = 0;
    {
        ApiPipe pipe("default", dir.path / "api.sock", [&](const std::string &) { ++lines; });
    }
    CHECK(std::filesystem::is_empty(dir.path));
    CHECK(lines == 0);
}

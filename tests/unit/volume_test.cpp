// `--volume HOST[:GUEST][:ro|:rw]`: parsing without the file system, then the host path check.
#include "machine/errors.h"
#include "machine/volume.h"
#include "thrown.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h> // mkdtemp, on macOS

using namespace machine;
using machine::test::one_line;
using machine::test::thrown;
namespace fs = std::filesystem;

TEST_CASE("HOST:GUEST mounts read-write", "[volume]") {
    CHECK(parse_volume("/src:/dst") == Mount{"/src", "/dst", false});
    CHECK(parse_volume("/home/u/code:/code") == Mount{"/home/u/code", "/code", false});
}

TEST_CASE("HOST:GUEST:ro and :rw set the access", "[volume]") {
    CHECK(parse_volume("/src:/dst:ro") == Mount{"/src", "/dst", true});
    CHECK(parse_volume("/src:/dst:rw") == Mount{"/src", "/dst", false});
}

TEST_CASE("GUEST defaults to HOST", "[volume]") {
    CHECK(parse_volume("/src") == Mount{"/src", "/src", false});
    CHECK(parse_volume("/src:ro") == Mount{"/src", "/src", true});
    CHECK(parse_volume("/src:rw") == Mount{"/src", "/src", false});
}

TEST_CASE("paths with dots that are not \"..\" are fine", "[volume]") {
    CHECK(parse_volume("/a/..b:/c.d/e..") == Mount{"/a/..b", "/c.d/e..", false});
    CHECK(parse_volume("/a/./b") == Mount{"/a/./b", "/a/./b", false});
    CHECK(parse_volume("/:/host") == Mount{"/", "/host", false}); // the host root, elsewhere
}

TEST_CASE("bad volume specs are rejected naming --volume in one line", "[volume]") {
    auto spec = GENERATE(as<std::string>{}, "", ":", "::", "src", "src:/dst", "./src:/dst",
                         "~/src:/dst", "/src:dst", "/src:", ":/dst", "/src:/dst:", "/src:/dst:xx",
                         "/src:/dst:RO", "/src:/dst:ro:rw", "/a:/b:/c", "/a:/b:/c:ro", "/a/../b:/c",
                         "/..:/c", "/a:/b/..", "/a:/../etc", "..:/c", "/src:ro:ro", "/new\nline:/c",
                         "/a:/tab\there", "/bad\xff:/c", "/a:/\xc0\xaf", "/a:/b:r\no",
                         std::string("/nul\0:/c", 8), "/a:/", "/a://", "/:ro");
    CAPTURE(spec);
    auto error = thrown<InvalidInput>([&] { parse_volume(spec); });
    CHECK(error.field() == "--volume");
    CHECK_THAT(error.what(), Catch::Contains("--volume"));
    CHECK(one_line(error.what()));
}

TEST_CASE("volume errors say which path is wrong", "[volume]") {
    CHECK_THAT(thrown<InvalidInput>([] { parse_volume("src:/dst"); }).what(),
               Catch::Contains("host path \"src\" must be absolute"));
    CHECK_THAT(thrown<InvalidInput>([] { parse_volume("/src:dst"); }).what(),
               Catch::Contains("guest path \"dst\" must be absolute"));
    CHECK_THAT(thrown<InvalidInput>([] { parse_volume("/src:/dst:xx"); }).what(),
               Catch::Contains("unknown option \"xx\""));
    CHECK_THAT(thrown<InvalidInput>([] { parse_volume("/a/../b:/c"); }).what(),
               Catch::Contains("host path must not contain \"..\""));
}

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "volume-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

} // namespace

TEST_CASE("an existing host folder passes the host path check", "[volume]") {
    TempDir dir;
    CHECK_NOTHROW(check_volume_host_path({dir.path.string(), "/dst", false}));
    fs::create_directory(dir.path / "with space, and comma");
    CHECK_NOTHROW(check_volume_host_path({(dir.path / "with space, and comma").string(), "/dst"}));
}

TEST_CASE("a symlink to a folder passes the host path check", "[volume]") {
    TempDir dir;
    fs::create_directory(dir.path / "real");
    fs::create_directory_symlink(dir.path / "real", dir.path / "link");
    CHECK_NOTHROW(check_volume_host_path({(dir.path / "link").string(), "/dst"}));
}

TEST_CASE("a missing host folder is rejected", "[volume]") {
    TempDir dir;
    auto missing = (dir.path / "missing").string();
    auto error = thrown<InvalidInput>([&] { check_volume_host_path({missing, "/dst"}); });
    CHECK(error.field() == "--volume");
    CHECK_THAT(error.what(), Catch::Contains(missing) && Catch::Contains("does not exist"));
    CHECK(one_line(error.what()));
}

TEST_CASE("a dangling symlink is rejected as missing", "[volume]") {
    TempDir dir;
    fs::create_directory_symlink(dir.path / "gone", dir.path / "link");
    auto error = thrown<InvalidInput>([&] {
        check_volume_host_path({(dir.path / "link").string(), "/dst"});
    });
    CHECK(error.field() == "--volume");
    CHECK_THAT(error.what(), Catch::Contains("does not exist"));
}

TEST_CASE("a host path that is a file is rejected", "[volume]") {
    TempDir dir;
    auto file = (dir.path / "file.txt").string();
    std::ofstream(file) << "not a folder\n";
    auto error = thrown<InvalidInput>([&] { check_volume_host_path({file, "/dst"}); });
    CHECK(error.field() == "--volume");
    CHECK_THAT(error.what(), Catch::Contains(file) && Catch::Contains("is not a folder"));
    CHECK(one_line(error.what()));
}

TEST_CASE("volume paths may be any UTF-8 text without control characters", "[volume]") {
    CHECK(parse_volume("/home/zoë/my project,v2:/src/100%") ==
          Mount{"/home/zoë/my project,v2", "/src/100%", false});
}

TEST_CASE("two folders cannot share one guest path", "[volume]") {
    using machine::check_distinct_guest_paths;
    CHECK_NOTHROW(check_distinct_guest_paths({{"/a", "/src", false}, {"/b", "/srcs", false}}));
    auto error = thrown<InvalidInput>([] {
        check_distinct_guest_paths({{"/a", "/src", false}, {"/b", "//src/", true}});
    });
    CHECK(error.field() == "--volume");
    CHECK_THAT(error.what(), Catch::Contains("/a and /b are both shared at /src"));
}

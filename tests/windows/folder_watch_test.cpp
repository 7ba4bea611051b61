// The host's folder watch on Windows (ReadDirectoryChangesW over a whole tree), run under Wine:
// files written, in a subfolder (not under Wine, which watches the top folder only) and renamed
// into place are named; a stopped watch says so at once.
#include "platform/folder_watch.h"
#include "under_wine.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <windows.h>

using namespace machine::platform;
using namespace std::chrono_literals;
using machine::test::under_wine;
namespace fs = std::filesystem;

namespace {

struct Folder {
    fs::path path =
        fs::temp_directory_path() / ("folder-watch-" + std::to_string(std::random_device{}()));
    Folder() { fs::create_directories(path / "sub"); }
    ~Folder() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

// What the watch names until `expected` are all there, or 10 s.
std::set<fs::path> names_until(FolderWatch &watch, const std::set<fs::path> &expected) {
    std::set<fs::path> seen;
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < deadline &&
         !std::includes(seen.begin(), seen.end(), expected.begin(), expected.end());) {
        auto changed = watch.wait(500ms);
        REQUIRE(changed);
        seen.insert(changed->begin(), changed->end());
    }
    return seen;
}

} // namespace

TEST_CASE("a folder tree's written, new and renamed files are named", "[folder-watch]") {
    Folder folder;
    FolderWatch watch({folder.path});
    CHECK(watch.wait(10ms) == std::vector<fs::path>{});

    std::ofstream(folder.path / "sub" / "main.go") << "package main\n";
    std::ofstream(folder.path / "draft.tmp") << "saved";
    fs::rename(folder.path / "draft.tmp", folder.path / "page.html");
    // Wine 8 watches the top folder alone (its subtree flag reaches no subfolder): there the
    // file below is not waited for; Windows names it.
    std::set<fs::path> expected{folder.path / "page.html"};
    if (!under_wine())
        expected.insert(folder.path / "sub" / "main.go");
    auto seen = names_until(watch, expected);
    CHECK(std::includes(seen.begin(), seen.end(), expected.begin(), expected.end()));
    if (under_wine() && !seen.count(folder.path / "sub" / "main.go"))
        WARN("under Wine: the file in a subfolder was not named (Wine's ReadDirectoryChangesW)");

    watch.stop();
    CHECK(watch.wait(10s) == std::nullopt);
    CHECK_THROWS(FolderWatch({folder.path / "missing"}));
}

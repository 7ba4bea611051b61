// Host writes in shared folders, as the forwarder gets them: the guest path of each file, a burst
// gathered, the guest's own touch (an open for writing and a close) left out. The watch is the
// host's real one (inotify here) on a temporary folder.
#include "machine/errors.h"
#include "machine/shared_folder_changes.h"
#include "platform/socket_io.h"

#include "../helpers/temp_dir.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <thread>

using namespace machine;
using namespace std::chrono_literals;

namespace {

// Everything sent until nothing more comes for `quiet`; each batch must name a file once.
std::vector<std::string> collect(SharedFolderChanges &changes, std::chrono::milliseconds quiet) {
    std::vector<std::string> all;
    while (platform::wait_any_readable({changes.ready_fd()}, quiet).front()) {
        auto batch = changes.drain();
        CHECK(std::set<std::string>(batch.begin(), batch.end()).size() == batch.size());
        all.insert(all.end(), batch.begin(), batch.end());
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
}

} // namespace

TEST_CASE("a host file's guest path comes from the deepest shared folder holding it",
          "[folder-changes]") {
    std::vector<Mount> mounts{{"/home/ann", "/home/ann", false},
                              {"/home/ann/src/", "/src", false},
                              {"/data", "/mnt/data", true}};
    CHECK(guest_path_of(mounts, "/home/ann/notes.txt") == "/home/ann/notes.txt");
    CHECK(guest_path_of(mounts, "/home/ann/src/app/main.go") == "/src/app/main.go");
    CHECK(guest_path_of(mounts, "/home/ann/srcs/x") == "/home/ann/srcs/x"); // not below /src
    CHECK(guest_path_of(mounts, "/data/a/../b.csv") == "/mnt/data/b.csv");
    CHECK(guest_path_of(mounts, "/home/bob/x") == std::nullopt);
    CHECK(guest_path_of(mounts, "/") == std::nullopt);
    CHECK(guest_path_of({}, "/home/ann/x") == std::nullopt);
}

TEST_CASE("a file is news only when its size or time is not what was last sent",
          "[folder-changes]") {
    SentStamps sent(2);
    CHECK(sent.is_news("/a", {100, 5}));
    CHECK_FALSE(sent.is_news("/a", {100, 5})); // the guest's touch, coming back
    CHECK(sent.is_news("/a", {200, 5}));
    CHECK(sent.is_news("/a", {200, 6}));
    CHECK(sent.is_news("/b", {1, 1}));
    CHECK(sent.is_news("/c", {1, 1})); // past the capacity: all forgotten, then remembered
    CHECK_FALSE(sent.is_news("/c", {1, 1}));
    CHECK(sent.is_news("/a", {200, 6}));
}

TEST_CASE("files written in a writable shared folder reach the forwarder by their guest paths",
          "[folder-changes]") {
    test::TempDir dir;
    auto src = dir.path / "src", ro = dir.path / "ro";
    std::filesystem::create_directories(src / "deep" / "er");
    std::filesystem::create_directories(ro);
    SharedFolderChanges changes({{src.string(), "/src", false}, {ro.string(), "/ro", true}},
                                [](const std::string &) {});
    for (int i = 0; i < 500 && !changes.watching(); ++i)
        std::this_thread::sleep_for(10ms);
    REQUIRE(changes.watching());

    dir.write("src/deep/er/main.go", "package main\n");
    CHECK(collect(changes, 2s) == std::vector<std::string>{"/src/deep/er/main.go"});

    // A burst: one file written three times, another once, one in a folder made just now.
    for (auto text : {"a", "ab", "abc"})
        dir.write("src/app.js", text);
    dir.write("src/style.css", "body {}");
    dir.write("src/new/folder/index.html", "<p>");
    CHECK(collect(changes, 1s) ==
          std::vector<std::string>{"/src/app.js", "/src/new/folder/index.html", "/src/style.css"});

    // What the guest's touch does to the host's file: opened for writing, closed, unchanged.
    std::ofstream(src / "app.js", std::ios::app).close();
    // Not files: a link, a folder. Not writable in the guest: the read-only mount.
    std::filesystem::create_symlink(src / "app.js", src / "link.js");
    std::filesystem::create_directory(src / "empty");
    dir.write("ro/data.csv", "1,2\n");
    CHECK(collect(changes, 500ms).empty());

    dir.write("src/app.js", "abcd"); // a real change again
    CHECK(collect(changes, 2s) == std::vector<std::string>{"/src/app.js"});
}

TEST_CASE("a watch that is stopped says so, and a folder that is missing is refused",
          "[folder-changes]") {
    test::TempDir dir;
    platform::FolderWatch watch({dir.path});
    CHECK(watch.wait(10ms) == std::vector<std::filesystem::path>{});
    watch.stop();
    CHECK(watch.wait(10s) == std::nullopt); // at once
    CHECK_THROWS_AS(platform::FolderWatch({dir.path / "missing"}), SystemError);
    std::vector<std::string> logged;
    SharedFolderChanges none({{(dir.path / "missing").string(), "/m", false}},
                             [&](const std::string &line) { logged.push_back(line); });
    REQUIRE(logged.size() == 1);
    CHECK_THAT(logged[0], Catch::Contains("not watching the shared folders"));
}

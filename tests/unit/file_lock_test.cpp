// FileLock: shared holds go together, an exclusive one goes alone. flock locks belong to an open
// file, so two locks in one process meet as two processes' would.
#include "platform/file_lock.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <unistd.h> // mkdtemp, on macOS

using machine::platform::FileLock;
namespace fs = std::filesystem;

TEST_CASE("shared locks are held together, and an exclusive one only when none is", "[lock]") {
    std::string pattern = (fs::temp_directory_path() / "file-lock-test-XXXXXX").string();
    fs::path dir = ::mkdtemp(pattern.data());
    auto path = dir / "lock";
    {
        auto first = FileLock::acquire_shared(path);
        auto second = FileLock::acquire_shared(path); // would block if shared holds excluded
        CHECK(first.held());
        CHECK(second.held());
        CHECK_FALSE(FileLock::try_acquire(path).held());
    }
    {
        auto exclusive = FileLock::try_acquire(path);
        CHECK(exclusive.held());
        CHECK_FALSE(FileLock::try_acquire(path).held());
    }
    CHECK(FileLock::try_acquire(path).held());
    fs::remove_all(dir);
}

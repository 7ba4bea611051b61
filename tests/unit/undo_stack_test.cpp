// Cleanups run last-in first-out when a verb fails, and not at all once it committed.
#include "machine/undo_stack.h"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

using machine::UndoStack;

TEST_CASE("undos run last-in first-out", "[undo]") {
    std::vector<std::string> ran;
    {
        UndoStack undo;
        undo.push([&] { ran.push_back("remove disk"); });
        undo.push([&] { ran.push_back("remove keys"); });
        undo.push([&] { ran.push_back("remove config"); });
        CHECK(ran.empty());
    }
    CHECK(ran == std::vector<std::string>{"remove config", "remove keys", "remove disk"});
}

TEST_CASE("commit keeps everything", "[undo]") {
    int ran = 0;
    {
        UndoStack undo;
        undo.push([&] { ++ran; });
        undo.push([&] { ++ran; });
        undo.commit();
    }
    CHECK(ran == 0);
}

TEST_CASE("undos pushed after a commit still run", "[undo]") {
    std::vector<int> ran;
    {
        UndoStack undo;
        undo.push([&] { ran.push_back(1); });
        undo.commit();
        undo.push([&] { ran.push_back(2); });
        undo.push([&] { ran.push_back(3); });
    }
    CHECK(ran == std::vector<int>{3, 2});
}

TEST_CASE("a throwing undo does not stop the others", "[undo]") {
    std::vector<int> ran;
    {
        UndoStack undo;
        undo.push([&] { ran.push_back(1); });
        undo.push([&] {
            ran.push_back(2);
            throw std::runtime_error("cleanup failed");
        });
        undo.push([&] {
            ran.push_back(3);
            throw 42; // not even an exception class
        });
        undo.push([&] { ran.push_back(4); });
    }
    CHECK(ran == std::vector<int>{4, 3, 2, 1});
}

TEST_CASE("undos run while an exception unwinds, and it still arrives", "[undo]") {
    std::vector<int> ran;
    auto verb = [&] {
        UndoStack undo;
        undo.push([&] { ran.push_back(1); });
        undo.push([&] { throw std::runtime_error("cleanup failed"); });
        throw std::runtime_error("the real error");
    };
    CHECK_THROWS_WITH(verb(), "the real error");
    CHECK(ran == std::vector<int>{1});
}

TEST_CASE("an empty stack does nothing", "[undo]") {
    CHECK_NOTHROW([] { UndoStack undo; }());
    CHECK_NOTHROW([] {
        UndoStack undo;
        undo.commit();
    }());
}

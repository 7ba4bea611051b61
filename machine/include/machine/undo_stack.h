#pragma once
// Cleanups registered as a verb makes things; on failure they run last-in first-out, so nothing
// half-made is left behind. `commit()` once the verb succeeded keeps everything.
#include <functional>
#include <vector>

namespace machine {

class UndoStack {
public:
    UndoStack() = default;
    UndoStack(const UndoStack &) = delete;
    UndoStack &operator=(const UndoStack &) = delete;

    ~UndoStack() {
        for (auto undo = undos_.rbegin(); undo != undos_.rend(); ++undo) {
            try {
                (*undo)();
            } catch (...) {
                // A failing cleanup must not hide the error that triggered it.
            }
        }
    }

    void push(std::function<void()> undo) { undos_.push_back(std::move(undo)); }
    void commit() { undos_.clear(); }

private:
    std::vector<std::function<void()>> undos_;
};

} // namespace machine

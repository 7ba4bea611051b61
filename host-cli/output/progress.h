#pragma once
// A live progress line on stderr ("booting... 12s") while a long verb runs; on a terminal it is
// redrawn every second, otherwise each phase is printed once.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace machine::cli {

class Progress {
public:
    explicit Progress(std::string subject);
    ~Progress();
    Progress(const Progress &) = delete;
    Progress &operator=(const Progress &) = delete;

    void phase(const std::string &name);
    // A line printed above the progress line.
    void notice(const std::string &text);
    void finish();

private:
    void draw();

    std::string subject_;
    std::string phase_;
    bool terminal_;
    std::chrono::steady_clock::time_point begin_ = std::chrono::steady_clock::now();
    std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    std::thread ticker_;
};

} // namespace machine::cli

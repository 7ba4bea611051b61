#include "output/progress.h"

#include "platform/terminal.h"

#include <cstdio>

namespace machine::cli {

Progress::Progress(std::string subject)
    : subject_(std::move(subject)), terminal_(platform::is_terminal(platform::stderr_fd)) {
    if (terminal_)
        ticker_ = std::thread([this] {
            std::unique_lock lock(mutex_);
            while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; }))
                draw();
        });
}

Progress::~Progress() {
    finish();
}

void Progress::draw() {
    auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - begin_)
            .count();
    std::fprintf(stderr, "\r\033[K%s: %s %llds", subject_.c_str(), phase_.c_str(),
                 static_cast<long long>(seconds));
    std::fflush(stderr);
}

void Progress::phase(const std::string &name) {
    std::lock_guard lock(mutex_);
    phase_ = name;
    if (terminal_) {
        draw();
    } else {
        std::fprintf(stderr, "%s: %s\n", subject_.c_str(), name.c_str());
    }
}

void Progress::notice(const std::string &text) {
    std::lock_guard lock(mutex_);
    std::fprintf(stderr, "%sWarning: %s\n", terminal_ ? "\r\033[K" : "", text.c_str());
    if (terminal_)
        draw();
}

void Progress::finish() {
    {
        std::lock_guard lock(mutex_);
        if (done_)
            return;
        done_ = true;
    }
    wake_.notify_all();
    if (ticker_.joinable())
        ticker_.join();
    if (terminal_) {
        draw();
        std::fprintf(stderr, "\n");
    }
}

} // namespace machine::cli

#include "output/progress_bar.h"

#include "output/humanize.h"
#include "platform/terminal.h"

#include <algorithm>
#include <cstdio>

namespace machine::cli {

void ProgressBar::operator()(std::uint64_t done, std::uint64_t total) {
    if (!platform::is_terminal(platform::stderr_fd) || total < (8u << 20))
        return;
    auto now = std::chrono::steady_clock::now();
    if (done < total && now - drawn_ < std::chrono::milliseconds(200))
        return;
    drawn_ = now;
    double seconds = std::chrono::duration<double>(now - begin_).count();
    std::fprintf(stderr, "\r\033[K%3d%% %s/%s %s/s", int(done * 100 / total),
                 bytes_size(done).c_str(), bytes_size(total).c_str(),
                 bytes_size(std::uint64_t(double(done) / std::max(seconds, 0.001))).c_str());
    if (done == total)
        std::fprintf(stderr, "\n");
}

} // namespace machine::cli

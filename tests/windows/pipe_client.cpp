#include "pipe_client.h"

#include "platform/windows_error.h"

#include <algorithm>
#include <vector>

namespace machine::platform {

PipeClient::PipeClient(const std::string &name, DWORD access) {
    for (int attempt = 0;; ++attempt) {
        pipe_ = WinHandle(CreateFileA(name.c_str(), access, 0, nullptr, OPEN_EXISTING,
                                      FILE_FLAG_OVERLAPPED, nullptr));
        if (pipe_)
            return;
        DWORD error = GetLastError();
        if (error != ERROR_PIPE_BUSY || attempt == 100 || !WaitNamedPipeA(name.c_str(), 10000))
            throw_windows_error("cannot open " + name, error);
    }
}

bool PipeClient::write(const std::string &data, std::size_t piece) {
    for (std::size_t done = 0; done < data.size();) {
        auto size = DWORD(std::min(piece, data.size() - done));
        auto written = writer_.write(pipe_.get(), data.data() + done, size);
        if (!written.ok())
            return false;
        done += written.bytes;
    }
    return true;
}

bool PipeClient::close_write() {
    return writer_.write(pipe_.get(), "", 0).ok();
}

std::string PipeClient::read_some(DWORD &error) {
    std::vector<char> buffer(64 * 1024);
    auto read = reader_.read(pipe_.get(), buffer.data(), DWORD(buffer.size()));
    error = read.error;
    return std::string(buffer.data(), read.bytes);
}

std::string PipeClient::read_to_end(DWORD &end) {
    std::string data;
    for (end = 0; end == 0;)
        data += read_some(end);
    return data;
}

} // namespace machine::platform

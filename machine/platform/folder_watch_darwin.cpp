#include "platform/folder_watch.h"

#include "machine/errors.h"
#include "platform/shared_library.h"

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>

namespace machine::platform {

namespace {

// FSEvents (CoreServices) and what it takes from CoreFoundation and libdispatch, bound when a
// watch is first made: their headers are the SDK's, which this build does without. Declared as
// Apple documents them.
using CFRef = const void *;
using EventCallback = void (*)(CFRef stream, void *info, std::size_t count, void *paths,
                               const std::uint32_t flags[], const std::uint64_t ids[]);
struct StreamContext {
    long version = 0;
    void *info = nullptr;
    CFRef (*retain)(CFRef) = nullptr;
    void (*release)(CFRef) = nullptr;
    CFRef (*describe)(CFRef) = nullptr;
};

constexpr std::uint32_t utf8_encoding = 0x08000100;         // kCFStringEncodingUTF8
constexpr std::uint64_t since_now = ~std::uint64_t(0);      // kFSEventStreamEventIdSinceNow
constexpr std::uint32_t no_defer = 0x2, file_events = 0x10; // kFSEventStreamCreateFlag...
constexpr std::uint32_t must_scan = 0x1, user_dropped = 0x2, kernel_dropped = 0x4;
constexpr std::uint32_t created = 0x100, renamed = 0x800, modified = 0x1000, is_file = 0x10000;
constexpr double latency_seconds = 0.05;

struct Api {
    CFRef (*string_create)(CFRef, const char *, std::uint32_t);
    CFRef (*array_create)(CFRef, const void **, long, const void *);
    void (*release)(CFRef);
    void *(*stream_create)(CFRef, EventCallback, StreamContext *, CFRef, std::uint64_t, double,
                           std::uint32_t);
    void (*set_queue)(void *, void *);
    unsigned char (*start)(void *);
    void (*stop)(void *);
    void (*invalidate)(void *);
    void (*stream_release)(void *);
    void *(*queue_create)(const char *, void *);
    void (*queue_release)(void *);

    static const Api &get() {
        static const Api api = [] {
            static const SharedLibrary core_foundation(
                "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation", "macOS");
            static const SharedLibrary core_services(
                "/System/Library/Frameworks/CoreServices.framework/CoreServices", "macOS");
            static const SharedLibrary system("/usr/lib/libSystem.B.dylib", "macOS");
            Api api{};
            core_foundation.bind("CFStringCreateWithCString", api.string_create);
            core_foundation.bind("CFArrayCreate", api.array_create);
            core_foundation.bind("CFRelease", api.release);
            core_services.bind("FSEventStreamCreate", api.stream_create);
            core_services.bind("FSEventStreamSetDispatchQueue", api.set_queue);
            core_services.bind("FSEventStreamStart", api.start);
            core_services.bind("FSEventStreamStop", api.stop);
            core_services.bind("FSEventStreamInvalidate", api.invalidate);
            core_services.bind("FSEventStreamRelease", api.stream_release);
            system.bind("dispatch_queue_create", api.queue_create);
            system.bind("dispatch_release", api.queue_release);
            return api;
        }();
        return api;
    }
};

} // namespace

// One stream over every folder, delivering on a queue of its own; the names gather here until
// wait() takes them.
struct FolderWatch::State {
    const Api &api = Api::get();
    void *queue = nullptr;
    void *stream = nullptr;
    std::mutex mutex;
    std::condition_variable arrived;
    std::set<std::filesystem::path> changed;
    bool stopped = false;
    std::atomic<bool> limited = false;

    static void deliver(CFRef, void *info, std::size_t count, void *paths,
                        const std::uint32_t flags[], const std::uint64_t[]) {
        auto &state = *static_cast<State *>(info);
        auto names = static_cast<char **>(paths);
        std::lock_guard lock(state.mutex);
        for (std::size_t i = 0; i < count; ++i) {
            if (flags[i] & (must_scan | user_dropped | kernel_dropped))
                state.limited = true; // FSEvents coalesced or dropped names
            if ((flags[i] & is_file) && (flags[i] & (created | renamed | modified)))
                state.changed.insert(names[i]);
        }
        state.arrived.notify_all();
    }
};

FolderWatch::FolderWatch(const std::vector<std::filesystem::path> &folders)
    : state_(std::make_unique<State>()) {
    auto &api = state_->api;
    std::vector<CFRef> names;
    for (const auto &folder : folders)
        names.push_back(api.string_create(nullptr, folder.c_str(), utf8_encoding));
    auto array = api.array_create(nullptr, names.data(), long(names.size()), nullptr);
    StreamContext context;
    context.info = state_.get();
    state_->stream = api.stream_create(nullptr, &State::deliver, &context, array, since_now,
                                       latency_seconds, no_defer | file_events);
    api.release(array);
    for (auto name : names)
        api.release(name);
    if (!state_->stream)
        throw SystemError("FSEventStreamCreate", EINVAL);
    state_->queue = api.queue_create("machine.folder-watch", nullptr);
    api.set_queue(state_->stream, state_->queue);
    if (!api.start(state_->stream)) {
        api.invalidate(state_->stream);
        api.stream_release(state_->stream);
        api.queue_release(state_->queue);
        throw SystemError("FSEventStreamStart", EINVAL);
    }
}

FolderWatch::~FolderWatch() {
    auto &api = state_->api;
    api.stop(state_->stream); // no delivery runs once these return
    api.invalidate(state_->stream);
    api.stream_release(state_->stream);
    api.queue_release(state_->queue);
}

std::optional<std::vector<std::filesystem::path>>
FolderWatch::wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    state_->arrived.wait_for(lock, timeout,
                             [&] { return state_->stopped || !state_->changed.empty(); });
    if (state_->stopped)
        return std::nullopt;
    std::vector<std::filesystem::path> changed(state_->changed.begin(), state_->changed.end());
    state_->changed.clear();
    return changed;
}

void FolderWatch::stop() {
    std::lock_guard lock(state_->mutex);
    state_->stopped = true;
    state_->arrived.notify_all();
}

bool FolderWatch::limited() const {
    return state_->limited;
}

} // namespace machine::platform

// A file watcher as a dev server's hot reload runs one, for the VM tests: inotify on one folder,
// run in a container. Prints "watching" once set up, then a line per event on a file there:
// "EVENT NAME SECONDS.NANOSECONDS FIRST-LINE" (the guest's clock at the event; the file's first
// line as read then, which shows whether the new content is there). Built static: the container
// (busybox) has no C library.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <sys/inotify.h>
#include <unistd.h>

namespace {

const char *name_of(std::uint32_t mask) {
    if (mask & IN_MODIFY)
        return "MODIFY";
    if (mask & IN_CLOSE_WRITE)
        return "CLOSE_WRITE";
    if (mask & IN_ATTRIB)
        return "ATTRIB";
    if (mask & IN_CREATE)
        return "CREATE";
    return "MOVED_TO";
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: file_watch FOLDER\n");
        return 2;
    }
    int fd = inotify_init1(IN_CLOEXEC);
    std::string folder = argv[1];
    if (fd < 0 ||
        inotify_add_watch(fd, folder.c_str(),
                          IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_MOVED_TO) < 0) {
        std::perror("inotify");
        return 1;
    }
    std::printf("watching\n");
    std::fflush(stdout);
    alignas(inotify_event) char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) {
        for (char *at = buffer; at < buffer + n;) {
            auto *event = reinterpret_cast<inotify_event *>(at);
            at += sizeof(inotify_event) + event->len;
            if (event->len == 0 || (event->mask & IN_ISDIR))
                continue;
            timespec now{};
            clock_gettime(CLOCK_REALTIME, &now);
            std::string line;
            std::ifstream file(folder + "/" + event->name);
            std::getline(file, line);
            std::printf("%s %s %lld.%09ld %s\n", name_of(event->mask), event->name,
                        static_cast<long long>(now.tv_sec), now.tv_nsec, line.c_str());
            std::fflush(stdout);
        }
    }
    return 0;
}

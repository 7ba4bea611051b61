// A stand-in for vfkit and krunkit (which one: the name it is run by), so the Apple providers run
// end to end on Linux. It parses the real programs' grammar (grammar.h), checks what they would
// check on the host (the disk exists and is not qcow2, shared folders exist), serves the REST
// API on --restful-uri like each does, and plays the guest: at a first boot it fetches the
// Ignition config over the vsock 1024 socket (printed to stdout, the hypervisor's log), then
// writes "Ready" to the vsock 1025 socket. Connect-mode vsock sockets (machine-mux) echo what
// they get. `Stop` and `HardStop` end it, as the VM's end ends the real ones.
#include "grammar.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using machine::test::FakeVm;

namespace {

bool krunkit = false;

sockaddr_un address_of(const std::string &path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    return address;
}

int listen_on(const std::string &path) {
    ::unlink(path.c_str());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = address_of(path);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        ::listen(fd, 8) != 0) {
        std::cerr << "cannot listen on " << path << ": " << std::strerror(errno) << "\n";
        std::exit(1);
    }
    return fd;
}

int connect_to(const std::string &path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = address_of(path);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0)
        return fd;
    ::close(fd);
    return -1;
}

void send_all(int fd, const std::string &data) {
    for (std::size_t sent = 0; sent < data.size();) {
        auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        sent += std::size_t(n);
    }
}

std::string read_to_end(int fd) {
    std::string all;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        all.append(buffer, std::size_t(n));
    return all;
}

// What the real program checks on the host before it starts the VM.
void check_host_side(const FakeVm &vm) {
    for (const auto &disk : vm.disks) {
        std::ifstream in(disk, std::ios::binary);
        char magic[4] = {};
        if (!in || !in.read(magic, 4))
            throw machine::test::GrammarError("failed to open file " + disk);
        if (!krunkit && std::memcmp(magic, "QFI\xfb", 4) == 0)
            throw machine::test::GrammarError("vfkit does not support qcow2 image format");
    }
    for (const auto &share : vm.shares)
        if (!fs::is_directory(share.dir))
            throw machine::test::GrammarError("shared directory " + share.dir + " does not exist");
    if (!vm.efi_store.empty() && !fs::exists(vm.efi_store)) {
        if (!vm.efi_create)
            throw machine::test::GrammarError("EFI variable store " + vm.efi_store +
                                              " does not exist");
        std::ofstream(vm.efi_store) << "fake EFI variables\n"; // vfkit makes a fresh store
    }
}

// The guest: first boot's config, then Ready, each from a vsock device in listen mode.
void play_guest(const FakeVm &vm) {
    for (const auto &device : vm.vsock) {
        if (!device.listen || device.port != 1024)
            continue;
        int fd = connect_to(device.socket);
        if (fd < 0)
            continue;
        send_all(fd, "GET / HTTP/1.0\r\nHost: d\r\n\r\n");
        auto answer = read_to_end(fd);
        ::close(fd);
        auto body = answer.find("\r\n\r\n");
        std::cout << "fake guest: config from vsock 1024: "
                  << (body == std::string::npos ? answer : answer.substr(body + 4)) << std::endl;
    }
    for (const auto &device : vm.vsock) {
        if (!device.listen || device.port != 1025)
            continue;
        for (int attempt = 0; attempt < 100; ++attempt) {
            if (int fd = connect_to(device.socket); fd >= 0) {
                send_all(fd, "Ready\n");
                ::close(fd);
                std::cout << "fake guest: said Ready" << std::endl;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
}

std::string vfkit_answer(int status, const std::string &body) {
    const char *reason = status == 200 ? "OK" : status == 202 ? "Accepted" : "Bad Request";
    return "HTTP/1.1 " + std::to_string(status) + " " + reason +
           "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

// One REST request; returns true when the VM is to end.
bool serve_rest(int connection) {
    std::string request;
    char buffer[4096];
    // krunkit reads one read(); vfkit (gin) reads the head, then Content-Length bytes.
    auto n = ::read(connection, buffer, sizeof buffer);
    if (n <= 0)
        return false;
    request.assign(buffer, std::size_t(n));
    bool post = request.rfind("POST ", 0) == 0;
    if (krunkit) { // src/status.rs, byte for byte: any POST stops the VM
        if (post)
            std::cout << "fake krunkit: Stop" << std::endl;
        send_all(connection, post ? "HTTP/1.1 200 OK\r\nContent-type: application/json\r\n\r\n"
                                    "{\"state\": \"VirtualMachineStateStopping\"}" +
                                        std::string(1, '\0')
                                  : "HTTP/1.1 200 OK\r\nContent-type: application/json\r\n\r\n"
                                    "{\"state\": \"VirtualMachineStateRunning\"}" +
                                        std::string(1, '\0'));
        return post;
    }
    if (request.find("/vm/state") == std::string::npos) {
        send_all(connection, vfkit_answer(404, ""));
        return false;
    }
    if (!post) {
        send_all(connection, vfkit_answer(200, "{\"canHardStop\":true,\"canPause\":true,"
                                               "\"canResume\":false,\"canStart\":false,"
                                               "\"canStop\":true,\"state\":"
                                               "\"VirtualMachineStateRunning\"}"));
        return false;
    }
    auto stop = request.find("{\"state\":\"Stop\"}") != std::string::npos;
    auto hard = request.find("{\"state\":\"HardStop\"}") != std::string::npos;
    if (!stop && !hard) {
        send_all(connection, vfkit_answer(400, "{\"error\":\"invalid new VMState\"}"));
        return false;
    }
    send_all(connection, vfkit_answer(202, ""));
    std::cout << "fake " << (krunkit ? "krunkit" : "vfkit") << ": " << (hard ? "HardStop" : "Stop")
              << std::endl;
    return true;
}

} // namespace

int main(int argc, char **argv) {
    std::signal(SIGPIPE, SIG_IGN);
    krunkit = fs::path(argv[0]).filename() == "krunkit";
    std::vector<std::string> args(argv + 1, argv + argc);
    FakeVm vm;
    try {
        vm = krunkit ? machine::test::parse_krunkit(args) : machine::test::parse_vfkit(args);
        check_host_side(vm);
    } catch (const machine::test::GrammarError &e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
    if (vm.rest_socket.empty()) {
        std::cerr << "Error: the fake needs --restful-uri" << std::endl;
        return 1;
    }
    std::ofstream(vm.console_log, std::ios::app) << "fake console: booting\n";

    std::vector<pollfd> watched{{listen_on(vm.rest_socket), POLLIN, 0}};
    std::vector<int> mux_listeners;
    for (const auto &device : vm.vsock)
        if (!device.listen) {
            watched.push_back({listen_on(device.socket), POLLIN, 0});
            mux_listeners.push_back(watched.back().fd);
        }
    std::thread(play_guest, vm).detach();

    for (;;) {
        if (::poll(watched.data(), watched.size(), -1) < 0)
            continue;
        for (std::size_t i = 0; i < watched.size(); ++i) {
            if (!(watched[i].revents & (POLLIN | POLLHUP)))
                continue;
            int fd = watched[i].fd;
            if (i == 0) { // the REST API
                int connection = ::accept(fd, nullptr, nullptr);
                bool end = connection >= 0 && serve_rest(connection);
                if (connection >= 0)
                    ::close(connection);
                if (end) {
                    if (!krunkit) // vfkit removes its socket on the way out
                        ::unlink(vm.rest_socket.c_str());
                    return 0;
                }
            } else if (std::find(mux_listeners.begin(), mux_listeners.end(), fd) !=
                       mux_listeners.end()) {
                int connection = ::accept(fd, nullptr, nullptr);
                if (connection >= 0)
                    watched.push_back({connection, POLLIN, 0});
            } else { // a machine-mux connection: echo
                char buffer[4096];
                auto n = ::read(fd, buffer, sizeof buffer);
                if (n <= 0) {
                    ::close(fd);
                    watched.erase(watched.begin() + long(i));
                    break;
                }
                send_all(fd, std::string(buffer, std::size_t(n)));
            }
        }
    }
}

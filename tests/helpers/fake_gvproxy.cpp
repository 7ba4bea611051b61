// A stand-in for gvproxy (containers/gvisor-tap-vsock) for the libkrun provider's tests: takes the
// flags podman passes (Go's flag package: -name value), refuses others as gvproxy would, binds
// the unixgram socket -listen-vfkit names, writes -pid-file, and listens on 127.0.0.1:-ssh-port
// in the guest's sshd's place. Runs until killed.
#include <arpa/inet.h>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const std::map<std::string, bool> known{
        // flag -> takes a value
        {"-mtu", true},          {"-ssh-port", true},        {"-listen-vfkit", true},
        {"-pid-file", true},     {"-log-file", true},        {"-debug", false},
        {"-listen", true},       {"-forward-sock", true},    {"-forward-dest", true},
        {"-forward-user", true}, {"-forward-identity", true}};
    std::map<std::string, std::string> flags;
    for (int i = 1; i < argc; ++i) {
        auto found = known.find(argv[i]);
        if (found == known.end()) {
            std::cerr << "flag provided but not defined: " << argv[i] << std::endl;
            return 2;
        }
        if (found->second && i + 1 >= argc) {
            std::cerr << "flag needs an argument: " << argv[i] << std::endl;
            return 2;
        }
        std::string flag = argv[i];
        flags[flag] = found->second ? argv[++i] : "true";
    }
    auto vfkit = flags["-listen-vfkit"];
    if (vfkit.rfind("unixgram://", 0) != 0) {
        std::cerr << "the fake needs -listen-vfkit unixgram://PATH" << std::endl;
        return 1;
    }
    auto path = vfkit.substr(11);
    int network = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un unix_address{};
    unix_address.sun_family = AF_UNIX;
    std::strncpy(unix_address.sun_path, path.c_str(), sizeof unix_address.sun_path - 1);
    ::unlink(path.c_str());
    if (::bind(network, reinterpret_cast<sockaddr *>(&unix_address), sizeof unix_address) != 0) {
        std::cerr << "vfkit listen error: " << std::strerror(errno) << std::endl;
        return 1;
    }
    int ssh = ::socket(AF_INET, SOCK_STREAM, 0);
    int on = 1;
    ::setsockopt(ssh, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in loopback{};
    loopback.sin_family = AF_INET;
    loopback.sin_port =
        htons(std::uint16_t(std::stoi(flags.count("-ssh-port") ? flags["-ssh-port"] : "2222")));
    loopback.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(ssh, reinterpret_cast<sockaddr *>(&loopback), sizeof loopback) != 0 ||
        ::listen(ssh, 8) != 0) {
        std::cerr << "cannot listen on the ssh port: " << std::strerror(errno) << std::endl;
        return 1;
    }
    if (flags.count("-pid-file"))
        std::ofstream(flags["-pid-file"]) << ::getpid() << "\n";
    std::cout << "fake gvproxy: serving " << path << std::endl;
    for (;;) { // the guest's sshd: answers, says nothing
        int connection = ::accept(ssh, nullptr, nullptr);
        if (connection >= 0)
            ::close(connection);
    }
}

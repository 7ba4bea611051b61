// Hyper-V sockets through Winsock (Windows 10 1607 / Server 2016 and later). A service must be
// registered under GuestCommunicationServices before a guest may use it (the provider does that).
#include "machine/errors.h"
#include "platform/hvsock.h"
#include "platform/windows_error.h"
#include "platform/windows_handle.h"

#include <hvsocket.h> // SOCKADDR_HV, HV_PROTOCOL_RAW; after winsock2.h (windows_handle.h)

#include <algorithm>
#include <chrono>

namespace machine::platform {

namespace {

// mingw-w64's ws2def.h has no AF_HYPERV; the value is Windows' own.
constexpr int af_hyperv = 34;
// Without it a connect to a guest that does not listen (yet) blocks for the system's 30 s or more.
constexpr ULONG connect_timeout_ms = 5000;

int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", either case.
GUID parse_guid(const std::string &text) {
    auto bad = [&] {
        return InvalidInput("hvsock", "\"" + text +
                                          "\" is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-"
                                          "xxxxxxxxxxxx)");
    };
    if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
        text[23] != '-')
        throw bad();
    auto hex = [&](std::size_t at, std::size_t digits) {
        unsigned long value = 0;
        for (std::size_t i = at; i < at + digits; ++i) {
            int digit = hex_digit(text[i]);
            if (digit < 0)
                throw bad();
            value = value << 4 | unsigned(digit);
        }
        return value;
    };
    GUID guid{};
    guid.Data1 = hex(0, 8);
    guid.Data2 = static_cast<unsigned short>(hex(9, 4));
    guid.Data3 = static_cast<unsigned short>(hex(14, 4));
    guid.Data4[0] = static_cast<unsigned char>(hex(19, 2));
    guid.Data4[1] = static_cast<unsigned char>(hex(21, 2));
    for (std::size_t i = 0; i < 6; ++i)
        guid.Data4[2 + i] = static_cast<unsigned char>(hex(24 + 2 * i, 2));
    return guid;
}

SOCKADDR_HV hv_address(const std::string &vm_id, const std::string &service_id) {
    SOCKADDR_HV address{};
    address.Family = af_hyperv;
    address.VmId = parse_guid(vm_id);
    address.ServiceId = parse_guid(service_id);
    return address;
}

SOCKET open_hv_socket() {
    SOCKET s = ::socket(af_hyperv, SOCK_STREAM, HV_PROTOCOL_RAW);
    if (s != INVALID_SOCKET)
        return s;
    auto code = DWORD(WSAGetLastError());
    if (code == WSAEAFNOSUPPORT || code == WSAEPROTONOSUPPORT || code == WSAESOCKTNOSUPPORT)
        throw HostNotReady("this system has no Hyper-V sockets (AF_HYPERV), which Hyper-V "
                           "machines talk over",
                           "enable Hyper-V (Windows 10 or later, Pro, Enterprise or Education), "
                           "or use another provider, e.g. --provider wsl");
    throw_windows_error("cannot make a Hyper-V socket", code);
}

// True once `s` is readable (a listener: a connection waits), false when `deadline` passed.
bool readable_by(SOCKET s, Clock::time_point deadline) {
    using namespace std::chrono;
    auto left =
        std::max<long long>(0, duration_cast<milliseconds>(deadline - Clock::now()).count());
    fd_set set;
    FD_ZERO(&set);
    FD_SET(s, &set);
    timeval timeout{long(left / 1000), long(left % 1000 * 1000)};
    int ready = ::select(0, &set, nullptr, nullptr, &timeout);
    if (ready == SOCKET_ERROR)
        throw_windows_error("cannot wait on a Hyper-V socket", DWORD(WSAGetLastError()));
    return ready > 0;
}

class WinsockListener : public HvsockListener {
public:
    WinsockListener(const std::string &vm_id, const std::string &service_id)
        : listener_(open_hv_socket()) {
        auto address = hv_address(vm_id, service_id);
        if (::bind(listener_.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) ==
                SOCKET_ERROR ||
            ::listen(listener_.get(), 1) == SOCKET_ERROR)
            throw_windows_error("cannot listen on Hyper-V service " + service_id + " for VM " +
                                    vm_id,
                                DWORD(WSAGetLastError()));
    }

    Result read_line(Clock::time_point deadline, std::string &line) override {
        if (!connection_) {
            if (!readable_by(listener_.get(), deadline))
                return Result::timeout;
            SOCKET accepted = ::accept(listener_.get(), nullptr, nullptr);
            if (accepted == INVALID_SOCKET)
                throw_windows_error("cannot accept the guest's Hyper-V connection",
                                    DWORD(WSAGetLastError()));
            connection_.reset(accepted);
        }
        for (;;) {
            if (auto end = buffer_.find('\n'); end != std::string::npos) {
                line = buffer_.substr(0, end);
                if (!line.empty() && line.back() == '\r')
                    line.pop_back();
                buffer_.erase(0, end + 1);
                return Result::line;
            }
            if (closed_)
                return Result::closed;
            if (!readable_by(connection_.get(), deadline))
                return Result::timeout;
            char data[512];
            int got = ::recv(connection_.get(), data, sizeof data, 0);
            if (got == SOCKET_ERROR)
                throw_windows_error("cannot read from the guest's Hyper-V connection",
                                    DWORD(WSAGetLastError()));
            if (got == 0) {
                closed_ = true;
                if (!buffer_.empty()) { // a last line without its newline is still a line
                    line = std::exchange(buffer_, {});
                    return Result::line;
                }
                return Result::closed;
            }
            buffer_.append(data, std::size_t(got));
        }
    }

private:
    WinsockUser winsock_; // first: started before the sockets, cleaned up after them
    WinSocket listener_;
    WinSocket connection_;
    std::string buffer_;
    bool closed_ = false;
};

class WinsockHvsock : public Hvsock {
public:
    std::unique_ptr<HvsockListener> listen(const std::string &vm_id,
                                           const std::string &service_id) override {
        return std::make_unique<WinsockListener>(vm_id, service_id);
    }

    Fd connect(const std::string &vm_id, const std::string &service_id) override {
        auto address = hv_address(vm_id, service_id);
        // An Fd holds a Winsock socket as an int (FdKind::socket): Windows keeps socket handles
        // within 32 bits.
        Fd stream(static_cast<int>(open_hv_socket()));
        SOCKET s = static_cast<SOCKET>(stream.get());
        ULONG timeout = connect_timeout_ms;
        if (::setsockopt(s, HV_PROTOCOL_RAW, HVSOCKET_CONNECT_TIMEOUT,
                         reinterpret_cast<const char *>(&timeout),
                         sizeof timeout) == SOCKET_ERROR ||
            ::connect(s, reinterpret_cast<const sockaddr *>(&address), sizeof address) ==
                SOCKET_ERROR)
            throw_windows_error("cannot connect to Hyper-V service " + service_id + " in VM " +
                                    vm_id,
                                DWORD(WSAGetLastError()));
        return stream;
    }

private:
    WinsockUser winsock_; // for as long as the process lives: the streams outlive each call
};

} // namespace

Hvsock &host_hvsock() {
    static WinsockHvsock hvsock;
    return hvsock;
}

} // namespace machine::platform

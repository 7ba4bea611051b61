// The Apple providers' pure parts against golden output: vfkit's, krunkit's and gvproxy's argv
// for one example machine (each also passed through the fake's copy of the real grammar), what
// cannot go into a --device argument, the REST requests and state answers, the DHCP leases, the
// Ignition server's answer, and the MAC address.
#include "../../helpers/fake_vfkit/grammar.h"
#include "../thrown.h"
#include "machine/errors.h"
#include "providers/apple/apple_commands.h"
#include "providers/apple/dhcp_leases.h"
#include "providers/apple/ignition_server.h"
#include "providers/apple/vm_rest.h"

#include <catch2/catch.hpp>

using namespace machine;
using Args = std::vector<std::string>;

namespace {

const StoreDirs dirs{"/Users/me/.config/machine", "/Users/me/.local/share/machine",
                     "/tmp/machine-501/machine"};

// `dev`: 4 CPUs, 4 GiB, the home and a read-only folder shared, at its first boot.
AppleVm example(bool first_boot) {
    Layout layout(dirs, "dev");
    return {AppleFiles(layout),
            layout.console_log(),
            4,
            4096,
            {{"/Users/me", "/Users/me", false}, {"/Volumes/data", "/data", true}},
            "5a:ca:69:7d:1d:86",
            first_boot,
            false,
            false};
}

const std::string data = "/Users/me/.local/share/machine/machines/dev/";
const std::string run = "/tmp/machine-501/machine/dev/";

} // namespace

TEST_CASE("vfkit's argv: EFI, the raw disk, NAT, console, vsock, Rosetta, shares, REST",
          "[apple]") {
    auto vm = example(true);
    vm.rosetta = true;
    auto command = vfkit_command("/opt/homebrew/bin/vfkit", vm);
    CHECK(command.program == "/opt/homebrew/bin/vfkit");
    CHECK(command.env.empty());
    CHECK(command.args ==
          Args{"--cpus",        "4",
               "--memory",      "4096",
               "--bootloader",  "efi,variable-store=" + data + "efi-vars,create",
               "--device",      "virtio-blk,path=" + data + "disk.raw",
               "--device",      "virtio-rng",
               "--device",      "virtio-net,nat,mac=5a:ca:69:7d:1d:86",
               "--device",      "virtio-serial,logFilePath=" + data + "console.log",
               "--device",      "virtio-vsock,port=1025,socketURL=" + run + "ready.sock,listen",
               "--device",      "virtio-vsock,port=1026,socketURL=" + run + "mux.sock,connect",
               "--device",      "virtio-vsock,port=1024,socketURL=" + run + "ignition.sock,listen",
               "--device",      "virtio-fs,sharedDir=/Users/me,mountTag=vol0",
               "--device",      "virtio-fs,sharedDir=/Volumes/data,mountTag=vol1",
               "--device",      "rosetta,mountTag=rosetta,install",
               "--restful-uri", "unix://" + run + "rest.sock"});

    // What vfkit itself makes of it.
    auto parsed = test::parse_vfkit(command.args);
    CHECK(parsed.cpus == 4);
    CHECK(parsed.memory_mib == 4096);
    CHECK(parsed.efi_store == data + "efi-vars");
    CHECK(parsed.efi_create);
    CHECK(parsed.disks == Args{data + "disk.raw"});
    CHECK(parsed.network == "nat");
    CHECK(parsed.rest_socket == run + "rest.sock");
    REQUIRE(parsed.vsock.size() == 3);
    CHECK((parsed.vsock[0].port == 1025 && parsed.vsock[0].listen));
    CHECK((parsed.vsock[1].port == 1026 && !parsed.vsock[1].listen));
    CHECK((parsed.vsock[2].port == 1024 && parsed.vsock[2].listen));
    CHECK(parsed.rosetta);
}

TEST_CASE("after the first boot vfkit gets no Ignition device, and Rosetta only when asked",
          "[apple]") {
    auto args = vfkit_command("vfkit", example(false)).args;
    for (const auto &arg : args) {
        CHECK(arg.find("port=1024") == std::string::npos);
        CHECK(arg.rfind("rosetta", 0) != 0);
    }
    CHECK(test::parse_vfkit(args).vsock.size() == 2);
}

TEST_CASE("krunkit's argv: no boot loader, a raw disk, gvproxy's socket, --nested", "[apple]") {
    auto vm = example(true);
    vm.nested = true;
    vm.rosetta = true; // not krunkit's: left out
    auto command = krunkit_command("/opt/homebrew/bin/krunkit", vm);
    CHECK(command.args ==
          Args{"--cpus",
               "4",
               "--memory",
               "4096",
               "--device",
               "virtio-blk,path=" + data + "disk.raw,format=raw",
               "--device",
               "virtio-rng",
               "--device",
               "virtio-net,unixSocketPath=" + run + "gvproxy.sock,mac=5a:ca:69:7d:1d:86",
               "--device",
               "virtio-serial,logFilePath=" + data + "console.log",
               "--device",
               "virtio-vsock,port=1025,socketURL=" + run + "ready.sock,listen",
               "--device",
               "virtio-vsock,port=1026,socketURL=" + run + "mux.sock,connect",
               "--device",
               "virtio-vsock,port=1024,socketURL=" + run + "ignition.sock,listen",
               "--device",
               "virtio-fs,sharedDir=/Users/me,mountTag=vol0",
               "--device",
               "virtio-fs,sharedDir=/Volumes/data,mountTag=vol1",
               "--restful-uri",
               "unix://" + run + "rest.sock",
               "--nested"});
    auto parsed = test::parse_krunkit(command.args);
    CHECK(parsed.network == run + "gvproxy.sock");
    CHECK(parsed.nested);
    CHECK(parsed.shares.size() == 2);
}

TEST_CASE("gvproxy's argv is in a fixed order", "[apple]") {
    auto command = gvproxy_command("/opt/podman/bin/gvproxy",
                                   {run + "gvproxy.sock", run + "gvproxy.pid", 50022});
    CHECK(command.program == "/opt/podman/bin/gvproxy");
    CHECK(command.args == Args{"-mtu", "1500", "-ssh-port", "50022", "-listen-vfkit",
                               "unixgram://" + run + "gvproxy.sock", "-pid-file",
                               run + "gvproxy.pid"});
}

TEST_CASE("a path that cannot go into a --device argument is refused in one line", "[apple]") {
    auto vm = example(false);
    vm.mounts = {{"/Users/me/a,b", "/ab", false}};
    auto refused = test::thrown<InvalidInput>([&] { vfkit_command("vfkit", vm); });
    CHECK(refused.field() == "--volume");
    CHECK(test::one_line(refused.what()));
    CHECK(std::string(refused.what()) == "--volume: vfkit cannot be given \"/Users/me/a,b\": it "
                                         "splits device options at ','");

    vm.mounts = {{"/Users/me/x=1", "/x", false}}; // vfkit splits at the first '=' only
    CHECK_NOTHROW(vfkit_command("vfkit", vm));
    auto krunkit = test::thrown<InvalidInput>([&] { krunkit_command("krunkit", vm); });
    CHECK(std::string(krunkit.what()) == "--volume: krunkit cannot be given \"/Users/me/x=1\": it "
                                         "splits device options at '='");

    Layout odd({"/c", "/Users/me/a,b/data", "/r"}, "dev");
    auto store = example(false);
    store.files = AppleFiles(odd);
    store.console_log = odd.console_log();
    auto host = test::thrown<HostNotReady>([&] { vfkit_command("vfkit", store); });
    CHECK(test::one_line(host.what()));
    CHECK(host.hint().find("XDG_DATA_HOME") != std::string::npos);

    // macOS's sockets take 103 bytes of path: the runtime folder's are checked before vfkit runs.
    Layout deep({"/c", "/d", "/private/var/folders/zz/" + std::string(70, 'x') + "/T"}, "dev");
    auto long_paths = example(false);
    long_paths.files = AppleFiles(deep);
    auto too_long = test::thrown<HostNotReady>([&] { krunkit_command("krunkit", long_paths); });
    CHECK(test::one_line(too_long.what()));
    CHECK(std::string(too_long.what()).find("longer than the 103 bytes macOS allows") !=
          std::string::npos);
}

TEST_CASE("shared folders are tagged vol0, vol1... within virtiofs' 36 bytes", "[apple]") {
    CHECK(mount_tag(0) == "vol0");
    CHECK(mount_tag(12) == "vol12");
    CHECK(mount_tag(std::size_t(-1)).size() <= 36);
}

TEST_CASE("a machine's MAC address is its own, locally administered, and stable", "[apple]") {
    auto mac = apple_mac_address("/Users/me/.local/share/machine/machines/dev");
    CHECK(mac == "5a:ca:69:7d:1d:86"); // 5a, then the SHA-256 of the folder
    CHECK(apple_mac_address("/Users/me/.local/share/machine/machines/dev") == mac);
    CHECK(apple_mac_address("/Users/me/.local/share/machine/machines/other") != mac);
    CHECK_NOTHROW(test::parse_vfkit(
        {"--bootloader", "efi,variable-store=/v", "--device", "virtio-net,nat,mac=" + mac}));
}

TEST_CASE("vfkit's REST API: the requests, and the state in each answer", "[apple]") {
    CHECK(vm_state_request() ==
          "GET /vm/state HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    CHECK(vm_state_change_request("HardStop") ==
          "POST /vm/state HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          "Content-Length: 20\r\nConnection: close\r\n\r\n{\"state\":\"HardStop\"}");

    CHECK(parse_rest_vm_state(
              R"({"canHardStop":true,"canPause":true,"canResume":false,)"
              R"("canStart":false,"canStop":true,"state":"VirtualMachineStateRunning"})") ==
          MachineState::running);
    CHECK(parse_rest_vm_state(std::string("{\"state\": \"VirtualMachineStateRunning\"}") + '\0') ==
          MachineState::running); // krunkit's, NUL and all
    CHECK(parse_rest_vm_state(R"({"state":"VirtualMachineStateStopping"})") ==
          MachineState::running);
    CHECK(parse_rest_vm_state(R"({"state":"VirtualMachineStatePaused"})") == MachineState::running);
    CHECK(parse_rest_vm_state(R"({"state":"VirtualMachineStateStopped"})") ==
          MachineState::stopped);
    CHECK(parse_rest_vm_state(R"({"state":"VirtualMachineStateError"})") == MachineState::stopped);
    for (const char *junk : {"", "not json", "{}", R"({"state": 3})", R"({"state":"Running"})"}) {
        INFO(junk);
        auto error = test::thrown<ProtocolError>([&] { parse_rest_vm_state(junk); });
        CHECK(test::one_line(error.what()));
    }
}

TEST_CASE("the guest's address comes from macOS's DHCP leases, by the machine's MAC", "[apple]") {
    auto leases = "{\n\tname=old\n\tip_address=192.168.64.2\n\thw_address=1,5a:ca:69:7d:1d:86\n"
                  "\tidentifier=1,5a:ca:69:7d:1d:86\n\tlease=0x65a1b2c3\n}\n"
                  "{\n\tname=dev\n\tip_address=192.168.64.7\n\thw_address=1,5a:ca:69:7d:1d:86\n"
                  "\tlease=0x65a1c000\n}\n"
                  "{\n\tname=other\n\tip_address=192.168.64.3\n\thw_address=1,5a:1:2:3:4:5\n"
                  "\tlease=0x75a1c000\n}\n";
    CHECK(leased_address(leases, "5a:ca:69:7d:1d:86") == "192.168.64.7"); // the latest lease
    CHECK(leased_address(leases, "5A:01:02:03:04:05") == "192.168.64.3"); // bootpd drops zeros
    CHECK(leased_address(leases, "5a:00:00:00:00:01").empty());
    CHECK(leased_address("", "5a:ca:69:7d:1d:86").empty());
}

TEST_CASE("the Ignition server answers a GET of any path with the config, and nothing else",
          "[apple]") {
    CHECK(ignition_http_answer("GET / HTTP/1.0\r\nHost: d\r\n\r\n", "{\"ignition\":{}}") ==
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
          "Connection: close\r\n\r\n{\"ignition\":{}}");
    CHECK(ignition_http_answer("GET /config.ign HTTP/1.1\r\n\r\n", "x").find("200 OK") !=
          std::string::npos);
    CHECK(ignition_http_answer("POST / HTTP/1.1\r\n\r\n", "x").rfind("HTTP/1.1 405", 0) == 0);
}

TEST_CASE("the fake's grammar refuses what vfkit and krunkit refuse", "[apple]") {
    using test::GrammarError;
    auto efi = Args{"--bootloader", "efi,variable-store=/v,create"};
    auto with = [&](Args more) {
        auto args = efi;
        args.insert(args.end(), more.begin(), more.end());
        return args;
    };
    CHECK_THROWS_AS(test::parse_vfkit(with({"--device", "virtio-9p,path=/x"})), GrammarError);
    CHECK_THROWS_AS(test::parse_vfkit(with({"--device", "virtio-blk,path=/d,format=raw"})),
                    GrammarError); // a krunkit option
    CHECK_THROWS_AS(test::parse_vfkit(with({"--device", "virtio-net,nat,unixSocketPath=/s"})),
                    GrammarError);
    CHECK_THROWS_AS(test::parse_vfkit(with(
                        {"--device", "virtio-fs,sharedDir=/x,mountTag=" + std::string(37, 't')})),
                    GrammarError);
    CHECK_THROWS_AS(test::parse_vfkit(with({"--nat"})), GrammarError);
    CHECK_THROWS_AS(test::parse_vfkit({"--cpus", "2"}), GrammarError); // no boot loader
    CHECK_THROWS_AS(test::parse_krunkit({"--cpus", "2", "--memory", "512", "--device",
                                         "virtio-vsock,port=1,socketURL=/s,listen,connect"}),
                    GrammarError);
    CHECK_THROWS_AS(test::parse_krunkit({"--cpus", "2", "--memory", "512", "--device",
                                         "virtio-net,unixSocketPath=/s"}),
                    GrammarError); // no mac
    CHECK_THROWS_AS(test::parse_krunkit({"--memory", "512"}), GrammarError);
}

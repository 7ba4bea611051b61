// Where the agent looks for its config and sends Ready, by what a guest root has: QEMU's fw_cfg
// and virtio-serial port, or neither (vfkit, krunkit: vsock). No vsock is asked here: these roots
// have no vsock device, so the agent tries the host once, and nobody answers on this host.
#include "agent_test_support.h"
#include "provisioning/agent/agent.h"
#include "provisioning/agent/config_source.h"
#include "provisioning/agent/vsock.h"

using namespace machine::agent;
using namespace machine::agent::test;
using namespace std::chrono_literals;

TEST_CASE("under QEMU the config comes from fw_cfg and Ready goes to the virtio-serial port",
          "[agent]") {
    TempDir root;
    write_text(root / std::string(config_path), "{}");
    Options options;
    options.root = root.path();
    auto config = find_config(options, Root(root.path()), 10s);
    REQUIRE(config);
    CHECK(config->text == "{}");
    CHECK(config->from == (root / std::string(config_path)).string());
    // The port's link may not be there yet: fw_cfg says this is QEMU.
    auto ready = ready_channel(options, Root(root.path()));
    REQUIRE(ready.port);
    CHECK(*ready.port == root / std::string(ready_port_path));
}

TEST_CASE("QEMU without a config asks nothing else", "[agent]") {
    TempDir root;
    std::filesystem::create_directories(root / std::string(fw_cfg_dir));
    Options options;
    options.root = root.path();
    auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(find_config(options, Root(root.path()), 10s));
    CHECK(std::chrono::steady_clock::now() - started < 5s); // not the 10 s a vsock host gets
}

TEST_CASE("with neither fw_cfg nor the port, Ready goes to the host's vsock port 1025", "[agent]") {
    TempDir root;
    Options options;
    options.root = root.path();
    options.vsock_cid = 7;
    auto ready = ready_channel(options, Root(root.path()));
    CHECK_FALSE(ready.port);
    CHECK(ready.vsock_cid == 7);
    CHECK(ready.vsock_port == vsock_ready_port);
    CHECK(ready.describe() == "vsock 7:1025");
    // No vsock device in this root: the host is asked once, not waited for.
    auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(find_config(options, Root(root.path()), 10s));
    CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("the --config and --ready-port flags come first", "[agent]") {
    TempDir root, elsewhere;
    write_text(root / std::string(config_path), "from fw_cfg");
    write_text(elsewhere / "config.ign", "from the file");
    Options options;
    options.root = root.path();
    options.config = elsewhere / "config.ign";
    options.ready_port = elsewhere / "ready";
    CHECK(find_config(options, Root(root.path()), 0s)->text == "from the file");
    CHECK(ready_channel(options, Root(root.path())).port == elsewhere / "ready");
}

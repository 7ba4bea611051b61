// The agent as Hyper-V's KVP daemon, against a fake hv_utils driver on a SEQPACKET socket pair:
// one message per read and write, as /dev/vmbus/hv_kvp gives them. The fake does what the
// kernel's hv_kvp.c does: it answers the registration with its own, then passes the host's
// messages on one at a time, each waiting for the daemon's answer.
#include "agent_test_support.h"
#include "provisioning/agent/hyperv_kvp.h"

#include <cstring>
#include <linux/hyperv.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>

using namespace machine::agent;
using namespace machine::agent::test;
using namespace std::chrono_literals;

namespace {

hv_kvp_msg message_for(std::uint8_t operation, std::uint8_t pool, const std::string &key = "",
                       const std::string &value = "") {
    hv_kvp_msg message{};
    message.kvp_hdr.operation = operation;
    message.kvp_hdr.pool = pool;
    auto &data = message.body.kvp_set.data;
    data.value_type = 1; // REG_SZ
    std::memcpy(data.key, key.c_str(), key.size() + 1);
    data.key_size = __u32(key.size() + 1);
    std::memcpy(data.value, value.c_str(), value.size() + 1);
    data.value_size = __u32(value.size() + 1);
    return message;
}

struct FakeDriver {
    int sockets[2] = {-1, -1};
    FakeDriver() { REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sockets) == 0); }
    ~FakeDriver() {
        ::close(sockets[0]);
        ::close(sockets[1]);
    }
    int daemon_end() const { return sockets[0]; }

    hv_kvp_msg receive() {
        hv_kvp_msg message{};
        REQUIRE(::read(sockets[1], &message, sizeof message) == ssize_t(sizeof message));
        return message;
    }
    void send(const hv_kvp_msg &message) {
        REQUIRE(::write(sockets[1], &message, sizeof message) == ssize_t(sizeof message));
    }
    // One host transaction: the daemon's answer.
    hv_kvp_msg ask(const hv_kvp_msg &message) {
        send(message);
        return receive();
    }
};

} // namespace

TEST_CASE("the agent registers as the KVP daemon and takes ignition.config.N from pool 0",
          "[agent]") {
    FakeDriver driver;
    std::string part0(990, 'a'), part1 = R"({"ignition":{"version":"3.4.0"}})";
    std::vector<std::uint32_t> answers;
    std::thread host([&] {
        auto registration = driver.receive();
        CHECK(registration.kvp_hdr.operation == KVP_OP_REGISTER1);
        driver.send(message_for(KVP_OP_REGISTER1, 0)); // the driver's handshake
        answers.push_back(
            driver.ask(message_for(KVP_OP_SET, KVP_POOL_EXTERNAL, "ignition.config.0", part0))
                .error);
        answers.push_back(
            driver.ask(message_for(KVP_OP_SET, KVP_POOL_EXTERNAL, "ignition.config.1", part1))
                .error);
        answers.push_back(
            driver.ask(message_for(KVP_OP_SET, KVP_POOL_GUEST, "not.ours", "x")).error);
        answers.push_back(driver.ask(message_for(KVP_OP_ENUMERATE, KVP_POOL_AUTO)).error);
        answers.push_back(
            driver.ask(message_for(KVP_OP_GET, KVP_POOL_AUTO, "FullyQualifiedDomainName")).error);
    });
    auto started = std::chrono::steady_clock::now();
    auto pool = receive_kvp_pool(driver.daemon_end(), 30s, 500ms);
    host.join();
    CHECK(std::chrono::steady_clock::now() - started < 10s); // ended by the quiet, not the wait
    CHECK(answers == std::vector<std::uint32_t>{HV_S_OK, HV_S_OK, HV_S_OK, HV_S_CONT, HV_E_FAIL});
    CHECK(pool == KvpPool{{"ignition.config.0", part0}, {"ignition.config.1", part1}});
    CHECK(ignition_from_kvp(pool) == part0 + part1);
}

TEST_CASE("a KVP pool without ignition.config.0 holds no config, parts join up to a gap",
          "[agent]") {
    CHECK_FALSE(ignition_from_kvp({}));
    CHECK_FALSE(ignition_from_kvp({{"ignition.config.1", "x"}}));
    CHECK(ignition_from_kvp({{"ignition.config.0", "a"},
                             {"ignition.config.1", "b"},
                             {"ignition.config.3", "d"}}) == "ab");
}

TEST_CASE("with no host message the KVP wait ends with an empty pool", "[agent]") {
    FakeDriver driver;
    auto pool = receive_kvp_pool(driver.daemon_end(), 300ms, 100ms);
    CHECK(pool.empty());
    CHECK(driver.receive().kvp_hdr.operation == KVP_OP_REGISTER1); // it did register
}

TEST_CASE("the KVP pool file is hv_kvp_daemon's records, readable by root alone", "[agent]") {
    TempDir root;
    auto file = root / "/var/lib/hyperv/.kvp_pool_0";
    write_kvp_pool_file(file, {{"ignition.config.0", "secret"}, {"k", "v"}});
    struct stat info {};
    REQUIRE(::stat(file.c_str(), &info) == 0);
    CHECK((info.st_mode & 07777) == 0600);
    auto contents = read_file(file).value();
    constexpr std::size_t record = HV_KVP_EXCHANGE_MAX_KEY_SIZE + HV_KVP_EXCHANGE_MAX_VALUE_SIZE;
    REQUIRE(contents.size() == 2 * record);
    CHECK(std::string(contents.c_str()) == "ignition.config.0");
    CHECK(std::string(contents.c_str() + HV_KVP_EXCHANGE_MAX_KEY_SIZE) == "secret");
    CHECK(std::string(contents.c_str() + record) == "k");
}

#include "provisioning/agent/hyperv_kvp.h"

#include "provisioning/agent/errors.h"

#include <cerrno>
#include <cstring>
#include <linux/hyperv.h>
#include <poll.h>
#include <unistd.h>

namespace machine::agent {

namespace {

using Clock = std::chrono::steady_clock;

// A string field of a message: `size` counts its bytes with the closing NUL, the array bounds it.
template <std::size_t N> std::string field_text(const __u8 (&field)[N], __u32 size) {
    std::string text(reinterpret_cast<const char *>(field), std::min<std::size_t>(size, N));
    return text.substr(0, text.find('\0'));
}

void send_message(int device, const hv_kvp_msg &message) {
    if (::write(device, &message, sizeof message) != ssize_t(sizeof message))
        throw SystemError("cannot answer on " + std::string(kvp_device_path), errno);
}

// The answer hv_kvp_daemon would give to what we do not keep: nothing to enumerate, nothing to
// get, and every other pool's SET or DELETE accepted and forgotten.
void answer(hv_kvp_msg &message, KvpPool &pool) {
    auto operation = message.kvp_hdr.operation;
    auto pool_number = message.kvp_hdr.pool;
    if (operation == KVP_OP_SET && pool_number == KVP_POOL_EXTERNAL) {
        const auto &data = message.body.kvp_set.data;
        pool[field_text(data.key, data.key_size)] = field_text(data.value, data.value_size);
    } else if (operation == KVP_OP_DELETE && pool_number == KVP_POOL_EXTERNAL) {
        const auto &data = message.body.kvp_delete;
        pool.erase(field_text(data.key, data.key_size));
    }
    switch (operation) {
    case KVP_OP_SET:
    case KVP_OP_DELETE:
        message.error = HV_S_OK;
        break;
    case KVP_OP_ENUMERATE:
        message.error = int(HV_S_CONT); // no (more) items
        break;
    default:
        message.error = int(HV_E_FAIL);
    }
}

} // namespace

KvpPool receive_kvp_pool(int device, std::chrono::milliseconds wait,
                         std::chrono::milliseconds quiet) {
    hv_kvp_msg message{};
    message.kvp_hdr.operation = KVP_OP_REGISTER1;
    send_message(device, message);

    KvpPool pool;
    auto deadline = Clock::now() + wait;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return pool;
        pollfd readable{device, POLLIN, 0};
        int ready = ::poll(&readable, 1, int(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            throw SystemError("cannot wait on " + std::string(kvp_device_path), errno);
        if (ready == 0)
            return pool;
        message = {};
        auto got = ::read(device, &message, sizeof message);
        if (got == 0)
            return pool;
        if (got < 0)
            throw SystemError("cannot read " + std::string(kvp_device_path), errno);
        if (message.kvp_hdr.operation == KVP_OP_REGISTER1)
            continue; // the driver's handshake: it now passes the host's messages on
        answer(message, pool);
        send_message(device, message);
        if (!pool.empty())
            deadline = Clock::now() + quiet;
    }
}

std::optional<std::string> ignition_from_kvp(const KvpPool &pool) {
    std::string config;
    for (int part = 0;; ++part) {
        auto found = pool.find("ignition.config." + std::to_string(part));
        if (found == pool.end())
            return part == 0 ? std::nullopt : std::optional(config);
        config += found->second;
    }
}

void write_kvp_pool_file(const std::filesystem::path &file, const KvpPool &pool) {
    struct Record {
        char key[HV_KVP_EXCHANGE_MAX_KEY_SIZE];
        char value[HV_KVP_EXCHANGE_MAX_VALUE_SIZE];
    };
    std::string contents;
    for (const auto &[key, value] : pool) {
        Record record{};
        std::strncpy(record.key, key.c_str(), sizeof record.key - 1);
        std::strncpy(record.value, value.c_str(), sizeof record.value - 1);
        contents.append(reinterpret_cast<const char *>(&record), sizeof record);
    }
    make_parents(file);
    write_atomically(file, contents, 0600, std::nullopt);
}

} // namespace machine::agent

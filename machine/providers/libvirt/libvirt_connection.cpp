#include "providers/libvirt/libvirt_connection.h"

#include "machine/errors.h"
#include "providers/libvirt/domain_xml.h"
#include "providers/libvirt/libvirt_api.h"
#include "providers/libvirt/libvirt_events.h"
#include "providers/libvirt/libvirt_names.h"

#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <vector>

namespace machine {

namespace {

// libvirt prints every error to stderr unless given a handler: ours are thrown instead.
void quiet(void *, virErrorPtr) {}

std::string last_error() {
    const char *message = libvirt_api().virGetLastErrorMessage();
    return message ? message : "unknown libvirt error";
}

int last_error_code() {
    virErrorPtr error = libvirt_api().virGetLastError();
    return error ? error->code : VIR_ERR_OK;
}

[[noreturn]] void fail(const std::string &what) {
    throw Error(fmt::format("libvirt: {}: {}", what, last_error()));
}

struct FreeString {
    void operator()(char *text) const { std::free(text); }
};
std::string take_string(char *text, const std::string &what) {
    if (!text)
        fail(what);
    return std::unique_ptr<char, FreeString>(text).get();
}

struct PoolFree {
    void operator()(virStoragePoolPtr pool) const { libvirt_api().virStoragePoolFree(pool); }
};
struct VolumeFree {
    void operator()(virStorageVolPtr volume) const { libvirt_api().virStorageVolFree(volume); }
};
struct DomainFree {
    void operator()(virDomainPtr domain) const { libvirt_api().virDomainFree(domain); }
};
struct StreamFree {
    void operator()(virStreamPtr stream) const { libvirt_api().virStreamFree(stream); }
};
using Pool = std::unique_ptr<virStoragePool, PoolFree>;
using Volume = std::unique_ptr<virStorageVol, VolumeFree>;
using Domain = std::unique_ptr<virDomain, DomainFree>;
using Stream = std::unique_ptr<virStream, StreamFree>;

std::string version_text(unsigned long version) {
    return fmt::format("{}.{}.{}", version / 1000000, version / 1000 % 1000, version % 1000);
}

Pool find_pool(virConnectPtr connection, const std::string &name) {
    Pool pool(libvirt_api().virStoragePoolLookupByName(connection, name.c_str()));
    if (!pool)
        fail("no storage pool " + name);
    return pool;
}

Volume find_volume(virConnectPtr connection, const std::string &pool, const std::string &name) {
    auto owner = find_pool(connection, pool); // freed last: freeing resets libvirt's error
    Volume volume(libvirt_api().virStorageVolLookupByName(owner.get(), name.c_str()));
    if (!volume && last_error_code() != VIR_ERR_NO_STORAGE_VOL)
        fail("storage volume " + name);
    return volume;
}

Domain find_domain(virConnectPtr connection, const std::string &name) {
    Domain domain(libvirt_api().virDomainLookupByName(connection, name.c_str()));
    if (!domain && last_error_code() != VIR_ERR_NO_DOMAIN)
        fail("domain " + name);
    return domain;
}

Domain existing_domain(virConnectPtr connection, const std::string &name) {
    auto domain = find_domain(connection, name);
    if (!domain)
        throw NotFound(fmt::format("libvirt has no domain {}", name));
    return domain;
}

// Sends `bytes` of `read` into a volume upload.
template <typename Read> void send_all(virStreamPtr stream, Read read, const std::string &what) {
    std::vector<char> buffer(1 << 20);
    for (;;) {
        auto size = read(buffer.data(), buffer.size());
        if (size == 0)
            break;
        for (std::size_t sent = 0; sent < size;) {
            int n = libvirt_api().virStreamSend(stream, buffer.data() + sent, size - sent);
            if (n < 0) {
                libvirt_api().virStreamAbort(stream);
                fail("uploading " + what);
            }
            sent += std::size_t(n);
        }
    }
    if (libvirt_api().virStreamFinish(stream) < 0)
        fail("uploading " + what);
}

} // namespace

void LibvirtConnection::Close::operator()(_virConnect *connection) const {
    libvirt_api().virConnectClose(connection);
}

LibvirtConnection::LibvirtConnection(const std::string &uri) : uri_(uri) {
    libvirt_api().virSetErrorFunc(nullptr, quiet);
    start_libvirt_events(); // before the connection: libvirt watches its socket from the loop
    connection_.reset(libvirt_api().virConnectOpen(uri.c_str()));
    if (!connection_ && is_remote_uri(uri))
        throw HostNotReady(fmt::format("libvirt does not answer at {}: {}", uri, last_error()),
                           fmt::format("check that the host answers SSH and runs libvirtd "
                                       "(virsh -c '{}' list)",
                                       uri));
    if (!connection_)
        throw HostNotReady(fmt::format("libvirt does not answer at {}: {}", uri, last_error()),
                           "start libvirtd there (Debian and Ubuntu: apt install "
                           "libvirt-daemon-system), or name another with MACHINE_LIBVIRT_URI");
}

LibvirtConnection::~LibvirtConnection() = default;
LibvirtConnection::LibvirtConnection(LibvirtConnection &&) noexcept = default;
LibvirtConnection &LibvirtConnection::operator=(LibvirtConnection &&) noexcept = default;

bool LibvirtConnection::alive() const {
    return libvirt_api().virConnectIsAlive(connection_.get()) == 1;
}

std::string LibvirtConnection::library_version() const {
    unsigned long version = 0;
    if (libvirt_api().virConnectGetLibVersion(connection_.get(), &version) < 0)
        fail("its version");
    return version_text(version);
}

std::string LibvirtConnection::hypervisor() const {
    const char *type = libvirt_api().virConnectGetType(connection_.get());
    unsigned long version = 0;
    if (!type || libvirt_api().virConnectGetVersion(connection_.get(), &version) < 0)
        fail("the hypervisor's version");
    return fmt::format("{} {}", type, version_text(version));
}

void LibvirtConnection::ensure_pool(const std::string &name, const std::string &path) {
    Pool pool(libvirt_api().virStoragePoolLookupByName(connection_.get(), name.c_str()));
    if (!pool) {
        if (last_error_code() != VIR_ERR_NO_STORAGE_POOL)
            fail("storage pool " + name);
        pool.reset(libvirt_api().virStoragePoolDefineXML(connection_.get(),
                                                         pool_xml(name, path).c_str(), 0));
        if (!pool || libvirt_api().virStoragePoolBuild(pool.get(), 0) < 0)
            fail("defining the storage pool " + name);
        libvirt_api().virStoragePoolSetAutostart(pool.get(), 1);
    }
    if (libvirt_api().virStoragePoolIsActive(pool.get()) == 0 &&
        libvirt_api().virStoragePoolCreate(pool.get(), 0) < 0)
        fail("starting the storage pool " + name);
}

std::optional<std::string> LibvirtConnection::volume_path(const std::string &pool,
                                                          const std::string &name) {
    auto volume = find_volume(connection_.get(), pool, name);
    if (!volume)
        return std::nullopt;
    return take_string(libvirt_api().virStorageVolGetPath(volume.get()), "the path of " + name);
}

std::string LibvirtConnection::create_volume(const std::string &pool, const VolumeSpec &spec,
                                             const std::string *content,
                                             const std::filesystem::path *upload) {
    delete_volume(pool, spec.name);
    auto owner = find_pool(connection_.get(), pool);
    Volume volume(libvirt_api().virStorageVolCreateXML(owner.get(), volume_xml(spec).c_str(), 0));
    if (!volume)
        fail("creating the storage volume " + spec.name);
    if (content || upload) {
        Stream stream(libvirt_api().virStreamNew(connection_.get(), 0));
        if (!stream || libvirt_api().virStorageVolUpload(volume.get(), stream.get(), 0, 0, 0) < 0)
            fail("uploading " + spec.name);
        if (content) {
            std::size_t offset = 0;
            send_all(
                stream.get(),
                [&](char *buffer, std::size_t size) {
                    auto n = std::min(size, content->size() - offset);
                    std::copy_n(content->data() + offset, n, buffer);
                    offset += n;
                    return n;
                },
                spec.name);
        } else {
            std::ifstream in(*upload, std::ios::binary);
            if (!in)
                throw SystemError("cannot read " + upload->string(), errno);
            send_all(
                stream.get(),
                [&](char *buffer, std::size_t size) {
                    in.read(buffer, std::streamsize(size));
                    return std::size_t(in.gcount());
                },
                spec.name);
        }
    }
    return take_string(libvirt_api().virStorageVolGetPath(volume.get()),
                       "the path of " + spec.name);
}

void LibvirtConnection::delete_volume(const std::string &pool, const std::string &name) {
    auto volume = find_volume(connection_.get(), pool, name);
    if (volume && libvirt_api().virStorageVolDelete(volume.get(), 0) < 0)
        fail("deleting the storage volume " + name);
}

void LibvirtConnection::resize_volume(const std::string &pool, const std::string &name,
                                      std::uint64_t bytes) {
    auto volume = find_volume(connection_.get(), pool, name);
    if (!volume)
        throw NotFound(fmt::format("libvirt has no volume {} in the pool {}", name, pool));
    if (libvirt_api().virStorageVolResize(volume.get(), bytes, 0) < 0)
        fail("growing " + name);
}

std::vector<PoolVolume> LibvirtConnection::volumes(const std::string &pool) {
    auto owner = find_pool(connection_.get(), pool);
    virStorageVolPtr *listed = nullptr;
    int count = libvirt_api().virStoragePoolListAllVolumes(owner.get(), &listed, 0);
    if (count < 0)
        fail("the volumes of the pool " + pool);
    std::vector<Volume> held; // each freed, whatever fails on the way
    held.reserve(std::size_t(count));
    for (int i = 0; i < count; ++i)
        held.emplace_back(listed[i]);
    std::free(listed);
    std::vector<PoolVolume> volumes;
    for (const auto &volume : held) {
        const char *name = libvirt_api().virStorageVolGetName(volume.get());
        if (!name)
            fail("a volume's name in the pool " + pool);
        volumes.push_back(
            {name, take_string(libvirt_api().virStorageVolGetPath(volume.get()), name),
             take_string(libvirt_api().virStorageVolGetXMLDesc(volume.get(), 0), name)});
    }
    return volumes;
}

std::vector<std::string> LibvirtConnection::domain_xmls() {
    virDomainPtr *listed = nullptr;
    int count = libvirt_api().virConnectListAllDomains(connection_.get(), &listed, 0);
    if (count < 0)
        fail("the domains");
    std::vector<Domain> held;
    held.reserve(std::size_t(count));
    for (int i = 0; i < count; ++i)
        held.emplace_back(listed[i]);
    std::free(listed);
    // A running domain's live XML, and the definition it boots next, which may name other files.
    std::vector<std::string> xmls;
    for (const auto &domain : held)
        for (unsigned flags : {0u, unsigned(VIR_DOMAIN_XML_INACTIVE)})
            xmls.push_back(take_string(libvirt_api().virDomainGetXMLDesc(domain.get(), flags),
                                       "the XML of a domain"));
    return xmls;
}

std::optional<LibvirtDomainInfo> LibvirtConnection::domain(const std::string &name) {
    auto domain = find_domain(connection_.get(), name);
    if (!domain)
        return std::nullopt;
    LibvirtDomainInfo info;
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    if (libvirt_api().virDomainGetUUIDString(domain.get(), uuid) < 0)
        fail("the UUID of " + name);
    info.uuid = uuid;
    int active = libvirt_api().virDomainIsActive(domain.get());
    if (active < 0)
        fail("the state of " + name);
    info.active = active == 1;
    // <owner xmlns="...">TEXT</owner>, or nothing when the domain is not ours
    if (char *metadata = libvirt_api().virDomainGetMetadata(
            domain.get(), VIR_DOMAIN_METADATA_ELEMENT, libvirt_metadata_namespace,
            VIR_DOMAIN_AFFECT_CONFIG)) {
        std::string element = take_string(metadata, "");
        auto start = element.find('>');
        auto end = element.rfind('<');
        if (start != std::string::npos && end != std::string::npos && end > start)
            info.owner = element.substr(start + 1, end - start - 1);
    }
    return info;
}

void LibvirtConnection::define_domain(const std::string &xml) {
    Domain domain(libvirt_api().virDomainDefineXML(connection_.get(), xml.c_str()));
    if (!domain)
        fail("defining the domain");
}

void LibvirtConnection::start_domain(const std::string &name) {
    auto domain = existing_domain(connection_.get(), name);
    if (libvirt_api().virDomainCreate(domain.get()) < 0)
        fail("starting " + name);
}

void LibvirtConnection::shutdown_domain(const std::string &name) {
    auto domain = existing_domain(connection_.get(), name);
    if (libvirt_api().virDomainShutdown(domain.get()) < 0 &&
        libvirt_api().virDomainIsActive(domain.get()) == 1)
        fail("shutting down " + name);
}

void LibvirtConnection::destroy_domain(const std::string &name) {
    auto domain = find_domain(connection_.get(), name);
    if (domain && libvirt_api().virDomainDestroy(domain.get()) < 0 &&
        libvirt_api().virDomainIsActive(domain.get()) == 1)
        fail("stopping " + name);
}

void LibvirtConnection::undefine_domain(const std::string &name) {
    auto domain = find_domain(connection_.get(), name);
    if (domain &&
        libvirt_api().virDomainUndefineFlags(
            domain.get(), VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE) < 0)
        fail("undefining " + name);
}

std::string LibvirtConnection::live_xml(const std::string &name) {
    auto domain = existing_domain(connection_.get(), name);
    return take_string(libvirt_api().virDomainGetXMLDesc(domain.get(), 0), "the XML of " + name);
}

std::string LibvirtConnection::monitor(const std::string &name, const std::string &command_line) {
    char *result = nullptr;
    auto domain = existing_domain(connection_.get(), name);
    if (libvirt_api().virDomainQemuMonitorCommand(domain.get(), command_line.c_str(), &result,
                                                  VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0)
        fail("the monitor of " + name);
    return take_string(result, "the monitor of " + name);
}

void LibvirtConnection::open_channel(const std::string &name, const std::string &port,
                                     _virStream *stream) {
    auto domain = existing_domain(connection_.get(), name);
    if (libvirt_api().virDomainOpenChannel(domain.get(), port.c_str(), stream,
                                           VIR_DOMAIN_CHANNEL_FORCE) < 0)
        fail(fmt::format("the channel {} of {}", port, name));
}

} // namespace machine

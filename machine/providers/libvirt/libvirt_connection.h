#pragma once
// A connection to libvirt and the few calls this provider makes on it, each turning libvirt's
// error into one of ours. Thin glue: every decision is in the pure builders beside it.
#include "providers/libvirt/storage_xml.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct _virConnect;
struct _virStream;

namespace machine {

struct LibvirtDomainInfo {
    std::string uuid;
    std::string owner; // what our <metadata> says; "" when another program defined it
    bool active = false;
};

class LibvirtConnection {
public:
    // Throws HostNotReady naming the URI when libvirt does not answer there.
    explicit LibvirtConnection(const std::string &uri);
    ~LibvirtConnection();
    LibvirtConnection(LibvirtConnection &&) noexcept;
    LibvirtConnection &operator=(LibvirtConnection &&) noexcept;

    const std::string &uri() const { return uri_; }
    bool alive() const;                  // false once libvirtd or the link to its host went away
    std::string library_version() const; // libvirtd's, "9.0.0"
    std::string hypervisor() const;      // "QEMU 7.2.22"

    // The pool, defined, built, started and set to autostart where it is not yet.
    void ensure_pool(const std::string &pool, const std::string &path);
    // A volume's path on the libvirt host, or nullopt.
    std::optional<std::string> volume_path(const std::string &pool, const std::string &name);
    // Creates `volume` (a leftover of that name is deleted first) and fills it with `content` or
    // the file `upload` when given; returns its path.
    std::string create_volume(const std::string &pool, const VolumeSpec &volume,
                              const std::string *content = nullptr,
                              const std::filesystem::path *upload = nullptr);
    void delete_volume(const std::string &pool, const std::string &name);
    void resize_volume(const std::string &pool, const std::string &name, std::uint64_t bytes);
    // Every volume of the pool, with its XML.
    std::vector<PoolVolume> volumes(const std::string &pool);

    std::optional<LibvirtDomainInfo> domain(const std::string &name);
    // The XML of every domain there, running or defined, whoever made it.
    std::vector<std::string> domain_xmls();
    void define_domain(const std::string &xml);
    void start_domain(const std::string &name);
    void shutdown_domain(const std::string &name); // ACPI power button
    void destroy_domain(const std::string &name);  // pulls the plug
    void undefine_domain(const std::string &name); // with its UEFI variables
    std::string live_xml(const std::string &name);
    // A human monitor command line, through libvirt; QEMU's answer ("" when all went well).
    std::string monitor(const std::string &name, const std::string &command_line);
    // Joins `stream` to the virtio-serial `port` of the running domain, taking the channel over
    // from another reader.
    void open_channel(const std::string &name, const std::string &port, _virStream *stream);

    _virConnect *raw() const { return connection_.get(); } // for a stream of one's own

private:
    struct Close {
        void operator()(_virConnect *connection) const;
    };
    std::string uri_;
    std::unique_ptr<_virConnect, Close> connection_;
};

} // namespace machine

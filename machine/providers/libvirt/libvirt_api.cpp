#include "providers/libvirt/libvirt_api.h"

#include "platform/shared_library.h"

#include <memory>
#include <mutex>

namespace machine {

namespace {

const char *install_hint = "install libvirt's client library (Debian and Ubuntu: apt install "
                           "libvirt0; Fedora: dnf install libvirt-libs)";

// Never unloaded, nor freed: libvirt's event thread (libvirt_events.h) runs until the process has
// ended, past the destructors of statics.
std::unique_ptr<LibvirtApi> load() {
    static const auto &libvirt = *new platform::SharedLibrary("libvirt.so.0", install_hint);
    static const auto &qemu = *new platform::SharedLibrary("libvirt-qemu.so.0", install_hint);
    auto api = std::make_unique<LibvirtApi>();
    libvirt.bind("virSetErrorFunc", api->virSetErrorFunc);
    libvirt.bind("virGetLastErrorMessage", api->virGetLastErrorMessage);
    libvirt.bind("virGetLastError", api->virGetLastError);
    libvirt.bind("virConnectOpen", api->virConnectOpen);
    libvirt.bind("virConnectClose", api->virConnectClose);
    libvirt.bind("virConnectIsAlive", api->virConnectIsAlive);
    libvirt.bind("virConnectGetLibVersion", api->virConnectGetLibVersion);
    libvirt.bind("virConnectGetType", api->virConnectGetType);
    libvirt.bind("virConnectGetVersion", api->virConnectGetVersion);
    libvirt.bind("virConnectSetKeepAlive", api->virConnectSetKeepAlive);
    libvirt.bind("virConnectRegisterCloseCallback", api->virConnectRegisterCloseCallback);
    libvirt.bind("virConnectUnregisterCloseCallback", api->virConnectUnregisterCloseCallback);
    libvirt.bind("virEventRegisterDefaultImpl", api->virEventRegisterDefaultImpl);
    libvirt.bind("virEventRunDefaultImpl", api->virEventRunDefaultImpl);
    libvirt.bind("virEventAddHandle", api->virEventAddHandle);
    libvirt.bind("virEventUpdateHandle", api->virEventUpdateHandle);
    libvirt.bind("virEventRemoveHandle", api->virEventRemoveHandle);
    libvirt.bind("virStoragePoolLookupByName", api->virStoragePoolLookupByName);
    libvirt.bind("virStoragePoolDefineXML", api->virStoragePoolDefineXML);
    libvirt.bind("virStoragePoolBuild", api->virStoragePoolBuild);
    libvirt.bind("virStoragePoolSetAutostart", api->virStoragePoolSetAutostart);
    libvirt.bind("virStoragePoolIsActive", api->virStoragePoolIsActive);
    libvirt.bind("virStoragePoolCreate", api->virStoragePoolCreate);
    libvirt.bind("virStoragePoolFree", api->virStoragePoolFree);
    libvirt.bind("virStorageVolLookupByName", api->virStorageVolLookupByName);
    libvirt.bind("virStorageVolGetPath", api->virStorageVolGetPath);
    libvirt.bind("virStorageVolCreateXML", api->virStorageVolCreateXML);
    libvirt.bind("virStorageVolDelete", api->virStorageVolDelete);
    libvirt.bind("virStorageVolResize", api->virStorageVolResize);
    libvirt.bind("virStorageVolUpload", api->virStorageVolUpload);
    libvirt.bind("virStorageVolFree", api->virStorageVolFree);
    libvirt.bind("virStoragePoolListAllVolumes", api->virStoragePoolListAllVolumes);
    libvirt.bind("virStorageVolGetName", api->virStorageVolGetName);
    libvirt.bind("virStorageVolGetXMLDesc", api->virStorageVolGetXMLDesc);
    libvirt.bind("virConnectListAllDomains", api->virConnectListAllDomains);
    libvirt.bind("virStreamNew", api->virStreamNew);
    libvirt.bind("virStreamSend", api->virStreamSend);
    libvirt.bind("virStreamRecv", api->virStreamRecv);
    libvirt.bind("virStreamFinish", api->virStreamFinish);
    libvirt.bind("virStreamAbort", api->virStreamAbort);
    libvirt.bind("virStreamFree", api->virStreamFree);
    libvirt.bind("virStreamEventAddCallback", api->virStreamEventAddCallback);
    libvirt.bind("virStreamEventUpdateCallback", api->virStreamEventUpdateCallback);
    libvirt.bind("virStreamEventRemoveCallback", api->virStreamEventRemoveCallback);
    libvirt.bind("virDomainLookupByName", api->virDomainLookupByName);
    libvirt.bind("virDomainGetUUIDString", api->virDomainGetUUIDString);
    libvirt.bind("virDomainIsActive", api->virDomainIsActive);
    libvirt.bind("virDomainGetMetadata", api->virDomainGetMetadata);
    libvirt.bind("virDomainDefineXML", api->virDomainDefineXML);
    libvirt.bind("virDomainCreate", api->virDomainCreate);
    libvirt.bind("virDomainShutdown", api->virDomainShutdown);
    libvirt.bind("virDomainDestroy", api->virDomainDestroy);
    libvirt.bind("virDomainUndefineFlags", api->virDomainUndefineFlags);
    libvirt.bind("virDomainGetXMLDesc", api->virDomainGetXMLDesc);
    libvirt.bind("virDomainFree", api->virDomainFree);
    libvirt.bind("virDomainOpenChannel", api->virDomainOpenChannel);
    qemu.bind("virDomainQemuMonitorCommand", api->virDomainQemuMonitorCommand);
    return api;
}

} // namespace

const LibvirtApi &libvirt_api() {
    // Loaded under a lock, and tried again on the next call if it failed.
    static auto &mutex = *new std::mutex;
    static const LibvirtApi *api = nullptr;
    std::lock_guard lock(mutex);
    if (!api)
        api = load().release();
    return *api;
}

} // namespace machine

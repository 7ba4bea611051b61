#pragma once
// libvirt's C API, loaded on first use (platform/shared_library.h) rather than linked: libvirt.so
// pulls in some thirty libraries, which every run of the CLI would load. The headers are
// libvirt-dev's; the members are named as the functions they hold.
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace machine {

struct LibvirtApi {
    decltype(&::virSetErrorFunc) virSetErrorFunc;
    decltype(&::virGetLastErrorMessage) virGetLastErrorMessage;
    decltype(&::virGetLastError) virGetLastError;
    decltype(&::virConnectOpen) virConnectOpen;
    decltype(&::virConnectClose) virConnectClose;
    decltype(&::virConnectIsAlive) virConnectIsAlive;
    decltype(&::virConnectGetLibVersion) virConnectGetLibVersion;
    decltype(&::virConnectGetType) virConnectGetType;
    decltype(&::virConnectGetVersion) virConnectGetVersion;
    decltype(&::virConnectSetKeepAlive) virConnectSetKeepAlive;
    decltype(&::virConnectRegisterCloseCallback) virConnectRegisterCloseCallback;
    decltype(&::virConnectUnregisterCloseCallback) virConnectUnregisterCloseCallback;
    decltype(&::virEventRegisterDefaultImpl) virEventRegisterDefaultImpl;
    decltype(&::virEventRunDefaultImpl) virEventRunDefaultImpl;
    decltype(&::virEventAddHandle) virEventAddHandle;
    decltype(&::virEventUpdateHandle) virEventUpdateHandle;
    decltype(&::virEventRemoveHandle) virEventRemoveHandle;
    decltype(&::virStoragePoolLookupByName) virStoragePoolLookupByName;
    decltype(&::virStoragePoolDefineXML) virStoragePoolDefineXML;
    decltype(&::virStoragePoolBuild) virStoragePoolBuild;
    decltype(&::virStoragePoolSetAutostart) virStoragePoolSetAutostart;
    decltype(&::virStoragePoolIsActive) virStoragePoolIsActive;
    decltype(&::virStoragePoolCreate) virStoragePoolCreate;
    decltype(&::virStoragePoolFree) virStoragePoolFree;
    decltype(&::virStorageVolLookupByName) virStorageVolLookupByName;
    decltype(&::virStorageVolGetPath) virStorageVolGetPath;
    decltype(&::virStorageVolCreateXML) virStorageVolCreateXML;
    decltype(&::virStorageVolDelete) virStorageVolDelete;
    decltype(&::virStorageVolResize) virStorageVolResize;
    decltype(&::virStorageVolUpload) virStorageVolUpload;
    decltype(&::virStorageVolFree) virStorageVolFree;
    decltype(&::virStoragePoolListAllVolumes) virStoragePoolListAllVolumes;
    decltype(&::virStorageVolGetName) virStorageVolGetName;
    decltype(&::virStorageVolGetXMLDesc) virStorageVolGetXMLDesc;
    decltype(&::virConnectListAllDomains) virConnectListAllDomains;
    decltype(&::virStreamNew) virStreamNew;
    decltype(&::virStreamSend) virStreamSend;
    decltype(&::virStreamRecv) virStreamRecv;
    decltype(&::virStreamFinish) virStreamFinish;
    decltype(&::virStreamAbort) virStreamAbort;
    decltype(&::virStreamFree) virStreamFree;
    decltype(&::virStreamEventAddCallback) virStreamEventAddCallback;
    decltype(&::virStreamEventUpdateCallback) virStreamEventUpdateCallback;
    decltype(&::virStreamEventRemoveCallback) virStreamEventRemoveCallback;
    decltype(&::virDomainLookupByName) virDomainLookupByName;
    decltype(&::virDomainGetUUIDString) virDomainGetUUIDString;
    decltype(&::virDomainIsActive) virDomainIsActive;
    decltype(&::virDomainGetMetadata) virDomainGetMetadata;
    decltype(&::virDomainDefineXML) virDomainDefineXML;
    decltype(&::virDomainCreate) virDomainCreate;
    decltype(&::virDomainShutdown) virDomainShutdown;
    decltype(&::virDomainDestroy) virDomainDestroy;
    decltype(&::virDomainUndefineFlags) virDomainUndefineFlags;
    decltype(&::virDomainGetXMLDesc) virDomainGetXMLDesc;
    decltype(&::virDomainFree) virDomainFree;
    decltype(&::virDomainOpenChannel) virDomainOpenChannel;
    decltype(&::virDomainQemuMonitorCommand) virDomainQemuMonitorCommand; // libvirt-qemu.so
};

// Loads libvirt.so.0 and libvirt-qemu.so.0 once; throws HostNotReady when they are missing.
const LibvirtApi &libvirt_api();

} // namespace machine

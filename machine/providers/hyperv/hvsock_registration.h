#pragma once
// Registering the hvsock services under GuestCommunicationServices (hvsock_service.h): the one
// step that needs an administrator. Registered once per host, for every machine, and left in place
// by `rm` (the other machines use them too). The scripts are built as data like every other.
#include "providers/hyperv/hvsock_service.h"

#include <string>
#include <vector>

namespace machine {

// Prints "registered" when every service has its key (reading HKLM needs no rights), else
// "missing".
std::string hvsock_services_check_script(const std::vector<HvsockService> &services);

// What runs as administrator: makes each service's key and its ElementName, keeping what is
// there already.
std::string hvsock_services_elevated_script(const std::vector<HvsockService> &services);

// Runs hvsock_services_elevated_script() in an elevated powershell.exe (Start-Process -Verb RunAs:
// Windows asks the user, UAC) and waits for it; fails when the user declines or the script fails.
std::string register_hvsock_services_script(const std::vector<HvsockService> &services);

// The one line the user reads before Windows asks for administrator rights.
std::string hvsock_elevation_notice();

} // namespace machine

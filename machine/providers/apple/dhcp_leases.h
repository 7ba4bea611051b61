#pragma once
// Where vfkit's NAT network put a machine: macOS's DHCP server (bootpd) records each lease in
// /var/db/dhcpd_leases as a block of key=value lines,
//   { name=dev  ip_address=192.168.64.3  hw_address=1,5a:94:ef:e4:c:ee  lease=0x65a1b2c3 }
// with each byte of the MAC address written without its leading zero.
#include <string>

namespace machine {

// The IP address leased to `mac` ("5a:94:ef:e4:0c:ee", any case), the latest lease when there are
// several; "" when there is none.
std::string leased_address(const std::string &leases, const std::string &mac);

} // namespace machine

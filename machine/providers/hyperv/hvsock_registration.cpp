#include "providers/hyperv/hvsock_registration.h"

#include "providers/hyperv/powershell_script.h"

namespace machine {

namespace {

std::string root_line() {
    return std::string("$root = ") + ps_quote(guest_communication_services_key);
}

} // namespace

std::string hvsock_services_check_script(const std::vector<HvsockService> &services) {
    std::string ids;
    for (const auto &service : services)
        ids += (ids.empty() ? "" : ", ") + ps_quote(service.id);
    return ps_script("check hvsock services",
                     {root_line(),
                      "$missing = @(" + ids +
                          ") | Where-Object { -not (Test-Path -LiteralPath ($root + '\\' + $_)) }",
                      "if ($missing) { Write-Output 'missing' } else { Write-Output 'registered' "
                      "}"});
}

std::string hvsock_services_elevated_script(const std::vector<HvsockService> &services) {
    std::vector<std::string> body = {root_line()};
    for (const auto &service : services) {
        body.push_back("$key = $root + " + ps_quote("\\" + service.id));
        body.push_back("if (-not (Test-Path -LiteralPath $key)) { $null = New-Item -Path $key }");
        body.push_back("Set-ItemProperty -LiteralPath $key -Name 'ElementName' -Value " +
                       ps_quote(service.element_name));
    }
    return ps_script("register hvsock services", body);
}

std::string register_hvsock_services_script(const std::vector<HvsockService> &services) {
    auto arguments = "-NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " +
                     ps_encoded_command(hvsock_services_elevated_script(services));
    return ps_script(
        "register hvsock services as administrator",
        {"$elevated = Start-Process -FilePath 'powershell.exe' -Verb RunAs -Wait -PassThru "
         "-WindowStyle Hidden -ArgumentList " +
             ps_quote(arguments),
         "if ($elevated.ExitCode -ne 0) { throw ('registering the hvsock services as "
         "administrator failed (exit code ' + $elevated.ExitCode + ')') }"});
}

std::string hvsock_elevation_notice() {
    return "Hyper-V lets a guest talk to this host only over services listed in the registry "
           "(HKLM\\...\\Virtualization\\GuestCommunicationServices); registering this tool's two, "
           "once for all its machines, needs administrator rights: Windows will ask now";
}

} // namespace machine

#include "providers/hyperv/hyperv_scripts.h"

#include "providers/hyperv/hyperv_names.h"
#include "providers/hyperv/kvp_items.h"
#include "providers/hyperv/kvp_script.h"
#include "providers/hyperv/powershell_script.h"

#include <vector>

namespace machine {

namespace {

// Hyper-V takes memory in whole multiples of 2 MiB: an odd size is rounded up.
std::string memory_bytes(std::uint64_t memory_mib) {
    return std::to_string((memory_mib + 1) / 2 * 2 << 20);
}

std::string find_vm_line(const std::string &vm_id) {
    return "$vm = Get-VM | Where-Object { $_.Id.ToString() -eq " + ps_quote(vm_id) + " }";
}

// Off and Saved VMs run nothing; any other state holds the VM in memory.
const std::string vm_is_live = "$vm.State -ne 'Off' -and $vm.State -ne 'Saved'";

std::vector<std::string> resize_lines(const std::string &disk, std::uint64_t disk_gib) {
    return {"$disk = " + ps_quote(disk), "$size = " + std::to_string(disk_gib << 30),
            "if ((Get-VHD -Path $disk).Size -lt $size) { Resize-VHD -Path $disk -SizeBytes $size "
            "}"};
}

std::vector<std::string> resource_lines(int cpus, std::uint64_t memory_mib) {
    return {"Set-VMProcessor -VM $vm -Count " + std::to_string(cpus),
            "Set-VMMemory -VM $vm -DynamicMemoryEnabled $false -StartupBytes " +
                memory_bytes(memory_mib)};
}

void append(std::vector<std::string> &to, const std::vector<std::string> &lines) {
    to.insert(to.end(), lines.begin(), lines.end());
}

} // namespace

std::string check_host_script() {
    return ps_script("check host",
                     {"if (-not (Get-Module -ListAvailable -Name 'Hyper-V')) {",
                      "    [Console]::Error.WriteLine('the Hyper-V PowerShell module is not "
                      "installed')",
                      "    exit 3", "}", "$null = Get-VMHost"});
}

std::string create_vm_script(const VmSpec &spec) {
    std::vector<std::string> body = {
        "$notes = " + ps_quote(spec.notes),
        "Get-VM | Where-Object { $_.Name -eq " + ps_quote(spec.name) +
            " -and $_.Notes -eq $notes } | ForEach-Object {",
        "    if ($_.State -ne 'Off' -and $_.State -ne 'Saved') { Stop-VM -VM $_ -TurnOff -Force "
        "}",
        "    Remove-VM -VM $_ -Force",
        "}",
    };
    append(body, resize_lines(spec.disk, spec.disk_gib));
    body.push_back("$vm = New-VM -Name " + ps_quote(spec.name) +
                   " -Generation 2 -MemoryStartupBytes " + memory_bytes(spec.memory_mib) +
                   " -NoVHD");
    body.push_back("Set-VM -VM $vm -Notes $notes -CheckpointType Disabled -AutomaticStartAction "
                   "Nothing -AutomaticStopAction ShutDown");
    append(body, resource_lines(spec.cpus, spec.memory_mib));
    append(body,
           {"Set-VMFirmware -VM $vm -EnableSecureBoot Off",
            "Get-VMNetworkAdapter -VM $vm | Remove-VMNetworkAdapter",
            "$drive = Add-VMHardDiskDrive -VM $vm -Path $disk -Passthru",
            "Set-VMFirmware -VM $vm -FirstBootDevice $drive", "Write-Output $vm.Id.ToString()"});
    return ps_script("create VM", body);
}

std::string vm_state_script(const std::string &vm_id) {
    return ps_script("VM state",
                     {find_vm_line(vm_id), "if ($vm) { Write-Output ([string]$vm.State) } else { "
                                           "Write-Output 'Missing' }"});
}

std::string console_reader_script(const std::string &pipe, const std::string &log) {
    auto name = pipe.substr(pipe.find_last_of('\\') + 1); // the name, without its folder
    return ps_script(
        "console reader",
        {"$pipe = [System.IO.Pipes.NamedPipeClientStream]::new('.', " + ps_quote(name) +
             ", [System.IO.Pipes.PipeDirection]::In)",
         "$pipe.Connect(120000)",
         // No buffer (1): the lifecycle watches the log for the agent's lines as they come.
         "$log = [System.IO.FileStream]::new(" + ps_quote(log) +
             ", [System.IO.FileMode]::Create, [System.IO.FileAccess]::Write, "
             "[System.IO.FileShare]'ReadWrite, Delete', 1)",
         "try { $pipe.CopyTo($log) } finally { $log.Dispose(); $pipe.Dispose() }"});
}

std::string start_vm_script(const std::string &vm_id, const StartSpec &spec) {
    auto pipe = console_pipe_name(vm_id);
    auto reader = "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle "
                  "Hidden -EncodedCommand " +
                  ps_encoded_command(console_reader_script(pipe, spec.console_log));
    std::vector<std::string> body = {
        find_vm_line(vm_id),
        "if (-not $vm) { throw " +
            ps_quote("Hyper-V has no VM " + vm_id + ": it was removed outside machine") + " }",
        "if ($vm.State -eq 'Saved') { Remove-VMSavedState -VM $vm }",
    };
    append(body, resource_lines(spec.cpus, spec.memory_mib));
    append(body,
           {"Set-VMComPort -VM $vm -Number 1 -Path " + ps_quote(pipe),
            "$reader = Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{ "
            "CommandLine = " +
                ps_quote(reader) + " }",
            "if ($reader.ReturnValue -ne 0) { throw ('cannot start the console reader: "
            "Win32_Process.Create returned ' + $reader.ReturnValue) }",
            "Start-VM -VM $vm"});
    return ps_script("start VM", body);
}

std::string stop_vm_script(const std::string &vm_id, std::chrono::seconds grace) {
    std::vector<std::string> body = {find_vm_line(vm_id), "if ($vm -and " + vm_is_live + ") {"};
    if (grace.count() > 0)
        append(body,
               {"    $shutdown = Stop-VM -VM $vm -Force -AsJob",
                "    $null = Wait-Job -Job $shutdown -Timeout " + std::to_string(grace.count()),
                "    Remove-Job -Job $shutdown -Force",
                "    if ((Get-VM -Id $vm.Id).State -ne 'Off') { Stop-VM -VM $vm -TurnOff "
                "-Force }"});
    else
        body.push_back("    Stop-VM -VM $vm -TurnOff -Force");
    body.push_back("}");
    return ps_script("stop VM", body);
}

std::string resize_disk_script(const std::string &disk, std::uint64_t disk_gib) {
    return ps_script("resize disk", resize_lines(disk, disk_gib));
}

std::string remove_vm_script(const std::string &vm_id, const std::string &vm_name,
                             const std::string &vm_notes, std::size_t kvp_items) {
    auto ours = "($_.Name -eq " + ps_quote(vm_name) + " -and $_.Notes -eq $notes)";
    if (!vm_id.empty())
        ours = "$_.Id.ToString() -eq " + ps_quote(vm_id) + " -or " + ours;
    std::vector<std::string> body = {
        "$notes = " + ps_quote(vm_notes),
        "$vms = @(Get-VM | Where-Object { " + ours + " })",
        "foreach ($vm in $vms) {",
        "    if (" + vm_is_live + ") { Stop-VM -VM $vm -TurnOff -Force }",
        "}",
    };
    if (!vm_id.empty()) {
        std::vector<std::string> names;
        for (std::size_t i = 0; i < kvp_items; ++i)
            names.push_back(ignition_kvp_name(i));
        append(body, remove_kvp_items_lines(vm_id, names));
    }
    body.push_back("foreach ($vm in $vms) { Remove-VM -VM $vm -Force }");
    return ps_script("remove VM", body);
}

} // namespace machine

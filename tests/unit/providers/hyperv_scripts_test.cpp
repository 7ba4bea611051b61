// The hyperv provider's PowerShell scripts, to the byte. A change to what runs on a Windows host
// must change these tests. (Scripts handed on as -EncodedCommand are checked as text of their own
// and decoded back here.)
#include "providers/hyperv/hvsock_registration.h"
#include "providers/hyperv/hyperv_names.h"
#include "providers/hyperv/hyperv_scripts.h"
#include "providers/hyperv/kvp_script.h"
#include "providers/hyperv/powershell_script.h"

#include <catch2/catch.hpp>
#include <string>

using namespace machine;
using namespace std::chrono_literals;

namespace {

const std::string id = "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0";
const std::string folder = "C:\\Users\\u\\AppData\\Local\\machine\\data\\dev";
const std::string notes = "Made by machine for " + folder;
const std::string disk = folder + "\\disk.vhdx";

std::string replaced(std::string text, const std::string &from, const std::string &to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

// -EncodedCommand's base64 of UTF-16LE, back to the script.
std::string decoded(const std::string &encoded) {
    static const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes;
    unsigned bits = 0;
    int count = 0;
    for (char c : encoded) {
        if (c == '=')
            break;
        bits = bits << 6 | unsigned(alphabet.find(c));
        if ((count += 6) >= 8)
            bytes += char((bits >> (count -= 8)) & 0xff);
    }
    std::string text;
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
        REQUIRE(bytes[i + 1] == '\0');
        text += bytes[i];
    }
    return text;
}

// The base64 that follows `after` in `script`, up to the next quote.
std::string encoded_after(const std::string &script, const std::string &after) {
    auto at = script.find(after);
    REQUIRE(at != std::string::npos);
    at += after.size();
    return script.substr(at, script.find('\'', at) - at);
}

const char *kvp_setup = R"(        $namespace = 'root\virtualization\v2'
        $kvpService = Get-WmiObject -Namespace $namespace -Class Msvm_VirtualSystemManagementService
        $kvpSystem = Get-WmiObject -Namespace $namespace -Class Msvm_ComputerSystem -Filter 'Name=''0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0'''
        $kvpItemClass = [WmiClass]('\\.\' + $namespace + ':Msvm_KvpExchangeDataItem')
        function Invoke-KvpItem($Method, $Name, $Data) {
            $item = $kvpItemClass.CreateInstance()
            $item.Name = $Name
            $item.Data = $Data
            $item.Source = 0
            $result = $kvpService.$Method($kvpSystem.Path.Path, @($item.PSBase.GetText(1)))
            if ($result.ReturnValue -eq 4096) {
                $job = [Wmi]$result.Job
                while ($job.JobState -in 2, 3, 4) {
                    Start-Sleep -Milliseconds 100
                    $job.PSBase.Get()
                }
                if ($job.JobState -ne 7) { throw ($Method + ' ' + $Name + ': ' + $job.ErrorDescription) }
            } elseif ($result.ReturnValue -ne 0) {
                throw ($Method + ' ' + $Name + ': WMI error ' + $result.ReturnValue)
            }
        }
)";

const char *script_end = R"(    } catch {
        [Console]::Error.WriteLine($_.Exception.Message)
        exit 1
    }
    exit 0
}

)";

std::string script_start(const std::string &step) {
    return "# machine: " + step + R"(
& {
    try {
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
)";
}

} // namespace

TEST_CASE("golden: check host", "[hyperv]") {
    CHECK(check_host_script() ==
          script_start("check host") +
              R"(        if (-not (Get-Module -ListAvailable -Name 'Hyper-V')) {
            [Console]::Error.WriteLine('the Hyper-V PowerShell module is not installed')
            exit 3
        }
        $null = Get-VMHost
)" + script_end);
}

TEST_CASE("golden: create a Generation 2 VM, Secure Boot off, static memory, no NIC", "[hyperv]") {
    CHECK(create_vm_script({"machine-dev", notes, disk, 4, 4096, 100}) ==
          script_start("create VM") +
              R"(        $notes = 'Made by machine for C:\Users\u\AppData\Local\machine\data\dev'
        Get-VM | Where-Object { $_.Name -eq 'machine-dev' -and $_.Notes -eq $notes } | ForEach-Object {
            if ($_.State -ne 'Off' -and $_.State -ne 'Saved') { Stop-VM -VM $_ -TurnOff -Force }
            Remove-VM -VM $_ -Force
        }
        $disk = 'C:\Users\u\AppData\Local\machine\data\dev\disk.vhdx'
        $size = 107374182400
        if ((Get-VHD -Path $disk).Size -lt $size) { Resize-VHD -Path $disk -SizeBytes $size }
        $vm = New-VM -Name 'machine-dev' -Generation 2 -MemoryStartupBytes 4294967296 -NoVHD
        Set-VM -VM $vm -Notes $notes -CheckpointType Disabled -AutomaticStartAction Nothing -AutomaticStopAction ShutDown
        Set-VMProcessor -VM $vm -Count 4
        Set-VMMemory -VM $vm -DynamicMemoryEnabled $false -StartupBytes 4294967296
        Set-VMFirmware -VM $vm -EnableSecureBoot Off
        Get-VMNetworkAdapter -VM $vm | Remove-VMNetworkAdapter
        $drive = Add-VMHardDiskDrive -VM $vm -Path $disk -Passthru
        Set-VMFirmware -VM $vm -FirstBootDevice $drive
        Write-Output $vm.Id.ToString()
)" + script_end);
}

TEST_CASE("golden: create rounds memory up to whole 2 MiB and quotes a hostile folder",
          "[hyperv]") {
    auto script = create_vm_script({"machine-x", "Made by machine for C:\\it's\\J\xc3\xb6rg",
                                    "C:\\it's\\disk.vhdx", 1, 1025, 5});
    CHECK(script.find("-MemoryStartupBytes 1075838976 -NoVHD") != std::string::npos);
    CHECK(script.find("-StartupBytes 1075838976\n") != std::string::npos);
    CHECK(script.find("        $notes = ([Text.Encoding]::UTF8.GetString([Convert]::"
                      "FromBase64String('TWFkZSBieSBtYWNoaW5lIGZvciBDOlxpdCdzXErDtnJn')))\n") !=
          std::string::npos);
    CHECK(script.find("        $disk = 'C:\\it''s\\disk.vhdx'\n") != std::string::npos);
    CHECK(script.find("        $size = 5368709120\n") != std::string::npos);
}

TEST_CASE("golden: the VM's state", "[hyperv]") {
    CHECK(
        vm_state_script(id) ==
        script_start("VM state") +
            R"(        $vm = Get-VM | Where-Object { $_.Id.ToString() -eq '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0' }
        if ($vm) { Write-Output ([string]$vm.State) } else { Write-Output 'Missing' }
)" + script_end);
}

TEST_CASE("golden: the console reader copies COM1's pipe to the log", "[hyperv]") {
    CHECK(
        console_reader_script(console_pipe_name(id), folder + "\\console.log") ==
        script_start("console reader") +
            R"(        $pipe = [System.IO.Pipes.NamedPipeClientStream]::new('.', 'machine-0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0-com1', [System.IO.Pipes.PipeDirection]::In)
        $pipe.Connect(120000)
        $log = [System.IO.FileStream]::new('C:\Users\u\AppData\Local\machine\data\dev\console.log', [System.IO.FileMode]::Create, [System.IO.FileAccess]::Write, [System.IO.FileShare]'ReadWrite, Delete', 1)
        try { $pipe.CopyTo($log) } finally { $log.Dispose(); $pipe.Dispose() }
)" + script_end);
}

TEST_CASE("golden: start applies CPUs and memory, COM1 on a pipe, the reader, then the VM",
          "[hyperv]") {
    auto log = folder + "\\console.log";
    auto script = start_vm_script(id, {4, 4096, log});
    auto reader = encoded_after(script, "-EncodedCommand ");
    CHECK(decoded(reader) == console_reader_script(console_pipe_name(id), log));
    CHECK(
        script ==
        replaced(
            script_start("start VM") +
                R"(        $vm = Get-VM | Where-Object { $_.Id.ToString() -eq '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0' }
        if (-not $vm) { throw 'Hyper-V has no VM 0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0: it was removed outside machine' }
        if ($vm.State -eq 'Saved') { Remove-VMSavedState -VM $vm }
        Set-VMProcessor -VM $vm -Count 4
        Set-VMMemory -VM $vm -DynamicMemoryEnabled $false -StartupBytes 4294967296
        Set-VMComPort -VM $vm -Number 1 -Path '\\.\pipe\machine-0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0-com1'
        $reader = Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{ CommandLine = 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle Hidden -EncodedCommand READER' }
        if ($reader.ReturnValue -ne 0) { throw ('cannot start the console reader: Win32_Process.Create returned ' + $reader.ReturnValue) }
        Start-VM -VM $vm
)" + script_end,
            "READER", reader));
}

TEST_CASE("golden: stop asks the guest, waits the grace period, then turns the VM off",
          "[hyperv]") {
    CHECK(
        stop_vm_script(id, 30s) ==
        script_start("stop VM") +
            R"(        $vm = Get-VM | Where-Object { $_.Id.ToString() -eq '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0' }
        if ($vm -and $vm.State -ne 'Off' -and $vm.State -ne 'Saved') {
            $shutdown = Stop-VM -VM $vm -Force -AsJob
            $null = Wait-Job -Job $shutdown -Timeout 30
            Remove-Job -Job $shutdown -Force
            if ((Get-VM -Id $vm.Id).State -ne 'Off') { Stop-VM -VM $vm -TurnOff -Force }
        }
)" + script_end);
}

TEST_CASE("golden: stop with no grace period turns the VM off at once", "[hyperv]") {
    CHECK(
        stop_vm_script(id, 0s) ==
        script_start("stop VM") +
            R"(        $vm = Get-VM | Where-Object { $_.Id.ToString() -eq '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0' }
        if ($vm -and $vm.State -ne 'Off' -and $vm.State -ne 'Saved') {
            Stop-VM -VM $vm -TurnOff -Force
        }
)" + script_end);
}

TEST_CASE("golden: set grows the disk, never shrinks it", "[hyperv]") {
    CHECK(resize_disk_script(disk, 200) ==
          script_start("resize disk") +
              R"(        $disk = 'C:\Users\u\AppData\Local\machine\data\dev\disk.vhdx'
        $size = 214748364800
        if ((Get-VHD -Path $disk).Size -lt $size) { Resize-VHD -Path $disk -SizeBytes $size }
)" + script_end);
}

TEST_CASE("golden: the Ignition config as KVP items through AddKvpItems", "[hyperv]") {
    CHECK(
        add_kvp_items_script(
            id, {{"ignition.config.0", "{\"ignition\": "}, {"ignition.config.1", "it's\n"}}) ==
        script_start("add KVP items") + kvp_setup +
            R"(        if (-not $kvpSystem) { throw 'Hyper-V has no VM 0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0' }
        Invoke-KvpItem 'AddKvpItems' 'ignition.config.0' '{"ignition": '
        Invoke-KvpItem 'AddKvpItems' 'ignition.config.1' ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('aXQncwo=')))
)" + script_end);
}

TEST_CASE("golden: remove turns off and removes the VM, its KVP items first", "[hyperv]") {
    CHECK(remove_vm_script(id, "machine-dev", notes, 2) ==
          script_start("remove VM") +
              R"(        $notes = 'Made by machine for C:\Users\u\AppData\Local\machine\data\dev'
        $vms = @(Get-VM | Where-Object { $_.Id.ToString() -eq '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0' -or ($_.Name -eq 'machine-dev' -and $_.Notes -eq $notes) })
        foreach ($vm in $vms) {
            if ($vm.State -ne 'Off' -and $vm.State -ne 'Saved') { Stop-VM -VM $vm -TurnOff -Force }
        }
)" + kvp_setup +
              R"(        if ($kvpSystem) {
            foreach ($key in 'ignition.config.0', 'ignition.config.1') {
                try { Invoke-KvpItem 'RemoveKvpItems' $key '' } catch { }
            }
        }
        foreach ($vm in $vms) { Remove-VM -VM $vm -Force }
)" + script_end);
}

TEST_CASE("golden: remove after an unfinished init finds the VM by name and notes", "[hyperv]") {
    CHECK(remove_vm_script("", "machine-dev", notes, 0) ==
          script_start("remove VM") +
              R"(        $notes = 'Made by machine for C:\Users\u\AppData\Local\machine\data\dev'
        $vms = @(Get-VM | Where-Object { ($_.Name -eq 'machine-dev' -and $_.Notes -eq $notes) })
        foreach ($vm in $vms) {
            if ($vm.State -ne 'Off' -and $vm.State -ne 'Saved') { Stop-VM -VM $vm -TurnOff -Force }
        }
        foreach ($vm in $vms) { Remove-VM -VM $vm -Force }
)" + script_end);
}

TEST_CASE("golden: whether the hvsock services are registered", "[hyperv]") {
    CHECK(
        hvsock_services_check_script(machine_hvsock_services()) ==
        script_start("check hvsock services") +
            R"(        $root = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization\GuestCommunicationServices'
        $missing = @('00000401-FACB-11E6-BD58-64006A7986D3', '00000402-FACB-11E6-BD58-64006A7986D3') | Where-Object { -not (Test-Path -LiteralPath ($root + '\' + $_)) }
        if ($missing) { Write-Output 'missing' } else { Write-Output 'registered' }
)" + script_end);
}

TEST_CASE("golden: registering the hvsock services, as administrator", "[hyperv]") {
    auto services = machine_hvsock_services();
    auto elevated = hvsock_services_elevated_script(services);
    CHECK(
        elevated ==
        script_start("register hvsock services") +
            R"(        $root = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization\GuestCommunicationServices'
        $key = $root + '\00000401-FACB-11E6-BD58-64006A7986D3'
        if (-not (Test-Path -LiteralPath $key)) { $null = New-Item -Path $key }
        Set-ItemProperty -LiteralPath $key -Name 'ElementName' -Value 'machine: guest Ready'
        $key = $root + '\00000402-FACB-11E6-BD58-64006A7986D3'
        if (-not (Test-Path -LiteralPath $key)) { $null = New-Item -Path $key }
        Set-ItemProperty -LiteralPath $key -Name 'ElementName' -Value 'machine: machine-mux'
)" + script_end);

    auto script = register_hvsock_services_script(services);
    auto encoded = encoded_after(script, "-EncodedCommand ");
    CHECK(decoded(encoded) == elevated);
    CHECK(
        script ==
        replaced(
            script_start("register hvsock services as administrator") +
                R"(        $elevated = Start-Process -FilePath 'powershell.exe' -Verb RunAs -Wait -PassThru -WindowStyle Hidden -ArgumentList '-NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ELEVATED'
        if ($elevated.ExitCode -ne 0) { throw ('registering the hvsock services as administrator failed (exit code ' + $elevated.ExitCode + ')') }
)" + script_end,
            "ELEVATED", encoded));
}

TEST_CASE("the one line said before Windows asks for administrator rights", "[hyperv]") {
    CHECK(hvsock_elevation_notice() ==
          "Hyper-V lets a guest talk to this host only over services listed in the registry "
          "(HKLM\\...\\Virtualization\\GuestCommunicationServices); registering this tool's two, "
          "once for all its machines, needs administrator rights: Windows will ask now");
    CHECK(hvsock_elevation_notice().find('\n') == std::string::npos);
}

TEST_CASE("hyperv names: the VM, its notes, its disk and its console pipe", "[hyperv]") {
    HyperVNames names(Layout({"/c", "/d", "/r"}, "dev"));
    CHECK(names.disk == std::filesystem::path("/d/machines/dev/disk.vhdx"));
    CHECK(names.vm_name == "machine-dev");
    CHECK(names.vm_notes == "Made by machine for /d/machines/dev");
    CHECK(console_pipe_name(id) == "\\\\.\\pipe\\machine-" + id + "-com1");
    CHECK(is_vm_id(id));
    CHECK_FALSE(is_vm_id("0F1E2D3C-4B5A-4978-8796-A5B4C3D2E1F0"));
    CHECK_FALSE(is_vm_id(id + "\n"));
    CHECK_FALSE(is_vm_id("0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f'"));
    CHECK_FALSE(is_vm_id(""));
}

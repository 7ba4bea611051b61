#include "providers/hyperv/kvp_script.h"

#include "providers/hyperv/powershell_script.h"

namespace machine {

namespace {

// $kvpService, $kvpSystem (the VM, or nothing) and Invoke-KvpItem METHOD NAME DATA, which waits
// for the job a method may start (4096) and throws on any failure.
std::vector<std::string> kvp_setup_lines(const std::string &vm_id) {
    return {
        "$namespace = 'root\\virtualization\\v2'",
        "$kvpService = Get-WmiObject -Namespace $namespace -Class "
        "Msvm_VirtualSystemManagementService",
        "$kvpSystem = Get-WmiObject -Namespace $namespace -Class Msvm_ComputerSystem -Filter " +
            ps_quote("Name='" + vm_id + "'"),
        "$kvpItemClass = [WmiClass]('\\\\.\\' + $namespace + ':Msvm_KvpExchangeDataItem')",
        "function Invoke-KvpItem($Method, $Name, $Data) {",
        "    $item = $kvpItemClass.CreateInstance()",
        "    $item.Name = $Name",
        "    $item.Data = $Data",
        "    $item.Source = 0",
        "    $result = $kvpService.$Method($kvpSystem.Path.Path, @($item.PSBase.GetText(1)))",
        "    if ($result.ReturnValue -eq 4096) {",
        "        $job = [Wmi]$result.Job",
        "        while ($job.JobState -in 2, 3, 4) {",
        "            Start-Sleep -Milliseconds 100",
        "            $job.PSBase.Get()",
        "        }",
        "        if ($job.JobState -ne 7) { throw ($Method + ' ' + $Name + ': ' + "
        "$job.ErrorDescription) }",
        "    } elseif ($result.ReturnValue -ne 0) {",
        "        throw ($Method + ' ' + $Name + ': WMI error ' + $result.ReturnValue)",
        "    }",
        "}",
    };
}

} // namespace

std::string add_kvp_items_script(const std::string &vm_id, const std::vector<KvpItem> &items) {
    auto body = kvp_setup_lines(vm_id);
    body.push_back("if (-not $kvpSystem) { throw " + ps_quote("Hyper-V has no VM " + vm_id) + " }");
    for (const auto &item : items)
        body.push_back("Invoke-KvpItem 'AddKvpItems' " + ps_quote(item.name) + " " +
                       ps_quote(item.data));
    return ps_script("add KVP items", body);
}

std::vector<std::string> remove_kvp_items_lines(const std::string &vm_id,
                                                const std::vector<std::string> &names) {
    if (names.empty())
        return {};
    auto lines = kvp_setup_lines(vm_id);
    std::string list;
    for (const auto &name : names)
        list += (list.empty() ? "" : ", ") + ps_quote(name);
    lines.push_back("if ($kvpSystem) {");
    lines.push_back("    foreach ($key in " + list + ") {");
    lines.push_back("        try { Invoke-KvpItem 'RemoveKvpItems' $key '' } catch { }");
    lines.push_back("    }");
    lines.push_back("}");
    return lines;
}

} // namespace machine

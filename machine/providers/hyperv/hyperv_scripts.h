#pragma once
// The Hyper-V VM's life as PowerShell scripts (powershell_script.h), built as data by pure
// functions: each returns the whole text powershell.exe reads, so the tests hold it to the byte.
// A VM is found by its id (`Get-VM | Where-Object`, which, unlike `Get-VM -Id`, has no error
// path for a VM removed behind our back).
#include <chrono>
#include <cstdint>
#include <string>

namespace machine {

// Exits 3 without the Hyper-V module; 1 (with the system's message) when this user may not
// manage VMs.
std::string check_host_script();

struct VmSpec {
    std::string name;  // the VM's name
    std::string notes; // the mark HyperVNames gives it
    std::string disk;  // the machine's VHDX, attached as the first boot device
    int cpus = 2;
    std::uint64_t memory_mib = 2048;
    std::uint64_t disk_gib = 20;
};

// Replaces a VM this machine made before (same name and notes), grows the disk to its size,
// and makes a Generation 2 VM: Secure Boot off (the guest's boot loader is not signed by
// Microsoft), static memory, no network adapter (the host reaches the guest over hvsock), no
// checkpoints, never started or saved by the host's own start and shutdown, the disk first to
// boot. Prints the VM's id.
std::string create_vm_script(const VmSpec &spec);

// Prints the VM's state (Get-VM's State), or "Missing".
std::string vm_state_script(const std::string &vm_id);

struct StartSpec {
    int cpus = 2; // CPUs and memory are the VM's own in Hyper-V: `set` changes them in the
    std::uint64_t memory_mib = 2048; // config, and each start applies them
    std::string console_log;         // where the serial console is copied to
};

// Applies CPUs and memory, drops a saved state (a stopped machine boots afresh), puts COM1 on
// console_pipe_name(vm_id), starts the console reader and then the VM.
std::string start_vm_script(const std::string &vm_id, const StartSpec &spec);

// Copies COM1's pipe into `log` for as long as the VM runs (a serial port's pipe exists only
// then; the reader waits up to 2 minutes for it). Run detached, by WMI (Win32_Process.Create), so
// that it outlives the CLI and holds none of its handles.
std::string console_reader_script(const std::string &pipe, const std::string &log);

// Asks the guest to shut down (Hyper-V's shutdown integration service), waits up to `grace`,
// then turns the VM off. Nothing for a VM that is off, saved or gone.
std::string stop_vm_script(const std::string &vm_id, std::chrono::seconds grace);

// Grows `disk` to `disk_gib`; never shrinks it.
std::string resize_disk_script(const std::string &disk, std::uint64_t disk_gib);

// Turns off and removes the VM (its id, or, for what an unfinished init left, its name and
// notes), after removing the `kvp_items` Ignition items it was given. Removes no file: the
// disk is the provider's to delete.
std::string remove_vm_script(const std::string &vm_id, const std::string &vm_name,
                             const std::string &vm_notes, std::size_t kvp_items);

} // namespace machine

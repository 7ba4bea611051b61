#pragma once
// A suspended QEMU machine (`machine stop --suspend`): the devices' state, saved by a migration
// into a file, while the guest's RAM stays where it always is, in the machine's memory file
// (memory-backend-file, share=on; the x-ignore-shared capability leaves shared RAM out of the
// migration). Beside it, the fingerprint of the launch it was saved from: a resume needs the same
// QEMU and the same command line (the config, the image, the firmware), else the state is
// discarded and the machine boots afresh.
#include "machine/command.h"
#include "providers/qemu/qemu_files.h"

#include <functional>
#include <optional>
#include <string>

namespace machine {

// What a launch is, for comparing a saved state against: QEMU's version and the command line.
// Pure.
std::string launch_fingerprint(const Command &launch, const std::string &qemu_version);

// Saves the running VM (QEMU `pid`, its monitor at files.qmp_socket) and ends it. The state is
// written aside first and appears whole, with its fingerprint, once QEMU is gone and the RAM file
// is on the disk. Throws (QmpError, SystemError, Timeout); the VM then runs on.
void save_vm(const QemuFiles &files, int pid, const std::string &fingerprint);

// Whether the machine has a saved state to resume: nullopt when none is there, "" when it can be
// resumed by the launch `fingerprint` gives (asked only when a whole state is there: it runs
// QEMU), else why not.
std::optional<std::string> saved_state_mismatch(const QemuFiles &files,
                                                const std::function<std::string()> &fingerprint);

// Whether a whole saved state is there (the one a suspend killed halfway is not). Whether it
// still matches the next launch is saved_state_mismatch's question.
bool has_saved_state(const QemuFiles &files);

// Feeds the saved state to the QEMU just started with `-incoming defer`, runs the VM, and drops
// the saved state (the RAM file lives on). Throws when QEMU refuses it.
void load_vm(const QemuFiles &files);

// Forgets a saved state, and the RAM it goes with: a boot afresh must not start from it.
void discard_saved_state(const QemuFiles &files);

} // namespace machine

#include "providers/hyperv/vm_state.h"

#include "machine/errors.h"
#include "machine/printable.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace machine {

MachineState parse_vm_state(const std::string &output) {
    auto first = output.find_first_not_of(" \t\r\n");
    auto last = output.find_last_not_of(" \t\r\n");
    std::string state = first == std::string::npos ? "" : output.substr(first, last - first + 1);
    bool word = !state.empty() && std::all_of(state.begin(), state.end(), [](char c) {
        return std::isalpha(static_cast<unsigned char>(c));
    });
    if (!word)
        throw ProtocolError("Hyper-V answered \"" + printable(state) +
                            "\" where a VM state belongs");
    if (std::string_view critical = "Critical";
        state.size() > critical.size() && state.ends_with(critical))
        state.resize(state.size() - critical.size());
    static constexpr std::array<std::string_view, 5> stopped = {"Off", "Saved", "FastSaved",
                                                                "Hibernated", vm_missing};
    return std::find(stopped.begin(), stopped.end(), state) != stopped.end()
               ? MachineState::stopped
               : MachineState::running;
}

} // namespace machine

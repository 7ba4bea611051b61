#include "providers/hyperv/hyperv_names.h"

#include <cctype>

namespace machine {

HyperVNames::HyperVNames(const Layout &layout)
    : disk(layout.data_dir() / "disk.vhdx"), vm_name("machine-" + layout.name()),
      vm_notes("Made by machine for " + layout.data_dir().string()) {}

std::string console_pipe_name(const std::string &vm_id) {
    return "\\\\.\\pipe\\machine-" + vm_id + "-com1";
}

bool is_vm_id(const std::string &text) {
    if (text.size() != 36)
        return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = text[i];
        if (dash ? c != '-'
                 : !(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

} // namespace machine

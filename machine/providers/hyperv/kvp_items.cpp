#include "providers/hyperv/kvp_items.h"

#include <algorithm>

namespace machine {

namespace {

bool continuation_byte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

} // namespace

std::string ignition_kvp_name(std::size_t index) {
    return "ignition.config." + std::to_string(index);
}

std::vector<KvpItem> ignition_kvp_items(const std::string &ignition) {
    std::vector<KvpItem> items;
    for (std::size_t at = 0; at < ignition.size();) {
        std::size_t end = std::min(at + kvp_value_max, ignition.size());
        if (end < ignition.size()) {
            // Back off to the start of the character the cut would split (at most 3 bytes back:
            // a UTF-8 character is at most 4); text that is not UTF-8 there is cut where it is.
            std::size_t cut = end;
            for (int back = 0; back < 3 && cut > at && continuation_byte(ignition[cut]); ++back)
                --cut;
            if (cut > at && !continuation_byte(ignition[cut]))
                end = cut;
        }
        items.push_back({ignition_kvp_name(items.size()), ignition.substr(at, end - at)});
        at = end;
    }
    return items;
}

} // namespace machine
